// Auto-layout with ELK's layered algorithm: entry on the left, each node's branch ports in their
// drawn order (FIXED_POS), so a menu's options leave in order and cross less. Long flows wrap
// into rows, so a fit of a 300-node flow is a block, not a thin staircase. Positions only.
import type { ElkNode } from "elkjs/lib/elk.bundled.js";
import type { Flow, Position } from "../api/types";
import { declaredBranches } from "./branches";
import { NODE_WIDTH, nodeHeight } from "./layout";
import { nodesOf } from "./ops";

// ELK is large: it is loaded on the first auto-layout, not with the editor.
let elk: Promise<{ layout(g: ElkNode): Promise<ElkNode> }> | null = null;
/** Above this many nodes the layers wrap into rows (aspect ratio about a screen's). */
const WRAP_FROM = 40;
const ROW = 22;

export interface ElkOptions {
  /** Wrap the layers into rows of about this width/height (the canvas's), not only past WRAP_FROM. */
  aspectRatio?: number;
  /** Drawn node sizes (React Flow's measurements): estimates let tall nodes overlap. */
  sizes?: Readonly<Record<string, { width: number; height: number }>>;
}

/** The ELK graph of a flow: one port per declared branch on the east side, one input on the west. */
export function elkGraph(flow: Flow, opts: ElkOptions = {}): ElkNode {
  const nodes = nodesOf(flow);
  const ids = new Set(nodes.map((n) => n.id));
  // The entry first: ELK's model order then keeps it leftmost/topmost among equals.
  const ordered = [...nodes].sort((a, b) => Number(b.id === flow.entry) - Number(a.id === flow.entry));
  const wrap = nodes.length > WRAP_FROM || opts.aspectRatio !== undefined;
  const aspect = (opts.aspectRatio ?? 1.6).toFixed(2);
  return {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.spacing.nodeNode": "36",
      "elk.layered.spacing.nodeNodeBetweenLayers": "90",
      "elk.layered.spacing.edgeNodeBetweenLayers": "24",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
      "elk.layered.cycleBreaking.strategy": "DEPTH_FIRST",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.edgeRouting": "ORTHOGONAL",
      ...(wrap ? { "elk.layered.wrapping.strategy": "MULTI_EDGE", "elk.aspectRatio": aspect } : {}),
    },
    children: ordered.map((n) => {
      const branches = declaredBranches(n);
      const height = Math.max(nodeHeight(branches.length), opts.sizes?.[n.id]?.height ?? 0);
      return {
        id: n.id,
        width: NODE_WIDTH,
        height,
        layoutOptions: { "elk.portConstraints": "FIXED_POS" },
        ports: [
          { id: `${n.id}|in`, x: 0, y: 30, width: 1, height: 1, layoutOptions: { "elk.port.side": "WEST" } },
          ...branches.map((b, i) => ({
            id: `${n.id}|${b}`,
            x: NODE_WIDTH,
            y: height - (branches.length - i) * ROW + ROW / 2,
            width: 1,
            height: 1,
            layoutOptions: { "elk.port.side": "EAST" },
          })),
        ],
      };
    }),
    edges: ordered.flatMap((n) =>
      Object.entries(n.branches ?? {})
        .filter(([, target]) => ids.has(target))
        .map(([branch, target]) => ({
          id: `${n.id}|${branch}`,
          sources: [`${n.id}|${branch}`],
          targets: [`${target}|in`],
        })),
    ),
  };
}

/** Top-left positions for every node of the flow, and the laid-out size. */
export async function elkLayout(
  flow: Flow,
  opts: ElkOptions = {},
): Promise<{ positions: Record<string, Position>; width: number; height: number }> {
  elk ??= import("elkjs/lib/elk.bundled.js").then((m) => new m.default());
  const out = await (await elk).layout(elkGraph(flow, opts));
  const positions = Object.fromEntries(
    (out.children ?? []).map((c) => [c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) }]),
  );
  return { positions, width: out.width ?? 0, height: out.height ?? 0 };
}

/** Layers in one row when that fits `view` at `zoom`; wrapped to the view's shape when not (a
 * small flow then opens whole and readable instead of cut off on the right). */
export async function fittedPositions(
  flow: Flow,
  view: { width: number; height: number },
  zoom: number,
  sizes?: ElkOptions["sizes"],
): Promise<Record<string, Position>> {
  const flat = await elkLayout(flow, { sizes });
  if (flat.width * zoom <= view.width || nodesOf(flow).length > WRAP_FROM) return flat.positions;
  return (await elkLayout(flow, { sizes, aspectRatio: view.width / Math.max(view.height, 1) })).positions;
}

/** Top-left positions for every node of the flow. */
export async function elkPositions(flow: Flow): Promise<Record<string, Position>> {
  elk ??= import("elkjs/lib/elk.bundled.js").then((m) => new m.default());
  const out = await (await elk).layout(elkGraph(flow));
  return Object.fromEntries(
    (out.children ?? []).map((c) => [c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) }]),
  );
}
