// Find nodes by id, name or type for the search-and-jump box.
import type { Flow, FlowNode } from "../api/types";
import { nodesOf } from "./ops";

/** Lower case, with `_` and `-` read as spaces, so "order status" finds `order_status`. */
function norm(text: string): string {
  return text.toLowerCase().replace(/[_-]+/g, " ").trim();
}

/** Nodes matching `query` (case-insensitive), exact id matches first, then by id. */
export function searchNodes(flow: Flow, query: string, limit = 20): FlowNode[] {
  const q = norm(query);
  if (!q) return [];
  const score = (n: FlowNode): number => {
    const id = norm(n.id);
    const name = norm(n.name ?? "");
    if (id === q) return 0;
    if (id.startsWith(q)) return 1;
    if (name.startsWith(q)) return 2;
    if (name.includes(q)) return 3;
    if (id.includes(q)) return 4;
    if (n.type === q) return 5;
    return -1;
  };
  return nodesOf(flow)
    .map((n) => [score(n), n] as const)
    .filter(([s]) => s >= 0)
    .sort((a, b) => a[0] - b[0] || a[1].id.localeCompare(b[1].id))
    .slice(0, limit)
    .map(([, n]) => n);
}
