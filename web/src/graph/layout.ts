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

/** Space kept clear around a node when a new one is placed automatically. */
const GAP = 40;

function boxes(flow: Flow): { x: number; y: number; w: number; h: number }[] {
  const positions = flow.layout?.positions ?? {};
  return nodesOf(flow).flatMap((n) => {
    const p = positions[n.id];
    return p ? [{ x: p.x, y: p.y, w: NODE_WIDTH, h: nodeHeight(declaredBranches(n).length) }] : [];
  });
}

/**
 * The nearest place at or below `want` where a new node of `height` overlaps no existing node
 * (with a small gap), so nodes added from the palette never land on top of each other.
 */
export function freeSpot(flow: Flow, want: Position, height = nodeHeight(2)): Position {
  const taken = boxes(flow);
  const at = { x: Math.round(want.x), y: Math.round(want.y) };
  for (let tries = 0; tries < 200; tries += 1) {
    const hit = taken.find(
      (b) =>
        at.x < b.x + b.w + GAP &&
        at.x + NODE_WIDTH + GAP > b.x &&
        at.y < b.y + b.h + GAP &&
        at.y + height + GAP > b.y,
    );
    if (!hit) return at;
    at.y = hit.y + hit.h + GAP;
  }
  return at;
}

/**
 * How far to move a group of boxes (a paste) so that none overlaps a node of the flow: straight
 * down below where they were copied from, in steps, so the copy lands beside the original.
 */
export function freeOffset(flow: Flow, group: readonly { x: number; y: number; h: number }[]): Position {
  const taken = boxes(flow);
  const overlaps = (dx: number, dy: number) =>
    group.some((g) =>
      taken.some(
        (b) =>
          g.x + dx < b.x + b.w + GAP &&
          g.x + dx + NODE_WIDTH + GAP > b.x &&
          g.y + dy < b.y + b.h + GAP &&
          g.y + dy + g.h + GAP > b.y,
      ),
    );
  for (let step = 1; step < 400; step += 1) {
    const dy = step * GAP;
    if (!overlaps(GAP, dy)) return { x: GAP, y: dy };
  }
  return { x: GAP, y: GAP };
}

/** Where a node added from the palette goes: right of `after` (the node being worked on), else `fallback`. */
export function placeAfter(
  flow: Flow,
  after: string | null,
  fallback: Position,
  height?: number,
  dy = 0,
): Position {
  const p = after ? flow.layout?.positions?.[after] : undefined;
  const want = p ? { x: p.x + NODE_WIDTH + 90, y: p.y + dy } : fallback;
  return freeSpot(flow, want, height);
}

/** Below this zoom node labels are too small to read; a bigger flow starts at its entry instead. */
export const READABLE_ZOOM = 0.75;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The viewport (React Flow's x, y, zoom) that shows a flow: the whole of it when that still
 * leaves labels readable (never zooming past 1), otherwise readable zoom with the entry node at
 * the left edge, so a new user sees where calls start and pans from there.
 */
export function readableViewport(
  bounds: Box,
  entry: Box | null,
  view: { width: number; height: number },
  pad = 40,
): { x: number; y: number; zoom: number } {
  const fit = Math.min(
    1,
    (view.width - 2 * pad) / Math.max(bounds.width, 1),
    (view.height - 2 * pad) / Math.max(bounds.height, 1),
  );
  const centre = (zoom: number, b: Box, axis: "x" | "y") => {
    const [size, pos, len] = axis === "x" ? [view.width, b.x, b.width] : [view.height, b.y, b.height];
    return size / 2 - (pos + len / 2) * zoom;
  };
  if (fit >= READABLE_ZOOM || !entry) {
    const zoom = Math.max(fit, 0.05);
    return { x: centre(zoom, bounds, "x"), y: centre(zoom, bounds, "y"), zoom };
  }
  const zoom = READABLE_ZOOM;
  const fitsTall = bounds.height * zoom <= view.height - 2 * pad;
  return {
    x: pad - entry.x * zoom,
    y: fitsTall ? centre(zoom, bounds, "y") : centre(zoom, entry, "y"),
    zoom,
  };
}
