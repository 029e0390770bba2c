// Management API calls for publish impact, the call log, the traffic-shaded diff and the
// deployment sheet, through the typed client (kept apart from flows.ts, which edits flows).
import { api, blobUrl, call } from "./client";
import type { S } from "./types";

export type ImpactReport = S["ImpactOut"];
export type ImpactGroup = S["ImpactGroupOut"];
/** One call-log record: one platform request and the answer sent (store/calls.py RECORD_FIELDS). */
export type CallRecord = S["CallRecordOut"];
/** What to create in the portal, with the flow's secret (compile/deploy.py). */
export type DeploymentSheet = S["DeploymentOut"];
export type PortalDialplan = S["PortalDialplanOut"];

const flowPath = (id: string) => ({ flow_id: id });

/** Replay the calls recorded in the trailing window (`1d`, `7d`, `30d`) against the saved draft. */
export async function impactReport(id: string, since: string): Promise<ImpactReport> {
  const params = { path: flowPath(id), query: { since } };
  return call<ImpactReport>(api.POST("/api/flows/{flow_id}/impact", { params }));
}

/** The newest call-log records of a flow (one per request), newest first. */
export async function recentRecords(id: string, limit = 300): Promise<CallRecord[]> {
  const params = { path: flowPath(id), query: { limit } };
  return call<CallRecord[]>(api.GET("/api/flows/{flow_id}/calls", { params }));
}

/** Every request of one call (by call id or uuid), oldest first: its journey. */
export async function callJourney(id: string, callId: string): Promise<CallRecord[]> {
  const params = { path: { ...flowPath(id), call_id: callId } };
  return call<CallRecord[]>(api.GET("/api/flows/{flow_id}/calls/{call_id}", { params }));
}

/** The deployment sheet of the live version (the draft while nothing is published). */
export async function deploymentSheet(id: string): Promise<DeploymentSheet> {
  return call<DeploymentSheet>(
    api.GET("/api/flows/{flow_id}/deployment", { params: { path: flowPath(id) } }),
  );
}

/** The diff picture from a published version to the draft (`to` absent) or another version,
 * its changed branches shaded by the calls the `from` version answered in the window. */
export function shadedDiffUrl(id: string, from: number, to: number | null, traffic: string): Promise<string> {
  const params = { path: flowPath(id), query: { from, traffic, ...(to === null ? {} : { to }) } };
  return blobUrl(api.GET("/api/flows/{flow_id}/diff.svg", { params, parseAs: "blob" }));
}
