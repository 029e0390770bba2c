import { afterEach, describe, expect, it } from "vitest";
import { ApiError, call, createApi, setToken } from "./client";

/** A fake server: records each request and answers with `status` and a JSON `body`. */
function server(status: number, body: unknown) {
  const seen: Request[] = [];
  const fetch = async (r: Request) => {
    seen.push(r);
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  };
  return { seen, api: createApi({ baseUrl: "http://editor.test", fetch }) };
}

const storage = new Map<string, string>();
globalThis.sessionStorage = {
  getItem: (k: string) => storage.get(k) ?? null,
  setItem: (k: string, v: string) => void storage.set(k, v),
  removeItem: (k: string) => void storage.delete(k),
} as Storage;

afterEach(() => setToken(null));

/** The ApiError a call fails with (the test fails if it succeeds). */
async function failure(pending: Promise<unknown>): Promise<ApiError> {
  const err = await pending.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("the typed API client", () => {
  it("sends the admin token, the path parameters and If-Match", async () => {
    setToken("s3cret");
    const { seen, api } = server(200, { id: "a" });
    const params = { path: { flow_id: "a b" }, header: { "if-match": '"3"' } };
    await call(api.PUT("/api/flows/{flow_id}", { params, body: { id: "a b", entry: "x" } }));
    const req = seen[0] as Request;
    expect(req.url).toBe("http://editor.test/api/flows/a%20b");
    expect(req.headers.get("Authorization")).toBe("Bearer s3cret");
    expect(req.headers.get("If-Match")).toBe('"3"');
    expect(await req.json()).toEqual({ id: "a b", entry: "x" });
  });

  it("turns an error answer into an ApiError with the status and the server's message", async () => {
    const stale = server(409, { detail: "flow 'a' was saved by someone else", etag: '"4"' });
    const err = await failure(
      call(stale.api.GET("/api/flows/{flow_id}", { params: { path: { flow_id: "a" } } })),
    );
    expect([err.status, err.message]).toEqual([409, "flow 'a' was saved by someone else"]);
    expect(err.error.etag).toBe('"4"');

    const invalid = server(422, { detail: "not a flow", problems: [{ path: "nodes[0]", message: "bad" }] });
    const refused = await failure(call(invalid.api.POST("/api/flows", { body: { id: "x", entry: "y" } })));
    expect(refused.problems).toEqual([{ path: "nodes[0]", message: "bad" }]);
    expect(refused.diagnostics).toEqual([]);
    const noToken = server(401, { detail: "missing or wrong admin token" });
    const denied = await failure(call(noToken.api.GET("/api/flows")));
    expect((noToken.seen[0] as Request).headers.get("Authorization")).toBeNull();
    expect([denied.status, denied.message]).toEqual([401, "missing or wrong admin token"]);
  });
});
