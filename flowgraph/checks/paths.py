"""Which paths from the entry end where: counted by dynamic programming, never enumerated.

A path is the sequence of branches one call can take. Counting runs over the reachable graph in
topological order (``paths[n] = sum of paths[p] over followed edges p -> n``), so a 10,000-node
flow with astronomically many paths costs one linear pass. Edges that close a cycle are left out
(the cycle check reports them), so the report is well defined for any flow.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from flowgraph.checks.context import CheckContext
from flowgraph.graphwalk import depth_first_order
from flowgraph.model import Flow
from flowgraph.specs import TERMINAL_TYPES

#: A path as (node id, branch taken) pairs; the last pair's branch is "" at a terminal.
Path = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PathEnd:
    """Where paths stop: a terminal node, or a node whose branch ``missing`` leads nowhere."""

    node: str
    type: str
    paths: int
    #: Unwired (or dangling) required branches when the node is a dead end.
    missing: tuple[str, ...]
    examples: tuple[Path, ...]

    @property
    def dead_end(self) -> bool:
        return bool(self.missing)

    def to_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "type": self.type,
            "paths": self.paths,
            "dead_end": self.dead_end,
            "missing": list(self.missing),
            "examples": [format_path(p) for p in self.examples],
        }


@dataclass(frozen=True)
class PathReport:
    entry: str
    total: int
    ends: tuple[PathEnd, ...]
    #: Branches left out because they close a cycle (empty for a valid flow).
    cycle_edges: tuple[tuple[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "total": self.total,
            "ends": [e.to_json() for e in self.ends],
            "cycle_edges": [{"source": s, "branch": b} for s, b in self.cycle_edges],
        }

    def lines(self) -> list[str]:
        """Human-readable report, one end per line plus indented examples."""
        out = [f"{self.total} path(s) from '{self.entry}'"]
        for end in self.ends:
            what = f"dead end ({', '.join(end.missing)} unwired)" if end.dead_end else end.type
            out.append(f"  {end.node} [{what}]: {end.paths} path(s)")
            out.extend(f"    e.g. {format_path(p)}" for p in end.examples)
        if self.cycle_edges:
            out.append("  (cycles left out: " + ", ".join(f"{s}.{b}" for s, b in self.cycle_edges) + ")")
        return out


def format_path(path: Path) -> str:
    """``a -1-> b -found-> c``; a dangling last branch shows as ``-no_input-> (nothing)``."""
    text = path[0][0]
    for (_node, branch), (nxt, _b) in itertools.pairwise(path):
        text += f" -{branch}-> {nxt}"
    last_branch = path[-1][1]
    return text + (f" -{last_branch}-> (nothing)" if last_branch else "")


def _dag_order(ctx: CheckContext) -> tuple[list[str], set[tuple[str, str]]]:
    """Reverse postorder of an iterative DFS from the entry, and the back edges it found."""
    return depth_first_order(ctx.flow.entry, ctx.followed)


def path_report(flow: Flow, ctx: CheckContext | None = None) -> PathReport:
    """Count the paths from the entry ending at each terminal and each dead end, with examples."""
    ctx = ctx or CheckContext(flow)
    if flow.entry not in ctx.nodes:
        return PathReport(flow.entry, 0, (), ())
    order, back = _dag_order(ctx)
    count: dict[str, int] = {flow.entry: 1}
    incoming: dict[str, list[tuple[str, str]]] = {}
    for node_id in order:
        for branch, target in ctx.followed[node_id]:
            if (node_id, branch) not in back:
                count[target] = count.get(target, 0) + count[node_id]
                incoming.setdefault(target, []).append((node_id, branch))
    ends = [_end(ctx, n, count[n], incoming) for n in ctx.sorted_ids(order)]
    kept = [e for e in ends if e is not None]
    total = sum(e.paths * max(1, len(e.missing)) for e in kept)
    return PathReport(flow.entry, total, tuple(kept), tuple(sorted(back)))


def _end(ctx: CheckContext, node_id: str, paths: int, incoming: dict) -> PathEnd | None:
    node = ctx.nodes[node_id]
    missing = ctx.missing[node_id]
    if node.type not in TERMINAL_TYPES and not missing:
        return None
    limit = ctx.options.path_examples
    if missing:
        examples = [_back_to_entry(ctx, (node_id, b), incoming) for b in missing[:limit]]
    else:
        # Vary a terminal's examples by the edge that arrives; each is walked back the first way.
        arrivals = incoming.get(node_id, [])[:limit]
        examples = [(*_back_to_entry(ctx, a, incoming), (node_id, "")) for a in arrivals]
        examples = examples or [((node_id, ""),)]
    return PathEnd(node_id, node.type, paths, missing, tuple(examples))


def _back_to_entry(ctx: CheckContext, last: tuple[str, str], incoming: dict) -> Path:
    path = [last]
    while path[-1][0] != ctx.flow.entry and len(path) <= len(ctx.nodes):
        path.append(incoming[path[-1][0]][0])
    return tuple(reversed(path))
