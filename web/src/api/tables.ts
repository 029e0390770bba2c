// Management API calls for server tables (the Tables view): the list, a searched page of rows,
// the CSV export, and the CSV import. Paths, parameters and answers come from the generated
// schema.d.ts through the typed client, as in flows.ts; only the import goes through
// XMLHttpRequest, because fetch cannot report upload progress.
import { ApiError, api, call, getToken } from "./client";
import type { S } from "./types";

export type TableSummary = S["TableSummary"];
export type TableRows = S["TableRowsOut"];
export type TableImport = S["TableImportOut"];

const tablePath = (name: string) => ({ path: { name } });

/** Every server table's live version (name, version, rows, columns, updated). */
export async function listTables(): Promise<TableSummary[]> {
  return call<TableSummary[]>(api.GET("/api/tables"));
}

/** One page of a table's live version: every row, or those whose key or a value contains `q`. */
export async function tableRows(name: string, q: string, offset: number, limit: number): Promise<TableRows> {
  const params = { ...tablePath(name), query: { q, offset, limit } };
  return call<TableRows>(api.GET("/api/tables/{name}/rows", { params }));
}

/** The live version as a CSV file (keys in lookup form, rows in key order). */
export async function exportTableCsv(name: string): Promise<Blob> {
  const params = { ...tablePath(name), query: { format: "csv" as const } };
  return call<Blob>(api.GET("/api/tables/{name}", { params, parseAs: "blob" }));
}

/** Bytes sent so far of `total` (an upload's progress). */
export type Progress = (sent: number, total: number) => void;

/** An error body's one line of detail (the management API's ErrorOut), else the HTTP status. */
function detail(body: unknown, status: number): string {
  const d = (body as { detail?: unknown } | null)?.detail;
  return typeof d === "string" ? d : `HTTP ${status}`;
}

/**
 * Import `file` as the next version of table `name` (CSV; `key` names the key column, default
 * the first). Resolves with the version (`created` false when it equals the live one); rejects
 * with an ApiError whose `problems` locate every problem by line and column (422: nothing
 * changed), or status 0 when the server could not be reached.
 */
export function importTableCsv(
  name: string,
  file: Blob,
  onProgress: Progress = () => {},
  key?: string,
): Promise<TableImport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const query = key ? `?key=${encodeURIComponent(key)}` : "";
    xhr.open("PUT", `/api/tables/${encodeURIComponent(name)}${query}`);
    const token = getToken();
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", "text/csv");
    xhr.responseType = "text";
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = xhr.responseText;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as TableImport);
      else reject(new ApiError(xhr.status, body, detail(body, xhr.status)));
    };
    xhr.onerror = () => reject(new ApiError(0, null, "the server could not be reached"));
    xhr.send(file);
  });
}
