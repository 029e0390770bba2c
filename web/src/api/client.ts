// A thin typed client for the management API (/api, Bearer admin token). One place knows URLs,
// headers and status codes; components call these functions and get data or an ApiError.
import type { Diagnostic } from "./types";

const TOKEN_KEY = "flowgraph.token";

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An HTTP error with the server's JSON body (diagnostics, located problems, ...). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
  }

  /** Diagnostics carried by the error body (publish blocked, compile failed), if any. */
  get diagnostics(): Diagnostic[] {
    const b = this.body as { diagnostics?: Diagnostic[]; detail?: { diagnostics?: Diagnostic[] } } | null;
    return b?.diagnostics ?? b?.detail?.diagnostics ?? [];
  }
}

function detailText(body: unknown, status: number): string {
  const b = body as { detail?: unknown; message?: unknown } | null;
  const d = b?.detail ?? b?.message;
  if (typeof d === "string") return d;
  if (d && typeof d === "object" && "message" in d) return String((d as { message: unknown }).message);
  if (Array.isArray(d)) return d.map((x) => (x as { msg?: string }).msg ?? JSON.stringify(x)).join("; ");
  return `HTTP ${status}`;
}

export interface Raw {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Send a request with the admin token; throws ApiError on any non-2xx status. */
export async function request(
  method: string,
  path: string,
  body?: unknown,
  headers: HeadersInit = {},
): Promise<Raw> {
  const h = new Headers(headers);
  const token = getToken();
  if (token) h.set("Authorization", `Bearer ${token}`);
  if (body !== undefined) h.set("Content-Type", "application/json");
  const res = await fetch(path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = res.headers.get("Content-Type") ?? "";
  const data: unknown = type.includes("json") ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) throw new ApiError(res.status, data, detailText(data, res.status));
  return { status: res.status, body: data, headers: res.headers };
}

/** Fetch a binary (an image) with the token and return an object URL for it. */
export async function fetchBlobUrl(path: string): Promise<string> {
  const token = getToken();
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const text = await res.text();
    throw new ApiError(res.status, text, `HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
  return URL.createObjectURL(await res.blob());
}

export const enc = encodeURIComponent;
