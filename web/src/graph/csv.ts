// CSV <-> lookup table. The first column is the row key, the header row names the columns.
import type { Table } from "../api/types";

/** Parse CSV (or tab-separated text pasted from a spreadsheet) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const sep = text.includes("\t") && !text.includes(",") ? "\t" : ",";
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === sep) {
      row.push(cell.trim());
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
      row.push(cell.trim());
      if (row.some((c) => c !== "")) rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  row.push(cell.trim());
  if (row.some((c) => c !== "")) rows.push(row);
  return rows;
}

/** A table from CSV with a header row: first column = key, the others = columns. */
export function tableFromCsv(text: string): Table {
  const [header, ...body] = parseCsv(text);
  if (!header || header.length < 1) return { columns: [], rows: {} };
  const columns = header.slice(1);
  const rows: Record<string, Record<string, string>> = {};
  for (const r of body) {
    const key = r[0];
    if (!key) continue;
    rows[key] = Object.fromEntries(columns.map((c, i) => [c, r[i + 1] ?? ""]));
  }
  return { columns, rows };
}

/** The table as CSV (key column first), for export and round-trips. */
export function tableToCsv(table: Table, keyName = "key"): string {
  const cols = table.columns ?? [];
  const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = [[keyName, ...cols].map(esc).join(",")];
  for (const [key, row] of Object.entries(table.rows ?? {})) {
    lines.push([key, ...cols.map((c) => row[c] ?? "")].map(esc).join(","));
  }
  return `${lines.join("\n")}\n`;
}
