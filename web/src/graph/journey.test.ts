import { describe, expect, it } from "vitest";
import type { Flow } from "../api/types";
import { ev } from "./events.fixture";
import { eventLine, pathEdges, pathUntilMenu, promptsIn, visibleEvents, visibleExchanges } from "./journey";

const flow: Flow = {
  id: "f",
  entry: "hello",
  nodes: [
    { id: "hello", type: "play", recording: { data: "1" }, branches: { next: "menu" } },
    { id: "menu", type: "menu", recording: { data: "2" }, options: ["1", "2"], branches: { "2": "support" } },
    { id: "support", type: "transfer", transfer: "number", targets: ["9876543210"] },
  ],
};

const events = [ev.play("1"), ev.prompt("2", null), ev.transfer("number", ["9876543210"], true)];

describe("journey", () => {
  it("stops at the first prompt the caller has not answered yet", () => {
    expect(visibleEvents(events, 0)).toEqual({ shown: events.slice(0, 1), waiting: events[1] });
    expect(visibleEvents(events, 1)).toEqual({ shown: events, waiting: null });
  });

  it("cuts the path at the waiting menu and lights the edges along it", () => {
    const path = ["hello", "menu", "support"];
    expect(pathUntilMenu(flow, path, 0)).toEqual(["hello", "menu"]);
    expect(pathUntilMenu(flow, path, 1)).toEqual(path);
    expect(pathEdges(flow, path)).toEqual(["hello|next", "menu|2"]);
  });

  it("describes events in one line", () => {
    expect(events.map((e) => eventLine(e))).toEqual([
      "Plays system recording 1",
      "Prompt 2: no input",
      "Transfer to number 9876543210 (answered)",
    ]);
    const names = new Map([["2", "Press 1 for sales"]]);
    expect(eventLine(ev.prompt("2", null), names)).toBe("Prompt “Press 1 for sales” (2): no input");
  });

  // Two requests of a per-step flow: the first plays the menu prompt, the second answers the key.
  const prompt =
    '[[{"recording":{"type":"system","data":2,"dtmf":{"timeout":5000}}}],[{"api_dialplan":{"data":"x"}}]]';
  const exchanges = [
    { response: prompt },
    { response: '[{"transfer":{"type":"number","data":["9876543210"]}}]' },
  ];

  it("counts the prompts one platform answer plays", () => {
    expect(promptsIn(prompt)).toBe(1);
    expect(promptsIn('[{"recording":{"type":"system","data":1}}]')).toBe(0);
    expect(promptsIn("not json")).toBe(0);
  });

  it("hides the requests after the prompt the caller has not answered yet", () => {
    expect(visibleExchanges(exchanges, 0, true)).toEqual(exchanges.slice(0, 1));
    expect(visibleExchanges(exchanges, 1, false)).toEqual(exchanges);
    expect(visibleExchanges(exchanges, 0, false)).toEqual(exchanges);
  });
});
