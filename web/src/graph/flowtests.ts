// Flow tests in the editor: a simulated call turned into a test (the same shape as
// flowgraph.model.FlowTest), the outcome a journey reached (as flowgraph.simulate.flowtests.outcome_of
// reads it), and the branches no test reaches, keyed like canvas edges.
import type { S } from "../api/types";
import type { JourneyEvent } from "./journey";

export type FlowTest = S["FlowTest"];
export type FlowTestExpect = S["FlowTestExpect"];
export type LookupAnswer = NonNullable<FlowTest["lookups"]>[string];

/** The call the simulator placed: what a test needs to play it again. */
export interface SimulatedCall {
  caller: string;
  dialled: string;
  /** `YYYY-MM-DDTHH:MM` (a datetime-local value, in the flow's time zone). */
  start: string;
  presses: (string | null)[];
  answers: boolean[];
  lookups: Record<string, LookupAnswer>;
}

/** How the call ended: the last event decides, as the server's runner reads a journey. */
export function outcomeOf(events: readonly JourneyEvent[]): FlowTestExpect {
  const last = events[events.length - 1];
  switch (last?.event) {
    case "transfer":
      return {
        outcome: "transfer",
        transfer: last.type as FlowTestExpect["transfer"],
        targets: [...(last.targets as string[])],
      };
    case "handoff":
      return { outcome: "handoff", dialplan: String(last.dialplan_id) };
    case "failover":
      return { outcome: "failover" };
    default:
      return { outcome: "hangup" };
  }
}

/** "transfer to number 9000000102", "hand-off to 12345", "hangup", "failover". */
export function outcomeText(expect: FlowTestExpect): string {
  if (expect.outcome === "transfer")
    return `transfer to ${expect.transfer ?? ""} ${(expect.targets ?? []).join(" ")}`.replace("  ", " ");
  if (expect.outcome === "handoff") return `hand-off to ${expect.dialplan ?? ""}`;
  return expect.outcome;
}

/** A readable default name: who called, what they pressed, how it ended. */
export function testName(call: SimulatedCall, expect: FlowTestExpect): string {
  const keys = call.presses.map((k) => k ?? "no input").join(", ") || "nothing";
  const unanswered = call.answers.filter((a) => !a).length;
  const missed = unanswered ? `, ${unanswered} transfer(s) unanswered` : "";
  return `${call.caller} presses ${keys}${missed} → ${outcomeText(expect)}`.slice(0, 200);
}

/** A name not yet used by the flow's tests ("x", "x (2)", ...). */
export function uniqueName(name: string, taken: readonly string[]): string {
  const used = new Set(taken);
  if (!used.has(name)) return name;
  for (let i = 2; ; i += 1) {
    const candidate = `${name} (${i})`;
    if (!used.has(candidate)) return candidate;
  }
}

/** The test a finished simulation makes: the same call, expecting the outcome it reached. */
export function testFromSimulation(
  call: SimulatedCall,
  events: readonly JourneyEvent[],
  taken: readonly string[],
): FlowTest {
  const expect = outcomeOf(events);
  // Only the presses and answers the call used are kept: a trailing key for a prompt never
  // reached would make the test fail for a reason the user never saw.
  const used: SimulatedCall = {
    ...call,
    presses: call.presses.slice(0, events.filter((e) => e.event === "prompt").length),
    answers: call.answers.slice(0, events.filter((e) => e.event === "transfer").length),
  };
  return {
    name: uniqueName(testName(used, expect), taken),
    call: { caller: call.caller, dialled: call.dialled, at: call.start.replace("T", " ").slice(0, 16) },
    presses: used.presses,
    answers: used.answers,
    lookups: { ...call.lookups },
    expect,
  };
}

/** Untested branches as canvas edge ids (`node|branch`). */
export function untestedEdges(missed: readonly { node: string; branch: string }[]): Set<string> {
  return new Set(missed.map((m) => `${m.node}|${m.branch}`));
}

/** The flow with `test` appended (tests are data in the document, like its layout). */
export function addTest<F extends { tests?: FlowTest[] }>(flow: F, test: FlowTest): F {
  return { ...flow, tests: [...(flow.tests ?? []), test] };
}

/** The flow without its test at `index`. */
export function removeTest<F extends { tests?: FlowTest[] }>(flow: F, index: number): F {
  return { ...flow, tests: (flow.tests ?? []).filter((_, i) => i !== index) };
}

/** The flow with its test at `index` renamed. */
export function renameTest<F extends { tests?: FlowTest[] }>(flow: F, index: number, name: string): F {
  return { ...flow, tests: (flow.tests ?? []).map((t, i) => (i === index ? { ...t, name } : t)) };
}
