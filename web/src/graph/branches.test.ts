import { describe, expect, it } from "vitest";
import type { FlowNode } from "../api/types";
import { createNode } from "../nodes/defaults";
import { declaredBranches, isOptional } from "./branches";
import { NODE_SPECS, NODE_TYPES } from "./specs.gen";

describe("declaredBranches (from the generated specs)", () => {
  it("reads branch names from the node's fields, then the fixed ones", () => {
    const menu = { ...createNode("menu", "m"), options: ["1", "2"] } as FlowNode;
    expect(declaredBranches(menu)).toEqual(["1", "2", "no_input", "invalid"]);
    const sw = createNode("switch", "s");
    expect(declaredBranches(sw)).toEqual(["office_hours", "default"]);
    expect(declaredBranches(createNode("play", "p"))).toEqual(["next"]);
    expect(declaredBranches(createNode("hangup", "h"))).toEqual([]);
    expect(declaredBranches(createNode("transfer", "t"))).toEqual(["no_answer"]);
    const split = {
      ...createNode("split", "ab"),
      arms: [
        { branch: "old", share: 70 },
        { branch: "new", share: 30 },
      ],
    };
    expect(declaredBranches(split as FlowNode)).toEqual(["old", "new"]);
  });

  it("declares a lookup's error branch only for an HTTP source", () => {
    const table = createNode("lookup", "l") as Extract<FlowNode, { type: "lookup" }>;
    expect(declaredBranches({ ...table, source: { kind: "table", table: "t" } })).toEqual([
      "found",
      "not_found",
    ]);
    expect(declaredBranches({ ...table, source: { kind: "http", url: "https://x" } })).toEqual([
      "found",
      "not_found",
      "error",
    ]);
  });

  it("marks a transfer's no_answer optional, nothing else", () => {
    const t = createNode("transfer", "t");
    expect(isOptional(t, "no_answer")).toBe(true);
    expect(isOptional(createNode("play", "p"), "next")).toBe(false);
  });

  it("has a spec and a default node for every node type, and refuses an unknown one", () => {
    for (const type of NODE_TYPES) {
      expect(NODE_SPECS[type]).toBeDefined();
      expect(createNode(type, "x").type).toBe(type);
    }
    const odd = { id: "x", type: "teleport", branches: {} } as unknown as FlowNode;
    expect(() => declaredBranches(odd)).toThrow(/unknown node type "teleport"/);
  });
});
