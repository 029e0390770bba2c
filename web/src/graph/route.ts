// Orthogonal edge routes that go around nodes instead of behind them. Pure geometry: a route is
// a list of points from the source handle (right side) to the target handle (left side).

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Clearance between a route and the nodes it passes, and the step between parallel channels. */
export const MARGIN = 18;
export const LANE = 14;

/** Does the axis-aligned segment a-b enter the inside of `r` (touching its border is fine)? */
function hits(a: Point, b: Point, r: Rect): boolean {
  const inset = 2;
  const [x1, x2] = a.x < b.x ? [a.x, b.x] : [b.x, a.x];
  const [y1, y2] = a.y < b.y ? [a.y, b.y] : [b.y, a.y];
  return x2 > r.x + inset && x1 < r.x + r.w - inset && y2 > r.y + inset && y1 < r.y + r.h - inset;
}

function clear(points: Point[], rects: readonly Rect[]): boolean {
  for (let i = 1; i < points.length; i += 1) {
    const a = points[i - 1] as Point;
    const b = points[i] as Point;
    for (const r of rects) if (hits(a, b, r)) return false;
  }
  return true;
}

/**
 * The first clear route among: a three-segment route through a vertical channel between the two
 * nodes (the channel of lane `lane` right before the target first, so edges into one node arrive
 * side by side), then a detour above or below every node in the way (back-edges of a loop always
 * detour). Only rectangles near the route are considered.
 */
export function routeEdge(s: Point, t: Point, obstacles: readonly Rect[], lane = 0): Point[] {
  const left = Math.min(s.x, t.x) - 3 * MARGIN;
  const right = Math.max(s.x, t.x) + 3 * MARGIN;
  const near = obstacles.filter((r) => r.x < right && r.x + r.w > left);
  const out = s.x + MARGIN;
  const into = t.x - MARGIN - lane * LANE;
  if (t.x - s.x > 2 * MARGIN) {
    const channels = [
      into,
      (s.x + t.x) / 2,
      out,
      ...near.map((r) => r.x - MARGIN),
      ...near.map((r) => r.x + r.w + MARGIN),
    ];
    for (const x of channels) {
      if (x < out || x > t.x - MARGIN / 2) continue;
      const pts = [s, { x, y: s.y }, { x, y: t.y }, t];
      if (clear(pts, near)) return pts;
    }
  }
  const band = near.filter(
    (r) => r.x < Math.max(out, into) + MARGIN && r.x + r.w > Math.min(out, into) - MARGIN,
  );
  const rows = [
    ...band.map((r) => r.y + r.h + MARGIN + lane * 4),
    ...band.map((r) => r.y - MARGIN - lane * 4),
  ];
  rows.sort((a, b) => Math.abs(a - (s.y + t.y) / 2) - Math.abs(b - (s.y + t.y) / 2));
  const detour = (y: number) => [
    s,
    { x: out, y: s.y },
    { x: out, y },
    { x: into, y },
    { x: into, y: t.y },
    t,
  ];
  for (const y of rows) {
    const pts = detour(y);
    if (clear(pts, near)) return pts;
  }
  const below = Math.max(s.y, t.y, ...band.map((r) => r.y + r.h)) + MARGIN;
  return t.x - s.x > 2 * MARGIN ? [s, { x: into, y: s.y }, { x: into, y: t.y }, t] : detour(below);
}

/** An SVG path through the points with small rounded corners. */
export function pathOf(points: readonly Point[], radius = 6): string {
  if (points.length < 2) return "";
  const first = points[0] as Point;
  let d = `M ${first.x} ${first.y}`;
  for (let i = 1; i < points.length - 1; i += 1) {
    const p = points[i - 1] as Point;
    const c = points[i] as Point;
    const n = points[i + 1] as Point;
    const r = Math.min(radius, Math.hypot(c.x - p.x, c.y - p.y) / 2, Math.hypot(n.x - c.x, n.y - c.y) / 2);
    const a = { x: c.x - Math.sign(c.x - p.x) * r, y: c.y - Math.sign(c.y - p.y) * r };
    const b = { x: c.x + Math.sign(n.x - c.x) * r, y: c.y + Math.sign(n.y - c.y) * r };
    d += ` L ${a.x} ${a.y} Q ${c.x} ${c.y} ${b.x} ${b.y}`;
  }
  const last = points[points.length - 1] as Point;
  return `${d} L ${last.x} ${last.y}`;
}

/** Where a route's label goes: on its last vertical run (its own lane), just before the target. */
export function labelPoint(points: readonly Point[]): Point {
  const n = points.length;
  const corner = points[n - 2] as Point;
  const before = points[n - 3];
  const last = points[n - 1] as Point;
  if (!before || before.y === corner.y) return { x: (corner.x + last.x) / 2, y: last.y };
  const dy = Math.sign(before.y - corner.y) * Math.min(14, Math.abs(before.y - corner.y) / 2);
  return { x: corner.x, y: corner.y + dy };
}
