// Editor commands shared by the palette, toolbar and keyboard shortcuts, each on the store it is
// given (a component passes the one its provider holds: `useEditorStore()`).
import type { Flow, NodeType, Position } from "../api/types";
import { declaredBranches } from "../graph/branches";
import { copyNodes, parseClip, pasteClip } from "../graph/clipboard";
import { isNoteId } from "../graph/convert";
import { elkPositions, fittedPositions } from "../graph/elk";
import { freeOffset, nodeHeight, READABLE_ZOOM } from "../graph/layout";
import { addNode, addNote, connect, moveNodes, NOTE_PREFIX, nodesOf, uniqueId } from "../graph/ops";
import { createNode } from "../nodes/defaults";
import type { EditorStore } from "../store";

const CLIP_KEY = "flowgraph.clipboard";

/** Add a node of `type` at `at` (flow coordinates) and select it; with `from`, wire that branch
 * to it in the same edit (one undo step). */
export function addNodeOfType(
  store: EditorStore,
  type: NodeType,
  at: Position,
  from?: { source: string; branch: string },
): string {
  const s = store.getState();
  if (!s.flow) return "";
  const id = uniqueId(s.flow, type);
  const node = createNode(type, id);
  // Pre-fill the first recording of the catalogue so a new node starts from a real value.
  const first = s.flow.recordings?.find((r) => !r.moh);
  if (first && "recording" in node) node.recording = { type: "system", data: first.id };
  s.edit((f) => {
    const out = addNode(f, node, { x: Math.round(at.x), y: Math.round(at.y) });
    return from ? connect(out, from.source, from.branch, id) : out;
  });
  s.select([id]);
  return id;
}

/** Copy the selected nodes to the clipboard (kept in localStorage so it works across flows). */
export function copySelection(store: EditorStore): number {
  const s = store.getState();
  if (!s.flow) return 0;
  const clip = copyNodes(
    s.flow,
    [...s.selected].filter((id) => !isNoteId(id)),
  );
  if (!clip) return 0;
  localStorage.setItem(CLIP_KEY, JSON.stringify(clip));
  return clip.nodes.length;
}

/** Paste the clipboard next to where it was copied from, selecting the new nodes. */
export function paste(store: EditorStore): number {
  const s = store.getState();
  const clip = parseClip(localStorage.getItem(CLIP_KEY));
  if (!s.flow || !clip) return 0;
  let ids: string[] = [];
  s.edit((f) => {
    const group = clip.nodes.map((n) => ({
      ...(clip.positions[n.id] ?? { x: 0, y: 0 }),
      h: nodeHeight(declaredBranches(n).length),
    }));
    const out = pasteClip(f, clip, freeOffset(f, group));
    ids = out.ids;
    return out.flow;
  });
  s.select(ids);
  return ids.length;
}

export function selectAll(store: EditorStore): void {
  const s = store.getState();
  if (s.flow) s.select(nodesOf(s.flow).map((n) => n.id));
}

/** Lay the whole flow out left to right with ELK (positions only; one undo step). */
export async function autoLayout(
  store: EditorStore,
  beforeMove: () => void = () => undefined,
  view?: { width: number; height: number; sizes?: Record<string, { width: number; height: number }> },
): Promise<void> {
  const flow = store.getState().flow;
  if (!flow) return;
  const positions = view
    ? await fittedPositions(
        flow,
        { width: view.width - 80, height: view.height - 80 },
        READABLE_ZOOM,
        view.sizes,
      )
    : await elkPositions(flow);
  beforeMove();
  store.getState().edit((f: Flow) => moveNodes(f, positions));
}

/** Add a sticky note, attached to the single selected node if there is one. */
export function addNoteHere(store: EditorStore, at: Position): void {
  const s = store.getState();
  const sel = [...s.selected].filter((id) => !isNoteId(id));
  const before = new Set((s.flow?.layout?.notes ?? []).map((n) => n.id));
  s.edit((f) => addNote(f, "", at, sel.length === 1 ? sel[0] : undefined));
  const added = (store.getState().flow?.layout?.notes ?? []).find((n) => !before.has(n.id));
  if (added) s.select([`${NOTE_PREFIX}${added.id}`]);
}
