// Reading a publish-impact report for people: outcomes in words ("go to the IVR 22590"), the
// headline ("of 1,240 calls in the last 7 days, 31 would now ..."), and calls grouped from the log.
import type { CallRecord, ImpactReport } from "../api/impact";

const TRANSFER_WORDS: Record<string, string> = {
  ivr: "the IVR",
  agent: "agent",
  number: "number",
  department: "department",
  extension: "extension",
};

/** An outcome of flowgraph.simulate.impact.outcome, as the end of "would now …" / "instead of …". */
export function outcomeWords(outcome: string): string {
  const transfer = /^transfer (\w+) (.*?)( \(then more\))?$/.exec(outcome);
  if (transfer) {
    const [, type = "", targets = "", more] = transfer;
    return `${TRANSFER_WORDS[type] ?? type} ${targets}${more ? " (then more)" : ""}`;
  }
  const failover = /^failover \((.*)\)$/.exec(outcome);
  if (failover) return `the failover (${failover[1]})`;
  if (outcome.startsWith("menu ")) return `the menu playing ${outcome.slice(5)}`;
  if (outcome.startsWith("hand-off ")) return `a hand-off to ${outcome.slice(9)}`;
  const plays = /^plays (.*), then hangs up$/.exec(outcome);
  if (plays) return `hearing ${plays[1]}, then a hang-up`;
  return outcome;
}

const n = (value: number) => value.toLocaleString("en-US");
const calls = (value: number) => `${n(value)} call${value === 1 ? "" : "s"}`;

/** "31 would now go to the IVR 22590 instead of agent 05000001". */
export function groupSentence(group: { old: string; new: string; calls: number }): string {
  return `${n(group.calls)} would now go to ${outcomeWords(group.new)} instead of ${outcomeWords(group.old)}`;
}

/** The report's headline; with a single group it names the change, as the example. */
export function headline(report: ImpactReport): string {
  const skipped = report.not_replayed.reduce((sum, r) => sum + r.calls, 0);
  if (report.replayed === 0 && skipped === 0) return `No calls were recorded in the ${report.window}.`;
  const of = `Of ${calls(report.replayed)} in the ${report.window}`;
  if (report.replayed === 0)
    return `None of the ${calls(skipped)} in the ${report.window} could be replayed.`;
  if (report.changed === 0) return `${of}, none would end differently.`;
  const only = report.groups.length === 1 ? report.groups[0] : undefined;
  if (only) return `${of}, ${groupSentence(only)}.`;
  return `${of}, ${n(report.changed)} would now end differently:`;
}

/** One recorded call: its requests oldest first, and what the list shows. */
export interface RecordedCall {
  key: string;
  caller: string;
  started: number;
  requests: CallRecord[];
  versions: string[];
  failover: string | null;
  end: string | null;
}

/** Records (newest first, as /calls sends them) grouped into calls, newest call first. */
export function groupRecords(records: readonly CallRecord[]): RecordedCall[] {
  const byCall = new Map<string, CallRecord[]>();
  for (const r of records) {
    const key = r.call_id || r.uuid;
    if (!key) continue;
    byCall.set(key, [...(byCall.get(key) ?? []), r]);
  }
  const out: RecordedCall[] = [];
  for (const [key, list] of byCall) {
    const requests = [...list].sort((a, b) => a.time - b.time || a.id - b.id);
    const first = requests[0] as CallRecord;
    const last = requests[requests.length - 1] as CallRecord;
    out.push({
      key,
      caller: String(first.variables.caller_id_number ?? ""),
      started: first.time,
      requests,
      versions: [...new Set(requests.map((r) => r.version))],
      failover: last.failover_reason,
      end: last.end,
    });
  }
  return out.sort((a, b) => b.started - a.started);
}

/** "v3" for a version hash the flow published, else its first 12 characters. */
export function versionName(hash: string, numbers: ReadonlyMap<string, number>): string {
  const number = numbers.get(hash);
  return number === undefined ? hash.slice(0, 12) : `v${number}`;
}
