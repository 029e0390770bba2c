import { describe, expect, it } from "vitest";
import type { Flow } from "../api/types";
import { createNode } from "../nodes/defaults";
import { freeSpot, NODE_WIDTH, nodeHeight, placeAfter, READABLE_ZOOM, readableViewport } from "./layout";
import { addNode } from "./ops";

const empty = (): Flow => ({ id: "t", entry: "", nodes: [] });

type At = { x: number; y: number };
function overlaps(a: At, ah: number, b: At, bh: number): boolean {
  return a.x < b.x + NODE_WIDTH && a.x + NODE_WIDTH > b.x && a.y < b.y + bh && a.y + ah > b.y;
}

describe("placing a node added from the palette", () => {
  it("keeps the wanted spot when it is free", () => {
    const f = addNode(empty(), createNode("play", "a"), { x: 0, y: 0 });
    expect(freeSpot(f, { x: 600, y: 0 })).toEqual({ x: 600, y: 0 });
  });

  it("moves below the nodes in the way, never on top of one", () => {
    let f = empty();
    for (const [i, t] of (["menu", "transfer", "transfer"] as const).entries())
      f = addNode(f, createNode(t, `n${i}`), { x: 10 * i, y: 30 * i });
    const at = freeSpot(f, { x: 0, y: 0 });
    const heights = { n0: nodeHeight(4), n1: nodeHeight(1), n2: nodeHeight(1) };
    for (const [id, p] of Object.entries(f.layout?.positions ?? {}))
      expect(overlaps(at, nodeHeight(2), p, heights[id as keyof typeof heights])).toBe(false);
    expect(at.x).toBe(0);
    expect(at.y).toBeGreaterThan(60 + nodeHeight(1));
  });

  it("goes right of the selected node, else at the fallback", () => {
    let f = addNode(empty(), createNode("menu", "menu"), { x: 100, y: 50 });
    expect(placeAfter(f, "menu", { x: 0, y: 0 })).toEqual({ x: 100 + NODE_WIDTH + 90, y: 50 });
    f = addNode(f, createNode("transfer", "sales"), { x: 100 + NODE_WIDTH + 90, y: 50 });
    const second = placeAfter(f, "menu", { x: 0, y: 0 });
    expect(second.x).toBe(100 + NODE_WIDTH + 90);
    expect(second.y).toBeGreaterThan(50 + nodeHeight(1));
    expect(placeAfter(f, null, { x: -500, y: -500 })).toEqual({ x: -500, y: -500 });
  });
});

describe("readableViewport", () => {
  const view = { width: 900, height: 800 };
  it("shows a small flow whole and centred, never zoomed past 1", () => {
    const v = readableViewport({ x: 0, y: 0, width: 400, height: 200 }, null, view);
    expect(v.zoom).toBe(1);
    expect(v.x).toBe(250);
    expect(v.y).toBe(300);
  });

  it("starts a wide flow at its entry at a readable zoom", () => {
    const entry = { x: 0, y: 300, width: 220, height: 100 };
    const v = readableViewport({ x: 0, y: 0, width: 3000, height: 700 }, entry, view);
    expect(v.zoom).toBe(READABLE_ZOOM);
    expect(v.x).toBe(40);
    // The whole height does not fit at that zoom: the entry is centred vertically instead.
    expect(v.y).toBeCloseTo(400 - 350 * READABLE_ZOOM);
  });

  it("fits a flow that stays readable when zoomed out a little", () => {
    const v = readableViewport({ x: 0, y: 0, width: 1000, height: 300 }, null, view);
    expect(v.zoom).toBeCloseTo(820 / 1000);
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
  });
});
