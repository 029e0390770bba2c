// flow JSON <-> React Flow nodes/edges. Plain data in, plain data out: the canvas component only
// adds React. Positions come from flow.layout.positions; nodes without one get an automatic place.
import type { Flow, FlowNode, Position } from "../api/types";
import { branchLabel, declaredBranches } from "./branches";
import { layoutPositions } from "./layout";
import { NOTE_PREFIX, nodesOf, noteNodeId } from "./ops";

export interface FlowNodeData extends Record<string, unknown> {
  node: FlowNode;
  entry: boolean;
  branches: string[];
}

export interface NoteData extends Record<string, unknown> {
  noteId: string;
  text: string;
  attachedTo: string | null;
}

export interface CanvasNode {
  id: string;
  type: string;
  position: Position;
  data: FlowNodeData | NoteData;
  selected?: boolean;
}

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle: string;
  targetHandle: string;
  label: string;
  data: { branch: string };
  selected?: boolean;
}

export function edgeId(source: string, branch: string): string {
  return `${source}|${branch}`;
}

/** Split an edge id back into (source, branch). */
export function parseEdgeId(id: string): { source: string; branch: string } {
  const at = id.lastIndexOf("|");
  return { source: id.slice(0, at), branch: id.slice(at + 1) };
}

// The last automatic layout and the shape it was made for: an edit that changes no node, branch
// or wire (typing a name) reuses it, so dagre does not run at every keystroke of a big flow.
let lastLayout: { shape: string; positions: Record<string, Position> } | null = null;

function layoutShape(flow: Flow): string {
  const nodes = nodesOf(flow).map((n) => {
    const wires = Object.entries(n.branches ?? {}).map(([b, t]) => `${b}>${t}`);
    return `${n.id}:${declaredBranches(n).length}:${wires.join(",")}`;
  });
  return `${flow.entry}\n${nodes.join("\n")}`;
}

/** Where each node is drawn: its stored position, or an automatic one when it has none. */
export function resolvePositions(flow: Flow): Record<string, Position> {
  const stored = flow.layout?.positions ?? {};
  const nodes = nodesOf(flow);
  if (nodes.every((n) => stored[n.id])) return stored;
  const shape = layoutShape(flow);
  if (lastLayout?.shape !== shape) lastLayout = { shape, positions: layoutPositions(flow) };
  const auto = lastLayout.positions;
  return Object.fromEntries(nodes.map((n) => [n.id, stored[n.id] ?? auto[n.id] ?? { x: 0, y: 0 }]));
}

/** The canvas picture of a flow: one node per flow node and note, one edge per wired branch. */
export function flowToCanvas(
  flow: Flow,
  selected: ReadonlySet<string> = new Set(),
): {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
} {
  const positions = resolvePositions(flow);
  const ids = new Set(nodesOf(flow).map((n) => n.id));
  const nodes: CanvasNode[] = nodesOf(flow).map((node) => ({
    id: node.id,
    type: node.type,
    position: positions[node.id] ?? { x: 0, y: 0 },
    data: { node, entry: node.id === flow.entry, branches: declaredBranches(node) },
    selected: selected.has(node.id),
  }));
  for (const note of flow.layout?.notes ?? []) {
    const id = noteNodeId(note.id);
    nodes.push({
      id,
      type: "note",
      position: { x: note.x ?? 0, y: note.y ?? 0 },
      data: { noteId: note.id, text: note.text, attachedTo: note.node ?? null },
      selected: selected.has(id),
    });
  }
  const edges: CanvasEdge[] = [];
  for (const node of nodesOf(flow)) {
    for (const [branch, target] of Object.entries(node.branches ?? {})) {
      if (!ids.has(target)) continue; // a dangling branch: the server's check names it
      const id = edgeId(node.id, branch);
      edges.push({
        id,
        source: node.id,
        target,
        sourceHandle: branch,
        targetHandle: "in",
        label: branchLabel(branch),
        data: { branch },
        selected: selected.has(id),
      });
    }
  }
  return { nodes, edges };
}

export function isNoteId(id: string): boolean {
  return id.startsWith(NOTE_PREFIX);
}

function sameNode(a: CanvasNode, b: CanvasNode): boolean {
  return (
    a.type === b.type &&
    a.selected === b.selected &&
    a.position.x === b.position.x &&
    a.position.y === b.position.y &&
    Object.keys(b.data).every((k) => {
      const x = (a.data as Record<string, unknown>)[k];
      const y = (b.data as Record<string, unknown>)[k];
      return x === y || (Array.isArray(x) && Array.isArray(y) && x.join("\u0000") === y.join("\u0000"));
    })
  );
}

/**
 * Keep the previous canvas objects for nodes that did not change, so the canvas re-renders only
 * the nodes an edit touched (pure ops keep unchanged flow nodes by reference).
 */
export function reuseNodes<T extends CanvasNode>(prev: readonly T[], next: T[]): T[] {
  const byId = new Map(prev.map((n) => [n.id, n]));
  return next.map((n) => {
    const old = byId.get(n.id);
    return old && sameNode(old, n) ? old : n;
  });
}
