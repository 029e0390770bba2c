// Management API calls used by the editor. Response types come from the generated schema.d.ts.
import { enc, fetchBlobUrl, request } from "./client";
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

const ifMatch = (etag: string | null): HeadersInit => (etag ? { "If-Match": etag } : {});

export async function listFlows(includeDeleted = false): Promise<FlowSummary[]> {
  const q = includeDeleted ? "?include_deleted=true" : "";
  return (await request("GET", `/api/flows${q}`)).body as FlowSummary[];
}

export async function getFlow(id: string): Promise<FlowOut> {
  return (await request("GET", `/api/flows/${enc(id)}`)).body as FlowOut;
}

export async function createFlow(flow: Flow): Promise<FlowOut> {
  return (await request("POST", "/api/flows", flow)).body as FlowOut;
}

/** Save a draft; the ETag makes the write conditional (409 when someone saved in between). */
export async function saveFlow(id: string, flow: Flow, etag: string | null): Promise<FlowOut> {
  return (await request("PUT", `/api/flows/${enc(id)}`, flow, ifMatch(etag ?? "*"))).body as FlowOut;
}

export async function deleteFlow(id: string): Promise<void> {
  await request("DELETE", `/api/flows/${enc(id)}`);
}

export async function restoreFlow(id: string): Promise<FlowOut> {
  return (await request("POST", `/api/flows/${enc(id)}/restore`)).body as FlowOut;
}

export async function importFlows(docs: unknown): Promise<S["ImportOut"]> {
  return (await request("POST", "/api/flows/import", docs)).body as S["ImportOut"];
}

/** Check the document on screen (unsaved) for live checking. */
export async function checkDocument(id: string, flow: Flow): Promise<CheckOut> {
  return (await request("POST", `/api/flows/${enc(id)}/check?steps=true`, flow)).body as CheckOut;
}

/** Check the saved draft (used by the flows list for its status column). */
export async function checkDraft(id: string): Promise<CheckOut> {
  return (await request("GET", `/api/flows/${enc(id)}/check`)).body as CheckOut;
}

export async function compileDraft(id: string): Promise<CompileOut> {
  return (await request("GET", `/api/flows/${enc(id)}/compile`)).body as CompileOut;
}

/** Run the saved draft's flow tests (409 with diagnostics while it has errors). */
export async function runFlowTests(id: string): Promise<FlowTestRun> {
  return (await request("POST", `/api/flows/${enc(id)}/test`)).body as FlowTestRun;
}

export async function publishFlow(id: string, note: string, etag: string | null): Promise<PublishOut> {
  return (await request("POST", `/api/flows/${enc(id)}/publish`, { note }, ifMatch(etag))).body as PublishOut;
}

export async function listVersions(id: string): Promise<VersionSummary[]> {
  return (await request("GET", `/api/flows/${enc(id)}/versions`)).body as VersionSummary[];
}

export async function getPublished(id: string): Promise<VersionOut> {
  return (await request("GET", `/api/flows/${enc(id)}/published`)).body as VersionOut;
}

export async function rollback(id: string, version: number): Promise<VersionSummary> {
  return (await request("POST", `/api/flows/${enc(id)}/rollback`, { version })).body as VersionSummary;
}

export function imageUrl(id: string, format: "svg" | "png", query = ""): Promise<string> {
  return fetchBlobUrl(`/api/flows/${enc(id)}/image.${format}${query ? `?${query}` : ""}`);
}

export function diffUrl(id: string, from: number, to: number): Promise<string> {
  return fetchBlobUrl(`/api/flows/${enc(id)}/diff.svg?from=${from}&to=${to}`);
}
