import { describe, expect, it } from "vitest";
import type { CallRecord, ImpactReport } from "../api/impact";
import { groupRecords, headline, outcomeWords, versionName } from "./impact";

const report = (over: Partial<ImpactReport>): ImpactReport => ({
  since: "7d",
  window: "last 7 days",
  replayed: 1240,
  changed: 31,
  groups: [{ old: "transfer agent 05000001", new: "transfer ivr 22590", calls: 31, examples: [] }],
  not_replayed: [],
  ...over,
});

const rec = (id: number, call: string, time: number, version: string, over: Partial<CallRecord> = {}) =>
  ({
    id,
    time,
    call_id: call,
    uuid: `u-${call}`,
    flow_id: "f",
    version,
    step: "entry",
    variables: { caller_id_number: `+91${call}` },
    response: "[]",
    latency_ms: 1,
    failover_reason: null,
    trace: [],
    end: null,
    ...over,
  }) as CallRecord;

describe("impact report in words", () => {
  it("names the one change like the issue's example", () => {
    expect(headline(report({}))).toBe(
      "Of 1,240 calls in the last 7 days, 31 would now go to the IVR 22590 instead of agent 05000001.",
    );
  });

  it("says when nothing was recorded, nothing changes, or several groups change", () => {
    expect(headline(report({ replayed: 0, changed: 0, groups: [] }))).toBe(
      "No calls were recorded in the last 7 days.",
    );
    expect(headline(report({ changed: 0, groups: [] }))).toBe(
      "Of 1,240 calls in the last 7 days, none would end differently.",
    );
    const two = report({ groups: [...report({}).groups, { old: "a", new: "b", calls: 1, examples: [] }] });
    expect(headline(two)).toBe("Of 1,240 calls in the last 7 days, 31 would now end differently:");
    expect(headline(report({ replayed: 0, groups: [], not_replayed: [{ reason: "x", calls: 2 }] }))).toBe(
      "None of the 2 calls in the last 7 days could be replayed.",
    );
  });

  it("reads every outcome form", () => {
    expect(outcomeWords("failover (deadline)")).toBe("the failover (deadline)");
    expect(outcomeWords("plays 101, then hangs up")).toBe("hearing 101, then a hang-up");
    expect(outcomeWords("transfer number 9000000102 (then more)")).toBe("number 9000000102 (then more)");
    expect(outcomeWords("hand-off 66ab")).toBe("a hand-off to 66ab");
  });
});

describe("recorded calls", () => {
  it("groups requests into calls, oldest request first, newest call first, with their versions", () => {
    const calls = groupRecords([
      rec(4, "b", 40, "bbb"),
      rec(3, "a", 30, "bbb", { failover_reason: "deadline: no answer" }),
      rec(2, "b", 20, "aaa"),
      rec(1, "a", 10, "aaa"),
    ]);
    expect(calls.map((c) => c.key)).toEqual(["b", "a"]);
    expect(calls[0]?.requests.map((r) => r.id)).toEqual([2, 4]);
    expect(calls[0]?.versions).toEqual(["aaa", "bbb"]);
    expect(calls[1]?.failover).toBe("deadline: no answer");
    expect(calls[1]?.caller).toBe("+91a");
  });

  it("names versions by their published number", () => {
    const numbers = new Map([["abcdef123456", 3]]);
    expect(versionName("abcdef123456", numbers)).toBe("v3");
    expect(versionName("0123456789abcdef", numbers)).toBe("0123456789ab");
  });
});
