// The management API client (/api, Bearer admin token): `api` is an openapi-fetch client typed by
// the generated schema.d.ts (paths, parameters, bodies and answers), and `call` turns its result
// into the data or an ApiError carrying the status and the server's message. One place knows the
// token, headers and error shape; components call the functions in flows.ts (and impact.ts).
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import type { Diagnostic, S } from "./types";

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

  /** The body as the server's error answer (every error of the management API has this shape). */
  get error(): Partial<S["ErrorOut"]> {
    return this.body && typeof this.body === "object" ? (this.body as Partial<S["ErrorOut"]>) : {};
  }

  /** Diagnostics carried by the error body (publish blocked, compile failed), if any. */
  get diagnostics(): Diagnostic[] {
    return this.error.diagnostics ?? [];
  }

  /** Located problems of a document the server refused (422), if any. */
  get problems(): S["Problem"][] {
    return this.error.problems ?? [];
  }

  /** The flow tests that refused a publish (409), if any. */
  get tests(): S["FlowTestResultOut"][] {
    return this.error.tests ?? [];
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

/** Send the admin token (read at each request, so signing in takes effect at once). */
const withToken: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
};

/** A typed client for the API; tests pass their own `fetch` and `baseUrl`. */
export function createApi(
  options: { baseUrl?: string; fetch?: (r: Request) => Promise<Response> } = {},
): Client<paths> {
  const client = createClient<paths>({ baseUrl: options.baseUrl ?? "", fetch: options.fetch });
  client.use(withToken);
  return client;
}

/** The editor's client (same origin as the page). */
export const api = createApi({ fetch: (r) => globalThis.fetch(r) });

/**
 * `T` as openapi-fetch hands it over: its result types pass through openapi-typescript-helpers'
 * `Readable`, which turns tuples (`[number, number]`) into arrays; otherwise the same type.
 */
export type Loose<T> = T extends readonly (infer E)[]
  ? Loose<E>[]
  : T extends object
    ? { [K in keyof T]: Loose<T[K]> }
    : T;

/**
 * The data of an openapi-fetch result as the schema type `T` (the route's answer must match `T`
 * up to tuples, or this does not typecheck), or an ApiError with the status and server's message.
 */
export async function call<T>(
  pending: Promise<{ data?: Loose<T>; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) throw new ApiError(response.status, error ?? null, detailText(error, response.status));
  return data as T; // Loose<T> is T with tuples widened to arrays; the server sends the tuples
}

/** A picture (`parseAs: "blob"` result) as an object URL, or an ApiError. */
export async function blobUrl(
  pending: Promise<{ data?: Blob; error?: unknown; response: Response }>,
): Promise<string> {
  return URL.createObjectURL(await call<Blob>(pending));
}

export interface Raw {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Send a request to a path outside the typed schema (``/openapi.json``) with the admin token;
 * throws ApiError on any non-2xx status. */
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

export const enc = encodeURIComponent;
