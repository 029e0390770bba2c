// Management API calls used by the editor, through the typed client: paths, parameters, bodies
// and answers all come from the generated schema.d.ts (a wrong path or field fails typecheck).
import { api, blobUrl, call } from "./client";
import type { paths } from "./schema";
import type { Flow, S } from "./types";

export type FlowSummary = S["FlowSummary"];
export type FlowOut = S["FlowOut"];
export type CheckOut = S["CheckOut"];
export type VersionSummary = S["VersionSummary"];
export type VersionOut = S["VersionOut"];
export type PublishOut = S["PublishOut"];
export type CompileOut = S["CompileOut"];
export type FlowTestRun = S["FlowTestRunOut"];
export type FlowTestResult = S["FlowTestResultOut"];
export type SimulateIn = S["SimulateIn"];
export type Journey = S["JourneyOut"];
export type ImageQuery = NonNullable<paths["/api/flows/{flow_id}/image.svg"]["get"]["parameters"]["query"]>;

const flowPath = (id: string) => ({ path: { flow_id: id } });

export async function listFlows(includeDeleted = false): Promise<FlowSummary[]> {
  return call<FlowSummary[]>(
    api.GET("/api/flows", { params: { query: { include_deleted: includeDeleted } } }),
  );
}

export async function getFlow(id: string): Promise<FlowOut> {
  return call<FlowOut>(api.GET("/api/flows/{flow_id}", { params: flowPath(id) }));
}

export async function createFlow(flow: Flow): Promise<FlowOut> {
  return call<FlowOut>(api.POST("/api/flows", { body: flow }));
}

/** Save a draft; the ETag makes the write conditional (409 when someone saved in between). */
export async function saveFlow(id: string, flow: Flow, etag: string | null): Promise<FlowOut> {
  const params = { ...flowPath(id), header: { "if-match": etag ?? "*" } };
  return call<FlowOut>(api.PUT("/api/flows/{flow_id}", { params, body: flow }));
}

export async function deleteFlow(id: string): Promise<void> {
  await call<FlowSummary>(api.DELETE("/api/flows/{flow_id}", { params: flowPath(id) }));
}

export async function restoreFlow(id: string): Promise<FlowOut> {
  return call<FlowOut>(api.POST("/api/flows/{flow_id}/restore", { params: flowPath(id) }));
}

/** Import a file's flow document(s): the server validates them (422 with located problems). */
export async function importFlows(docs: Flow | Flow[]): Promise<S["ImportOut"]> {
  return call<S["ImportOut"]>(api.POST("/api/flows/import", { body: docs }));
}

/** The draft as a flow file (what `flowgraph check` reads). */
export async function exportFlow(id: string): Promise<Flow> {
  return call<Flow>(api.GET("/api/flows/{flow_id}/export", { params: flowPath(id) }));
}

/** Check the document on screen (unsaved) for live checking. */
export async function checkDocument(id: string, flow: Flow): Promise<CheckOut> {
  const params = { ...flowPath(id), query: { steps: true } };
  return call<CheckOut>(api.POST("/api/flows/{flow_id}/check", { params, body: flow }));
}

/** Check the saved draft (used by the flows list for its status column). */
export async function checkDraft(id: string): Promise<CheckOut> {
  return call<CheckOut>(api.GET("/api/flows/{flow_id}/check", { params: flowPath(id) }));
}

export async function compileDraft(id: string): Promise<CompileOut> {
  return call<CompileOut>(api.GET("/api/flows/{flow_id}/compile", { params: flowPath(id) }));
}

/** Simulate one scripted call (the draft by default): the journey, its path and exchanges. */
export async function simulateCall(id: string, body: SimulateIn): Promise<Journey> {
  return call<Journey>(api.POST("/api/flows/{flow_id}/simulate", { params: flowPath(id), body }));
}

/** Run the saved draft's flow tests (409 with diagnostics while it has errors). */
export async function runFlowTests(id: string): Promise<FlowTestRun> {
  return call<FlowTestRun>(api.POST("/api/flows/{flow_id}/test", { params: flowPath(id) }));
}

export async function publishFlow(id: string, note: string, etag: string | null): Promise<PublishOut> {
  const params = { ...flowPath(id), header: etag ? { "if-match": etag } : {} };
  return call<PublishOut>(api.POST("/api/flows/{flow_id}/publish", { params, body: { note } }));
}

export async function listVersions(id: string): Promise<VersionSummary[]> {
  return call<VersionSummary[]>(api.GET("/api/flows/{flow_id}/versions", { params: flowPath(id) }));
}

export async function getPublished(id: string): Promise<VersionOut> {
  return call<VersionOut>(api.GET("/api/flows/{flow_id}/published", { params: flowPath(id) }));
}

export async function rollback(id: string, version: number): Promise<VersionSummary> {
  return call<VersionSummary>(
    api.POST("/api/flows/{flow_id}/rollback", { params: flowPath(id), body: { version } }),
  );
}

/** The flow's picture (the draft unless `query.version`) as an object URL. */
export function imageUrl(id: string, format: "svg" | "png", query: ImageQuery = {}): Promise<string> {
  const init = { params: { ...flowPath(id), query }, parseAs: "blob" as const };
  return blobUrl(
    format === "svg"
      ? api.GET("/api/flows/{flow_id}/image.svg", init)
      : api.GET("/api/flows/{flow_id}/image.png", init),
  );
}

export function diffUrl(id: string, from: number, to: number): Promise<string> {
  const params = { ...flowPath(id), query: { from, to } };
  return blobUrl(api.GET("/api/flows/{flow_id}/diff.svg", { params, parseAs: "blob" }));
}
