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

/** The flow with its test at `index` replaced by `test` (an edit in the Tests tab). */
export function replaceTest<F extends { tests?: FlowTest[] }>(flow: F, index: number, test: FlowTest): F {
  return { ...flow, tests: (flow.tests ?? []).map((t, i) => (i === index ? test : t)) };
}

// --- editing a saved test -----------------------------------------------------------------

/** What the caller does at one prompt: keys, keys ended by `#`, or nothing (no input). */
export type PressKind = "digits" | "hash" | "none";
export interface PressDraft {
  kind: PressKind;
  digits: string;
}
export type LookupKind = "row" | "not_found" | "error" | "timeout";
export interface LookupDraft {
  node: string;
  kind: LookupKind;
  /** For a row: `column=value, column=value`. */
  row: string;
}
export interface TestDraft {
  name: string;
  caller: string;
  /** The call time as a datetime-local value, `YYYY-MM-DDTHH:MM` (the flow's time zone). */
  at: string;
  presses: PressDraft[];
  lookups: LookupDraft[];
  outcome: FlowTestExpect["outcome"];
  transfer: string;
  /** Comma-separated targets. */
  targets: string;
  dialplan: string;
}

export function pressDraft(press: string | null | undefined): PressDraft {
  if (press === null || press === undefined || press === "") return { kind: "none", digits: "" };
  if (press.endsWith("#")) return { kind: "hash", digits: press.slice(0, -1) };
  return { kind: "digits", digits: press };
}

export function pressValue(p: PressDraft): string | null {
  if (p.kind === "none") return null;
  return p.kind === "hash" ? `${p.digits}#` : p.digits;
}

function rowText(row: Record<string, string>): string {
  return Object.entries(row)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

/** "col=value, col2=value" as a row; `null` where a pair has no `=` or no column. */
export function parseRow(text: string): Record<string, string> | null {
  const row: Record<string, string> = {};
  for (const pair of text.split(",")) {
    if (!pair.trim()) continue;
    const at = pair.indexOf("=");
    const column = pair.slice(0, at).trim();
    if (at < 0 || !column) return null;
    row[column] = pair.slice(at + 1).trim();
  }
  return row;
}

/** The editable form of a test; `lookupNodes` are the flow's HTTP lookups (each gets a row). */
export function draftOf(test: FlowTest, lookupNodes: readonly string[]): TestDraft {
  const answers = test.lookups ?? {};
  const nodes = [...new Set([...lookupNodes, ...Object.keys(answers)])];
  return {
    name: test.name,
    caller: test.call.caller,
    at: (test.call.at ?? "").replace(" ", "T"),
    presses: (test.presses ?? []).map(pressDraft),
    lookups: nodes.map((node) => {
      const a = answers[node];
      if (a === undefined) return { node, kind: "not_found", row: "" };
      return typeof a === "string" ? { node, kind: a, row: "" } : { node, kind: "row", row: rowText(a) };
    }),
    outcome: test.expect.outcome,
    transfer: test.expect.transfer ?? "",
    targets: (test.expect.targets ?? []).join(", "),
    dialplan: test.expect.dialplan ?? "",
  };
}

const KEYS = /^[0-9*]+$/;
const CALL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
/** As flowgraph.model.FlowTest.name allows. */
export const TEST_NAME_MAX = 200;

/** What is wrong with the draft's name, caller and call time; `taken`: the other tests' names
 * (results are matched by name, so two tests cannot share one). */
function callErrors(d: TestDraft, taken: readonly string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = d.name.trim();
  if (!name) errors.name = "Give the test a name.";
  else if (name.length > TEST_NAME_MAX) errors.name = `A name has at most ${TEST_NAME_MAX} characters.`;
  else if (taken.includes(name)) errors.name = "Another test of this flow has this name.";
  if (!d.caller.trim()) errors["call.caller"] = "Give the caller's number.";
  if (!CALL_TIME.test(d.at)) errors["call.at"] = "Give the call's date and time.";
  return errors;
}

/** What is wrong with a draft, by field (`name`, `call.at`, `presses.0`, `lookups.crm`,
 * `expect.targets`, ...); `taken`: the names of the flow's other tests. */
export function validateDraft(d: TestDraft, taken: readonly string[] = []): Record<string, string> {
  const errors: Record<string, string> = callErrors(d, taken);
  d.presses.forEach((p, i) => {
    if (p.kind === "none") return;
    if (!p.digits) errors[`presses.${i}`] = "Type the keys pressed, or choose “no input”.";
    else if (p.digits.includes("#")) errors[`presses.${i}`] = "Use “keys then #” for a # at the end.";
    else if (!KEYS.test(p.digits)) errors[`presses.${i}`] = "Keys are the digits 0–9 and *.";
  });
  for (const l of d.lookups) {
    if (l.kind !== "row") continue;
    const row = parseRow(l.row);
    if (row === null) errors[`lookups.${l.node}`] = "Write the row as column=value, column=value.";
    else if (!Object.keys(row).length) errors[`lookups.${l.node}`] = "A row needs at least one column=value.";
  }
  if (d.outcome === "transfer") {
    const targets = d.targets.split(",").map((t) => t.trim());
    if (!d.transfer) errors["expect.transfer"] = "Choose the transfer type.";
    if (!d.targets.trim() || targets.some((t) => !t))
      errors["expect.targets"] = "List the targets, separated by commas.";
  }
  if (d.outcome === "handoff" && !d.dialplan.trim()) errors["expect.dialplan"] = "Give the dialplan id.";
  return errors;
}

/** `test` with the draft's name, caller, call time, keys, lookup answers and expectation (the
 * dialled number, answers and any expected path, recordings or decided rules are kept). Call
 * only with a draft {@link validateDraft} accepts. */
export function testOf(test: FlowTest, d: TestDraft): FlowTest {
  const lookups: Record<string, LookupAnswer> = {};
  for (const l of d.lookups) lookups[l.node] = l.kind === "row" ? (parseRow(l.row) ?? {}) : l.kind;
  const expect: FlowTestExpect = { outcome: d.outcome };
  if (d.outcome === "transfer") {
    expect.transfer = d.transfer as FlowTestExpect["transfer"];
    expect.targets = d.targets.split(",").map((t) => t.trim());
  }
  if (d.outcome === "handoff") expect.dialplan = d.dialplan.trim();
  if (test.expect.path) expect.path = test.expect.path;
  if (test.expect.recordings) expect.recordings = test.expect.recordings;
  if (test.expect.decided) expect.decided = test.expect.decided;
  const call = { ...test.call, caller: d.caller.trim(), at: d.at.replace("T", " ") };
  return { ...test, name: d.name.trim(), call, presses: d.presses.map(pressValue), lookups, expect };
}
