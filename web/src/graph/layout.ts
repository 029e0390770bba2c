// Automatic left-to-right layout with dagre. Only positions change: layout never alters logic.
import dagre from "@dagrejs/dagre";
import type { Flow, Position } from "../api/types";
import { declaredBranches } from "./branches";
import { nodesOf } from "./ops";

export const NODE_WIDTH = 220;
const ROW_HEIGHT = 22;
const BASE_HEIGHT = 64;

/** Approximate drawn height of a node (one row per branch handle). */
export function nodeHeight(branchCount: number): number {
  return BASE_HEIGHT + branchCount * ROW_HEIGHT;
}

/** Positions (top-left corners) for every node, entry on the left, branches flowing right. */
export function layoutPositions(flow: Flow): Record<string, Position> {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const nodes = nodesOf(flow);
  const ids = new Set(nodes.map((n) => n.id));
  // Insert the entry first so equal-rank ties keep it on top, and others in document order.
  const ordered = [...nodes].sort((a, b) => Number(b.id === flow.entry) - Number(a.id === flow.entry));
  for (const n of ordered) {
    g.setNode(n.id, { width: NODE_WIDTH, height: nodeHeight(declaredBranches(n).length) });
  }
  for (const n of ordered) {
    for (const [branch, target] of Object.entries(n.branches ?? {})) {
      if (ids.has(target)) g.setEdge(n.id, target, {}, branch);
    }
  }
  dagre.layout(g);
  const out: Record<string, Position> = {};
  for (const n of nodes) {
    const box = g.node(n.id);
    out[n.id] = { x: Math.round(box.x - box.width / 2), y: Math.round(box.y - box.height / 2) };
  }
  return out;
}
