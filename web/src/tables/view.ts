// Pure helpers of the Tables view: numbers and sizes in words, the pager's arithmetic, a 422's
// located problems split into line and column, and what an import did, in one sentence.
import type { TableImport, TableSummary } from "../api/tables";

/** `3000` -> "3,000" (the view's one number format). */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** `n thing(s)` with the number formatted. */
export function counted(n: number, thing: string): string {
  return `${count(n)} ${thing}${n === 1 ? "" : "s"}`;
}

/** Bytes as "812 B", "4.2 KB", "26.0 MB". */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** An upload's progress: "1.2 MB of 2.0 MB (60%)". */
export function progress(sent: number, total: number): string {
  const pct = total > 0 ? Math.min(100, Math.round((sent / total) * 100)) : 0;
  return `${size(sent)} of ${size(total)} (${pct}%)`;
}

/** One page of `total` rows: what the pager shows and whether it can move. */
export interface PageInfo {
  first: number;
  last: number;
  page: number;
  pages: number;
  hasPrev: boolean;
  hasNext: boolean;
}

export function pageInfo(offset: number, limit: number, total: number, shown: number): PageInfo {
  const pages = Math.max(1, Math.ceil(total / limit));
  return {
    first: shown ? offset + 1 : 0,
    last: offset + shown,
    page: Math.floor(offset / limit) + 1,
    pages,
    hasPrev: offset > 0,
    hasNext: offset + limit < total,
  };
}

/** "Rows 51–100 of 3,000", "3 rows match 'pune'", "10,000+ rows match ...: narrow the search". */
export function pageLabel(info: PageInfo, total: number, q: string, more: boolean): string {
  const of = more ? `${count(total)}+` : count(total);
  if (!total) return q ? `No row matches “${q}”` : "The table is empty";
  const range = `${count(info.first)}–${count(info.last)} of ${of}`;
  if (!q) return `Rows ${range}`;
  return `Rows ${range} matching “${q}”${more ? " (more match: narrow the search)" : ""}`;
}

/** The offset of the page to show next, clamped to the table. */
export function clampOffset(offset: number, limit: number, total: number): number {
  const lastPage = Math.max(0, Math.ceil(total / limit) - 1) * limit;
  return Math.max(0, Math.min(offset, lastPage));
}

/** A located problem of a refused file, its place split out ("line 3, column 1 (number)"). */
export interface Located {
  line: number | null;
  column: number | null;
  columnName: string | null;
  where: string;
  message: string;
}

export function locate(problem: { path: string; message: string }): Located {
  const m = /^line (\d+)(?:, column (\d+)(?: \((.*)\))?)?$/.exec(problem.path);
  return {
    line: m?.[1] ? Number(m[1]) : null,
    column: m?.[2] ? Number(m[2]) : null,
    columnName: m?.[3] ?? null,
    where: problem.path,
    message: problem.message,
  };
}

/** What an accepted import did, against the version live before it (null: a new table). */
export function imported(result: TableImport, before: TableSummary | null): string {
  const t = result.table;
  if (!result.created)
    return `Nothing changed: the file equals version ${t.version} (${counted(t.rows, "row")}).`;
  const was = before ? ` (was version ${before.version}, ${counted(before.rows, "row")})` : "";
  return `Version ${t.version} is live: ${counted(t.rows, "row")}${was}.`;
}

/** What a refused import left live. */
export function refused(before: TableSummary | null): string {
  return before
    ? `Nothing changed: version ${before.version} (${counted(before.rows, "row")}) is still live.`
    : "Nothing changed: no table was created.";
}
