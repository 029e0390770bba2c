// Copy/paste of a selection as data. A clip holds the nodes and their relative positions; pasting
// gives every node a fresh id, rewires branches among the pasted nodes, and keeps branches to nodes
// outside the clip only when the destination flow has them (so pasting into another flow is safe).
import type { Flow, FlowNode, Position } from "../api/types";
import { addNode, nodesOf, uniqueId } from "./ops";

export interface Clip {
  kind: "flowgraph-clip";
  nodes: FlowNode[];
  positions: Record<string, Position>;
}

/** The selected nodes (and their positions) as a clip. */
export function copyNodes(flow: Flow, ids: Iterable<string>): Clip | null {
  const wanted = new Set(ids);
  const nodes = nodesOf(flow).filter((n) => wanted.has(n.id));
  if (!nodes.length) return null;
  const all = flow.layout?.positions ?? {};
  const positions = Object.fromEntries(nodes.map((n) => [n.id, all[n.id] ?? { x: 0, y: 0 }]));
  return { kind: "flowgraph-clip", nodes: structuredClone(nodes), positions };
}

/** Paste a clip, offset by `offset`; returns the new flow and the new node ids. */
export function pasteClip(flow: Flow, clip: Clip, offset: Position): { flow: Flow; ids: string[] } {
  const fresh = new Map<string, string>();
  const taken = new Set<string>();
  for (const n of clip.nodes) {
    const id = uniqueId(flow, n.id, taken);
    taken.add(id);
    fresh.set(n.id, id);
  }
  const existing = new Set(nodesOf(flow).map((n) => n.id));
  let out = flow;
  for (const n of clip.nodes) {
    const branches: Record<string, string> = {};
    for (const [b, t] of Object.entries(n.branches ?? {})) {
      const target = fresh.get(t) ?? (existing.has(t) ? t : undefined);
      if (target) branches[b] = target;
    }
    const id = fresh.get(n.id) ?? n.id;
    const p = clip.positions[n.id] ?? { x: 0, y: 0 };
    out = addNode(out, { ...n, id, branches } as FlowNode, { x: p.x + offset.x, y: p.y + offset.y });
  }
  return { flow: out, ids: [...fresh.values()] };
}

/** Parse a clip from text (localStorage or the system clipboard); null when it is not one. */
export function parseClip(text: string | null): Clip | null {
  if (!text) return null;
  try {
    const data = JSON.parse(text) as Partial<Clip>;
    return data.kind === "flowgraph-clip" && Array.isArray(data.nodes) ? (data as Clip) : null;
  } catch {
    return null;
  }
}
