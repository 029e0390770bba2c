import { describe, expect, it } from "vitest";
import { ev } from "./events.fixture";
import {
  draftOf,
  type FlowTest,
  outcomeOf,
  pressDraft,
  pressValue,
  replaceTest,
  type SimulatedCall,
  testFromSimulation,
  testOf,
  uniqueName,
  untestedEdges,
  validateDraft,
} from "./flowtests";

const call: SimulatedCall = {
  caller: "9812345678",
  dialled: "9000000000",
  start: "2026-01-05T10:00",
  presses: ["2", "9"],
  answers: [false, true, true],
  lookups: { crm: "not_found" },
};

describe("flow tests from the simulator", () => {
  it("reads the outcome from the last event", () => {
    expect(outcomeOf([ev.play("1")])).toEqual({ outcome: "hangup" });
    expect(outcomeOf([ev.handoff("777")])).toEqual({
      outcome: "handoff",
      dialplan: "777",
    });
    expect(outcomeOf([ev.failover("server")])).toEqual({ outcome: "failover" });
    expect(outcomeOf([ev.transfer("agent", ["05"], true)])).toEqual({
      outcome: "transfer",
      transfer: "agent",
      targets: ["05"],
    });
  });

  it("keeps only the presses and answers the call used, and the flow test time format", () => {
    const events = [
      ev.prompt("2", "2"),
      ev.transfer("number", ["1"], false),
      ev.transfer("number", ["2"], true),
    ];
    const test = testFromSimulation(call, events, []);
    expect(test.call).toEqual({ caller: "9812345678", dialled: "9000000000", at: "2026-01-05 10:00" });
    expect(test.presses).toEqual(["2"]);
    expect(test.answers).toEqual([false, true]);
    expect(test.lookups).toEqual({ crm: "not_found" });
    expect(test.expect).toEqual({ outcome: "transfer", transfer: "number", targets: ["2"] });
    expect(test.name).toBe("9812345678 presses 2, 1 transfer(s) unanswered → transfer to number 2");
  });

  it("never repeats a test name", () => {
    expect(uniqueName("a", ["b"])).toBe("a");
    expect(uniqueName("a", ["a", "a (2)"])).toBe("a (3)");
  });

  it("keys untested branches like canvas edges", () => {
    expect([...untestedEdges([{ node: "menu", branch: "no_input" }])]).toEqual(["menu|no_input"]);
  });
});

const saved: FlowTest = {
  name: "own agent",
  call: { caller: "9812345678", dialled: "9000000000", at: "2026-01-05 10:00" },
  presses: ["1", "12#", null],
  answers: [true],
  lookups: { crm: { agent: "05000001" } },
  expect: { outcome: "transfer", transfer: "agent", targets: ["05000001"], path: ["a", "b"] },
};

describe("editing a saved test", () => {
  it("reads each prompt as keys, keys then #, or no input, and writes it back", () => {
    expect(["1", "12#", null, ""].map(pressDraft)).toEqual([
      { kind: "digits", digits: "1" },
      { kind: "hash", digits: "12" },
      { kind: "none", digits: "" },
      { kind: "none", digits: "" },
    ]);
    expect(pressValue({ kind: "hash", digits: "45" })).toBe("45#");
    expect(pressValue({ kind: "none", digits: "9" })).toBeNull();
  });

  it("round-trips a test through its draft, and lists every HTTP lookup", () => {
    const draft = draftOf(saved, ["crm", "billing"]);
    expect(draft.lookups).toEqual([
      { node: "crm", kind: "row", row: "agent=05000001" },
      { node: "billing", kind: "not_found", row: "" },
    ]);
    expect(validateDraft(draft)).toEqual({});
    const back = testOf(saved, draft);
    expect(back.presses).toEqual(saved.presses);
    expect(back.expect).toEqual(saved.expect);
    expect(back.lookups).toEqual({ crm: { agent: "05000001" }, billing: "not_found" });
  });

  it("changes keys, lookup answers and expectation", () => {
    const draft = draftOf(saved, ["crm"]);
    draft.presses = [
      { kind: "hash", digits: "2" },
      { kind: "none", digits: "" },
    ];
    draft.lookups = [{ node: "crm", kind: "timeout", row: "" }];
    draft.outcome = "failover";
    const changed = testOf(saved, draft);
    expect(changed.presses).toEqual(["2#", null]);
    expect(changed.lookups).toEqual({ crm: "timeout" });
    expect(changed.expect).toEqual({ outcome: "failover", path: ["a", "b"] });
    expect(changed.name).toBe("own agent");
    const flow = replaceTest({ tests: [saved, saved] }, 1, changed);
    expect(flow.tests?.[0]).toBe(saved);
    expect(flow.tests?.[1]).toBe(changed);
  });

  it("renames the test and changes its caller and call time, keeping the dialled number", () => {
    const draft = draftOf(saved, ["crm"]);
    expect([draft.name, draft.caller, draft.at]).toEqual([
      "own agent",
      saved.call.caller,
      "2026-01-05T10:00",
    ]);
    const changed = testOf(saved, {
      ...draft,
      name: "  presses 1 → agent  ",
      caller: "9000022222",
      at: "2026-01-26T10:30",
    });
    expect(changed.name).toBe("presses 1 → agent");
    expect(changed.call).toEqual({ ...saved.call, caller: "9000022222", at: "2026-01-26 10:30" });
  });

  it("keeps the rules a test expects decided", () => {
    const withDecided = { ...saved, expect: { ...saved.expect, decided: ["hours: outside hours"] } };
    expect(testOf(withDecided, draftOf(withDecided, [])).expect.decided).toEqual(["hours: outside hours"]);
  });

  it("refuses an empty, too long or taken name, an empty caller and a missing call time", () => {
    const draft = draftOf(saved, ["crm"]);
    expect(validateDraft({ ...draft, name: " ", caller: "", at: "2026-01-26" })).toEqual({
      name: "Give the test a name.",
      "call.caller": "Give the caller's number.",
      "call.at": "Give the call's date and time.",
    });
    expect(validateDraft({ ...draft, name: "x".repeat(201) })).toEqual({
      name: "A name has at most 200 characters.",
    });
    expect(validateDraft({ ...draft, name: "other " }, ["other"])).toEqual({
      name: "Another test of this flow has this name.",
    });
    expect(validateDraft(draft, ["other"])).toEqual({});
  });

  it("names each problem by its field", () => {
    const draft = draftOf(saved, ["crm"]);
    draft.presses = [
      { kind: "digits", digits: "" },
      { kind: "digits", digits: "1#" },
      { kind: "hash", digits: "1a" },
    ];
    draft.lookups = [{ node: "crm", kind: "row", row: "agent" }];
    draft.targets = "05000001, ";
    expect(validateDraft(draft)).toEqual({
      "presses.0": "Type the keys pressed, or choose “no input”.",
      "presses.1": "Use “keys then #” for a # at the end.",
      "presses.2": "Keys are the digits 0–9 and *.",
      "lookups.crm": "Write the row as column=value, column=value.",
      "expect.targets": "List the targets, separated by commas.",
    });
    expect(validateDraft({ ...draft, presses: [], lookups: [], outcome: "handoff", dialplan: " " })).toEqual({
      "expect.dialplan": "Give the dialplan id.",
    });
  });
});
