// Find nodes by id, name or type for the search-and-jump box.
import type { Flow, FlowNode } from "../api/types";
import { nodesOf } from "./ops";

/** Nodes matching `query` (case-insensitive), exact id matches first, then by id. */
export function searchNodes(flow: Flow, query: string, limit = 20): FlowNode[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const score = (n: FlowNode): number => {
    if (n.id.toLowerCase() === q) return 0;
    if (n.id.toLowerCase().startsWith(q)) return 1;
    if ((n.name ?? "").toLowerCase().includes(q)) return 2;
    if (n.id.toLowerCase().includes(q)) return 3;
    if (n.type === q) return 4;
    return -1;
  };
  return nodesOf(flow)
    .map((n) => [score(n), n] as const)
    .filter(([s]) => s >= 0)
    .sort((a, b) => a[0] - b[0] || a[1].id.localeCompare(b[1].id))
    .slice(0, limit)
    .map(([, n]) => n);
}
