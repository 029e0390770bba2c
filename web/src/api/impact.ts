// Management API calls for publish impact, the call log and the traffic-shaded diff (kept apart
// from flows.ts; they use the exported client functions only).
import { enc, fetchBlobUrl, request } from "./client";
import type { S } from "./types";

export type ImpactReport = S["ImpactOut"];
export type ImpactGroup = S["ImpactGroupOut"];

/** One call-log record: one platform request and the answer sent (store/calls.py RECORD_FIELDS). */
export interface CallRecord {
  id: number;
  time: number;
  call_id: string;
  uuid: string;
  flow_id: string;
  /** The flow version (12-hex hash) that answered this request. */
  version: string;
  step: string;
  variables: Record<string, unknown>;
  response: string;
  latency_ms: number;
  failover_reason: string | null;
  trace: { node: string; branch: string }[];
  end: string | null;
}

/** Replay the calls recorded in the trailing window (`1d`, `7d`, `30d`) against the saved draft. */
export async function impactReport(id: string, since: string): Promise<ImpactReport> {
  return (await request("POST", `/api/flows/${enc(id)}/impact?since=${enc(since)}`)).body as ImpactReport;
}

/** The newest call-log records of a flow (one per request), newest first. */
export async function recentRecords(id: string, limit = 300): Promise<CallRecord[]> {
  return (await request("GET", `/api/flows/${enc(id)}/calls?limit=${limit}`)).body as CallRecord[];
}

/** Every request of one call (by call id or uuid), oldest first: its journey. */
export async function callJourney(id: string, call: string): Promise<CallRecord[]> {
  return (await request("GET", `/api/flows/${enc(id)}/calls/${enc(call)}`)).body as CallRecord[];
}

/** The diff picture from a published version to the draft (`to` absent) or another version,
 * its changed branches shaded by the calls the `from` version answered in the window. */
export function shadedDiffUrl(id: string, from: number, to: number | null, traffic: string): Promise<string> {
  const target = to === null ? "" : `&to=${to}`;
  return fetchBlobUrl(`/api/flows/${enc(id)}/diff.svg?from=${from}${target}&traffic=${enc(traffic)}`);
}
