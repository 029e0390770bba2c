// The drawing surface: React Flow over the store. Edits become pure ops on the flow document;
// positions are committed when a drag ends (layout only), selection lives in the store.
import {
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  MiniMap,
  type Node,
  type NodeChange,
  ReactFlow,
  type ReactFlowInstance,
  useNodesInitialized,
  useReactFlow,
  useStore,
} from "@xyflow/react";
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { NodeType } from "../api/types";
import { type CanvasNode, flowToCanvas, isNoteId, parseEdgeId, reuseNodes } from "../graph/convert";
import { worst } from "../graph/diagnostics";
import { NODE_WIDTH, nodeHeight, readableViewport } from "../graph/layout";
import { connect, disconnect, moveNodes, NOTE_PREFIX, removeNodes, removeNotes } from "../graph/ops";
import type { Rect } from "../graph/route";
import { NODE_DEFAULTS } from "../nodes/defaults";
import { CANVAS_NODES } from "../nodes/registry";
import { useUntested } from "../nodes/shared/untested";
import { type EditorStore, useEditor, useEditorStore } from "../store";
import { addNodeOfType } from "./actions";
import { EDGE_TYPES, ObstacleContext } from "./RoutedEdge";

export const DRAG_TYPE = "application/flowgraph-node";
/** Flows bigger than this draw only what is in view (a small flow is drawn whole, so every node
 * stays in the page for search, screen readers and tests). */
const VIRTUALISE_FROM = 120;

/** Below this zoom node text is unreadable: nodes are drawn as blocks (coloured by step). */
const BLOCK_ZOOM = 0.4;

/** Apply React Flow's selection changes (nodes or edges) to the store's selection. */
function applySelection(store: EditorStore, changes: (NodeChange | EdgeChange)[]): void {
  const s = store.getState();
  const next = new Set(s.selected);
  for (const c of changes) {
    if (c.type !== "select") continue;
    if (c.selected) next.add(c.id);
    else next.delete(c.id);
  }
  if (next.size !== s.selected.size || [...next].some((id) => !s.selected.has(id))) s.select(next);
}

/** Edges into one node arrive in side-by-side lanes (ordered by where they come from); edges
 * from one node to the same target share a lane and one label ("no input, invalid"). */
function lanesAndLabels(
  edges: ReturnType<typeof flowToCanvas>["edges"],
  y: (id: string) => number,
): Map<string, { lane: number; label: string }> {
  const byTarget = new Map<string, typeof edges>();
  for (const e of edges) byTarget.set(e.target, [...(byTarget.get(e.target) ?? []), e]);
  const out = new Map<string, { lane: number; label: string }>();
  for (const list of byTarget.values()) {
    const sources = [...new Set(list.map((e) => e.source))].sort((a, b) => y(a) - y(b));
    for (const source of sources) {
      const mine = list.filter((e) => e.source === source);
      const words = mine.map((e) => e.label).filter((l) => l !== "next");
      mine.forEach((e, i) => {
        out.set(e.id, { lane: sources.indexOf(source), label: i === 0 ? words.join(", ") : "" });
      });
    }
  }
  return out;
}

function useCanvasEdges(edges: ReturnType<typeof flowToCanvas>["edges"]): Edge[] {
  const index = useEditor((s) => s.index);
  const lit = useEditor((s) => s.litEdges);
  const positions = useEditor((s) => s.flow?.layout?.positions);
  const untested = useUntested();
  const previous = useRef<Map<string, Edge>>(new Map());
  const built = useMemo(() => {
    const litSet = new Set(lit);
    const lanes = lanesAndLabels(edges, (id) => positions?.[id]?.y ?? 0);
    return edges.map((e) => {
      const level = worst(index.byEdge.get(e.id));
      const classes = [
        level ? `edge-${level}` : "",
        litSet.has(e.id) ? "edge-lit" : "",
        untested?.has(e.id) ? "edge-untested" : "",
      ].filter(Boolean);
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: e.sourceHandle,
        targetHandle: e.targetHandle,
        selected: e.selected,
        ariaLabel: `${e.source} ${e.label} to ${e.target}`,
        className: classes.join(" ") || undefined,
        animated: litSet.has(e.id),
        type: "routed",
        data: lanes.get(e.id) ?? { lane: 0, label: "" },
      };
    });
  }, [edges, index, lit, positions, untested]);
  // An edge that did not change keeps its object, so the canvas does not draw it again.
  return useMemo(() => {
    const kept = built.map((e) => {
      const old = previous.current.get(e.id);
      return old && sameEdge(old, e) ? old : e;
    });
    previous.current = new Map(kept.map((e) => [e.id, e]));
    return kept;
  }, [built]);
}

function sameEdge(a: Edge, b: Edge): boolean {
  const da = a.data as { lane: number; label: string };
  const db = b.data as { lane: number; label: string };
  return (
    a.source === b.source &&
    a.target === b.target &&
    a.sourceHandle === b.sourceHandle &&
    a.targetHandle === b.targetHandle &&
    a.selected === b.selected &&
    a.className === b.className &&
    a.animated === b.animated &&
    a.ariaLabel === b.ariaLabel &&
    da.lane === db.lane &&
    da.label === db.label
  );
}

// A fit of the view asked for by a command (auto-layout) waits until the canvas has drawn the
// nodes that command moved: a fixed delay races the render on a busy machine.
let fitPending = false;

/** Fit the view once the next change of nodes is on the canvas (or shortly, if none comes). */
export function requestFit(fitView: () => void): void {
  fitPending = true;
  // Only a command that moved nothing ends here; on a busy machine a short fallback fired
  // before the moved nodes were drawn and fitted the old bounds.
  window.setTimeout(() => {
    if (!fitPending) return;
    fitPending = false;
    fitView();
  }, 2000);
}

/** Show the flow: all of it if labels stay readable, else readable zoom starting at the entry. */
export function showFlow(store: EditorStore, rf: ReactFlowInstance): void {
  const nodes = rf.getNodes();
  const el = document.querySelector(".fg-canvas");
  if (!nodes.length || !el) return;
  const entryId = store.getState().flow?.entry;
  const e = entryId ? rf.getNode(entryId) : undefined;
  const entry = e
    ? {
        x: e.position.x,
        y: e.position.y,
        width: e.measured?.width ?? NODE_WIDTH,
        height: e.measured?.height ?? nodeHeight(2),
      }
    : null;
  const view = { width: el.clientWidth, height: el.clientHeight };
  void rf.setViewport(readableViewport(rf.getNodesBounds(nodes), entry, view));
}

export function Canvas() {
  const store = useEditorStore();
  const flow = useEditor((s) => s.flow);
  const selected = useEditor((s) => s.selected);
  const focus = useEditor((s) => s.focus);
  const rf = useReactFlow();
  const far = useStore((st) => st.transform[2] < BLOCK_ZOOM);
  const base = useMemo(
    () => (flow ? flowToCanvas(flow, selected) : { nodes: [], edges: [] }),
    [flow, selected],
  );
  const [nodes, setNodes] = useState<CanvasNode[]>(base.nodes);
  const edges = useCanvasEdges(base.edges);
  const obstacles = useObstacles(nodes);
  const prevNodes = useRef<CanvasNode[]>([]);

  useEffect(() => {
    const next = reuseNodes(prevNodes.current, base.nodes);
    prevNodes.current = next;
    setNodes(next);
  }, [base.nodes]);

  useEffect(() => {
    // Child effects (React Flow's store sync) have run by now; fit on the next frame.
    if (!fitPending || !nodes.length) return;
    fitPending = false;
    // Two frames: React Flow measures the moved nodes in the first.
    requestAnimationFrame(() => requestAnimationFrame(() => showFlow(store, rf)));
  }, [store, nodes, rf]);

  // The first view of an opened flow, once React Flow has measured its nodes.
  const measured = useNodesInitialized();
  const shown = useRef(false);
  // "settled": the first view is set and no view animation runs, so a click lands where the
  // node is drawn (tests and scripts wait on data-view-settled, never on time).
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    if (!measured || shown.current) return;
    shown.current = true;
    showFlow(store, rf);
    requestAnimationFrame(() => setSettled(true));
  }, [store, measured, rf]);

  useEffect(() => {
    if (!focus) return;
    // A node added a moment ago may not be on the canvas yet: its stored position will do.
    const n = rf.getNode(focus.id);
    const at = n?.position ?? store.getState().flow?.layout?.positions?.[focus.id];
    if (!at) return;
    const h = n?.measured?.height ?? nodeHeight(2);
    setSettled(false);
    void rf
      .setCenter(at.x + NODE_WIDTH / 2, at.y + h / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 250 })
      .then(() => requestAnimationFrame(() => setSettled(true)));
  }, [store, focus, rf]);

  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      // Removal goes through onDelete (one undo step); selection lives in the store.
      applySelection(store, changes);
      const local = changes.filter((c) => c.type !== "remove" && c.type !== "select");
      if (local.length) setNodes((ns) => applyNodeChanges(local, ns as Node[]) as CanvasNode[]);
    },
    [store],
  );
  const onEdgesChange = useCallback((changes: EdgeChange[]) => applySelection(store, changes), [store]);

  const onNodeDragStop = useCallback(
    (_: unknown, __: Node, moved: Node[]) => {
      const positions = Object.fromEntries(moved.map((n) => [n.id, n.position]));
      store.getState().edit((f) => moveNodes(f, positions));
    },
    [store],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.sourceHandle || !c.target) return;
      const handle = c.sourceHandle;
      store.getState().edit((f) => connect(f, c.source, handle, c.target));
    },
    [store],
  );

  const onDelete = useCallback(
    ({ nodes: ns, edges: es }: { nodes: Node[]; edges: Edge[] }) => {
      const nodeIds = ns.filter((n) => !isNoteId(n.id)).map((n) => n.id);
      const noteIds = ns.filter((n) => isNoteId(n.id)).map((n) => n.id.slice(NOTE_PREFIX.length));
      store.getState().edit((f) => {
        let out = f;
        for (const e of es) {
          const { source, branch } = parseEdgeId(e.id);
          out = disconnect(out, source, branch);
        }
        if (nodeIds.length) out = removeNodes(out, nodeIds);
        return noteIds.length ? removeNotes(out, noteIds) : out;
      });
    },
    [store],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_TYPE) as NodeType;
      if (!type || !(type in NODE_DEFAULTS)) return;
      e.preventDefault();
      addNodeOfType(store, type, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
    },
    [store, rf],
  );

  return (
    <ObstacleContext.Provider value={obstacles}>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: drop target for palette drags; the palette buttons are the keyboard way */}
      <div
        className="fg-canvas"
        data-testid="canvas"
        data-view-settled={settled ? "true" : "false"}
        data-zoomed-out={far ? "true" : "false"}
        onDragOver={(e) => e.preventDefault()}
        onDrop={onDrop}
      >
        <ReactFlow
          nodes={nodes as Node[]}
          edges={edges}
          nodeTypes={CANVAS_NODES}
          edgeTypes={EDGE_TYPES}
          onlyRenderVisibleElements={nodes.length > VIRTUALISE_FROM}
          onNodesChange={onNodesChange}
          onNodeDragStop={onNodeDragStop}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onDelete={onDelete}
          deleteKeyCode={["Delete", "Backspace"]}
          multiSelectionKeyCode={["Shift", "Meta", "Control"]}
          selectionOnDrag={false}
          minZoom={0.05}
          maxZoom={2}
        >
          <Background gap={24} />
          <Controls />
          <MiniMap pannable zoomable ariaLabel="Minimap" nodeColor={(n) => miniColour(n.type)} />
        </ReactFlow>
      </div>
    </ObstacleContext.Provider>
  );
}

/** The boxes of the flow nodes (notes may be crossed), as drawn: measured size when known. */
function useObstacles(nodes: CanvasNode[]): Rect[] {
  // The same boxes as before (an edit that moved and resized nothing, such as typing a name) keep
  // the same array, so no edge routes itself again: on a 200-node flow that is most of a keystroke.
  const previous = useRef<Rect[]>([]);
  return useMemo(() => {
    const next = nodes
      .filter((n) => !isNoteId(n.id))
      .map((n) => {
        const m = (n as Node).measured;
        const branches = (n.data as { branches?: string[] }).branches?.length ?? 1;
        return {
          x: n.position.x,
          y: n.position.y,
          w: m?.width ?? NODE_WIDTH,
          h: m?.height ?? nodeHeight(branches),
        };
      });
    if (sameRects(previous.current, next)) return previous.current;
    previous.current = next;
    return next;
  }, [nodes]);
}

function sameRects(a: readonly Rect[], b: readonly Rect[]): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => {
      const o = b[i] as Rect;
      return r.x === o.x && r.y === o.y && r.w === o.w && r.h === o.h;
    })
  );
}

function miniColour(type: string | undefined): string {
  return type && type in NODE_DEFAULTS ? NODE_DEFAULTS[type as NodeType].meta.colour : "#f5e663";
}
