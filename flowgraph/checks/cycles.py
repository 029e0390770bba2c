"""Cycle rule (FG201): a call flow must be a DAG.

A cycle in the graph is either a loop the caller can never leave (server-side decisions looping
in one request) or repetition across requests that burns one api_dialplan hop per turn until the
platform's nesting limit fails the call over. Repetition belongs in the menu's ``retry`` setting.
"""

from __future__ import annotations

import itertools

import networkx as nx

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import Flow


def check_cycles(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Report each cycle once: one per strongly connected component, its nodes listed in order."""
    if not ctx.in_cycles:
        return []  # the common case: acyclic, decided without building the networkx graph
    graph = ctx.graph.subgraph(ctx.in_cycles)
    out = []
    for component in nx.strongly_connected_components(graph):
        if len(component) == 1 and not any(graph.has_edge(n, n) for n in component):
            continue
        first = ctx.sorted_ids(component)[0]
        cycle = _cycle_from(graph.subgraph(component), first)
        loop = [u for u, _v, _k in cycle]
        text = " -> ".join([*loop, loop[0]])
        extra = len(component) - len(loop)
        out.append(
            diag(
                "FG201",
                f"cycle: {text}" + (f" (and {extra} more node(s) loop with these)" if extra else ""),
                nodes=loop,
                edges=[(u, k) for u, _v, k in cycle],
                evidence={"cycle": loop, "component": ctx.sorted_ids(component)},
                hint="break the loop; to repeat a prompt, set the menu's `retry` (0-5) instead",
                advice="Break the loop by rewiring one of its branches; to ask again, raise the menu's Retries",
            )
        )
    return out


def _cycle_from(sub: nx.MultiDiGraph, start: str) -> list[tuple[str, str, str]]:
    """A cycle through ``start`` as (source, target, branch) edges, beginning at ``start``."""
    # Inside a strongly connected component every node lies on a cycle, so a shortest path
    # back to ``start`` from one of its successors closes one; find_cycle may start elsewhere.
    for _u, succ, key in sorted(sub.out_edges(start, keys=True), key=lambda e: (e[1] != start, e[2])):
        if succ == start:
            return [(start, start, key)]
        path = nx.shortest_path(sub, succ, start)
        edges = [(start, succ, key)]
        for u, v in itertools.pairwise(path):
            branch = min(sub.get_edge_data(u, v))
            edges.append((u, v, branch))
        return edges
    return [(u, v, k) for u, v, k in nx.find_cycle(sub, start)]
