import { describe, expect, it } from "vitest";
import { outcomeOf, type SimulatedCall, testFromSimulation, uniqueName, untestedEdges } from "./flowtests";

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
    expect(outcomeOf([{ event: "play", data: "1" }])).toEqual({ outcome: "hangup" });
    expect(outcomeOf([{ event: "handoff", dialplan_id: "777" }])).toEqual({
      outcome: "handoff",
      dialplan: "777",
    });
    expect(outcomeOf([{ event: "failover", reason: "server" }])).toEqual({ outcome: "failover" });
    expect(outcomeOf([{ event: "transfer", type: "agent", targets: ["05"], answered: true }])).toEqual({
      outcome: "transfer",
      transfer: "agent",
      targets: ["05"],
    });
  });

  it("keeps only the presses and answers the call used, and the flow test time format", () => {
    const events = [
      { event: "prompt", data: "2", pressed: "2" },
      { event: "transfer", type: "number", targets: ["1"], answered: false },
      { event: "transfer", type: "number", targets: ["2"], answered: true },
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
