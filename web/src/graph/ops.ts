// Pure edits of a flow document: each takes a flow and returns a new one (never mutates), so the
// store can keep history for undo/redo and the same edits are unit-testable without React.
import type { Flow, FlowNode, Note, Position } from "../api/types";
import { declaredBranches } from "./branches";

const ID_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** Nodes of a flow (the schema makes the list optional). */
export function nodesOf(flow: Flow): FlowNode[] {
  return flow.nodes ?? [];
}

/** A node id not used in the flow, derived from `base` (menu, menu_2, menu_3, ...). */
export function uniqueId(flow: Flow, base: string, taken: Set<string> = new Set()): string {
  const used = new Set([...nodesOf(flow).map((n) => n.id), ...taken]);
  const clean =
    base
      .replace(/[^A-Za-z0-9_-]/g, "_")
      .replace(/^([^A-Za-z_])/, "n_$1")
      .slice(0, 56) || "node";
  if (!used.has(clean)) return clean;
  for (let i = 2; ; i += 1) {
    const candidate = `${clean}_${i}`;
    if (!used.has(candidate)) return candidate;
  }
}

/** An id made from a name an admin typed: "Business hours" -> "business_hours". */
export function idFromName(name: string): string {
  const id = name
    .trim()
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
  return /^[0-9-]/.test(id) ? `flow_${id}`.slice(0, 64) : id;
}

export function isValidId(id: string): boolean {
  return ID_RE.test(id);
}

function withPositions(flow: Flow, positions: Record<string, Position>): Flow {
  const layout = flow.layout ?? {};
  return { ...flow, layout: { ...layout, positions } };
}

/** Add a node at a canvas position; the first node of an empty flow becomes its entry. */
export function addNode(flow: Flow, node: FlowNode, at: Position): Flow {
  const nodes = [...nodesOf(flow), node];
  const positions = { ...(flow.layout?.positions ?? {}), [node.id]: { x: at.x, y: at.y } };
  const entry = flow.entry && nodesOf(flow).some((n) => n.id === flow.entry) ? flow.entry : node.id;
  return withPositions({ ...flow, nodes, entry }, positions);
}

/** Replace one node by id with `patch` applied (the id itself is changed by renameNode). */
export function updateNode(flow: Flow, id: string, patch: Partial<FlowNode>): Flow {
  const nodes = nodesOf(flow).map((n) => (n.id === id ? ({ ...n, ...patch, id } as FlowNode) : n));
  return pruneBranches({ ...flow, nodes }, id);
}

/** Drop wired branches a node no longer declares (a menu option removed, a case renamed). */
function pruneBranches(flow: Flow, id: string): Flow {
  const nodes = nodesOf(flow).map((n) => {
    if (n.id !== id || !n.branches) return n;
    const allowed = new Set(declaredBranches(n));
    const kept = Object.fromEntries(Object.entries(n.branches).filter(([b]) => allowed.has(b)));
    return Object.keys(kept).length === Object.keys(n.branches).length ? n : { ...n, branches: kept };
  });
  return { ...flow, nodes };
}

/** Remove nodes, every branch wired to them, their positions and the notes attached to them. */
export function removeNodes(flow: Flow, ids: Iterable<string>): Flow {
  const gone = new Set(ids);
  const nodes = nodesOf(flow)
    .filter((n) => !gone.has(n.id))
    .map((n) => {
      const branches = Object.fromEntries(Object.entries(n.branches ?? {}).filter(([, t]) => !gone.has(t)));
      return { ...n, branches };
    });
  const positions = Object.fromEntries(
    Object.entries(flow.layout?.positions ?? {}).filter(([id]) => !gone.has(id)),
  );
  const notes = (flow.layout?.notes ?? []).filter((note) => !gone.has(note.id) && !gone.has(note.node ?? ""));
  const entry = gone.has(flow.entry) ? (nodes[0]?.id ?? "") : flow.entry;
  return { ...flow, entry, nodes, layout: { ...(flow.layout ?? {}), positions, notes } };
}

/** Wire `source`'s `branch` to `target` (replacing what the branch pointed at before). */
export function connect(flow: Flow, source: string, branch: string, target: string): Flow {
  const nodes = nodesOf(flow).map((n) =>
    n.id === source ? { ...n, branches: { ...(n.branches ?? {}), [branch]: target } } : n,
  );
  return { ...flow, nodes };
}

/** Unwire one branch. */
export function disconnect(flow: Flow, source: string, branch: string): Flow {
  const nodes = nodesOf(flow).map((n) => {
    if (n.id !== source || !n.branches || !(branch in n.branches)) return n;
    const { [branch]: _gone, ...rest } = n.branches;
    return { ...n, branches: rest };
  });
  return { ...flow, nodes };
}

/** Rename a node id everywhere it is referenced (branches, entry, layout, notes). */
export function renameNode(flow: Flow, from: string, to: string): Flow {
  if (from === to) return flow;
  const swap = (id: string) => (id === from ? to : id);
  const nodes = nodesOf(flow).map((n) => ({
    ...n,
    id: swap(n.id),
    branches: Object.fromEntries(Object.entries(n.branches ?? {}).map(([b, t]) => [b, swap(t)])),
  })) as FlowNode[];
  const positions = Object.fromEntries(
    Object.entries(flow.layout?.positions ?? {}).map(([id, p]) => [swap(id), p]),
  );
  const notes = (flow.layout?.notes ?? []).map((n) => (n.node === from ? { ...n, node: to } : n));
  return { ...flow, entry: swap(flow.entry), nodes, layout: { ...(flow.layout ?? {}), positions, notes } };
}

/** Store new canvas positions (layout only: never changes what the flow does). */
export function moveNodes(flow: Flow, moved: Record<string, Position>): Flow {
  const positions = { ...(flow.layout?.positions ?? {}) };
  const notes = (flow.layout?.notes ?? []).map((n) => {
    const p = moved[noteNodeId(n.id)];
    return p ? { ...n, x: p.x, y: p.y } : n;
  });
  for (const [id, p] of Object.entries(moved)) {
    if (!id.startsWith(NOTE_PREFIX)) positions[id] = { x: Math.round(p.x), y: Math.round(p.y) };
  }
  return { ...flow, layout: { ...(flow.layout ?? {}), positions, notes } };
}

export const NOTE_PREFIX = "note:";

/** Canvas id of a sticky note (notes live in flow.layout.notes, not among the nodes). */
export function noteNodeId(noteId: string): string {
  return `${NOTE_PREFIX}${noteId}`;
}

/** Add a sticky note, optionally attached to a node. */
export function addNote(flow: Flow, text: string, at: Position, node?: string): Flow {
  const taken = new Set((flow.layout?.notes ?? []).map((n) => n.id));
  let i = taken.size + 1;
  while (taken.has(`n${i}`)) i += 1;
  const note: Note = { id: `n${i}`, text, x: at.x, y: at.y, ...(node ? { node } : {}) };
  return { ...flow, layout: { ...(flow.layout ?? {}), notes: [...(flow.layout?.notes ?? []), note] } };
}

export function updateNote(flow: Flow, id: string, text: string): Flow {
  const notes = (flow.layout?.notes ?? []).map((n) => (n.id === id ? { ...n, text } : n));
  return { ...flow, layout: { ...(flow.layout ?? {}), notes } };
}

export function removeNotes(flow: Flow, ids: Iterable<string>): Flow {
  const gone = new Set(ids);
  const notes = (flow.layout?.notes ?? []).filter((n) => !gone.has(n.id));
  return { ...flow, layout: { ...(flow.layout ?? {}), notes } };
}

export function setEntry(flow: Flow, id: string): Flow {
  return { ...flow, entry: id };
}

/** Set the portal dialplan id of one step (flow.settings.deployment.dialplan_ids). */
export function setDialplanId(flow: Flow, step: string, value: string): Flow {
  const settings = flow.settings ?? {};
  const deployment = settings.deployment ?? {};
  const ids = { ...(deployment.dialplan_ids ?? {}) };
  if (value.trim()) ids[step] = value.trim();
  else delete ids[step];
  return { ...flow, settings: { ...settings, deployment: { ...deployment, dialplan_ids: ids } } };
}
