"""What every rule needs, built once per ``check()`` call: node map, graph, partition, profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from flowgraph.compile.partition import Partition, partition
from flowgraph.graph import build_graph
from flowgraph.graphwalk import reachable, topological
from flowgraph.model import Flow
from flowgraph.profile import PlatformProfile
from flowgraph.specs import required_branches, spec_of, wired_next


@dataclass(frozen=True)
class CheckOptions:
    """Knobs for :func:`flowgraph.checks.check`.

    ``ignore``: codes to leave out of the result (e.g. a team that accepted FG520 for its account).
    ``path_examples``: how many example paths the path report lists per end.
    ``server_tables``: the server's tables by name, each its live version described
    (``TableRecord.describe()``: version, key, columns, text_keys...); None when unknown (offline).
    """

    ignore: frozenset[str] = field(default_factory=frozenset)
    path_examples: int = 3
    server_tables: dict[str, dict[str, Any]] | None = None


class CheckContext:
    """Shared, lazily built views of one flow. Rules read it; none mutates it."""

    def __init__(self, flow: Flow, options: CheckOptions | None = None):
        self.flow = flow
        self.options = options or CheckOptions()
        self.profile: PlatformProfile = flow.settings.profile
        #: Nodes by id (first wins on duplicates; FG103 reports those).
        self.nodes: dict[str, Any] = flow.node_map()
        #: Position of each node in the file: the tie-breaker that keeps output deterministic.
        self.order: dict[str, int] = {}
        for i, node in enumerate(flow.nodes):
            self.order.setdefault(node.id, i)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        return build_graph(self.flow)

    @cached_property
    def partition(self) -> Partition:
        return partition(self.flow)

    @cached_property
    def reachable(self) -> set[str]:
        """Node ids reachable from the entry over wired branches to known nodes."""
        if self.flow.entry not in self.nodes:
            return set()
        return set(reachable([self.flow.entry], self._successors))

    @cached_property
    def _successors(self) -> dict[str, list[str]]:
        """Every wired branch's target (known nodes only), per node."""
        return {n: [t for t in node.branches.values() if t in self.nodes] for n, node in self.nodes.items()}

    @cached_property
    def followed(self) -> dict[str, list[tuple[str, str]]]:
        """Per node, the (branch, target) pairs a call can take: declared (``no_answer`` only with
        the profile's fall-through), wired to a known node, in the node's declared order."""
        return self._wiring[0]

    @cached_property
    def missing(self) -> dict[str, tuple[str, ...]]:
        """Per node, required branches that are unwired or name an unknown node (dead ends)."""
        return self._wiring[1]

    @cached_property
    def _wiring(self) -> tuple[dict[str, list[tuple[str, str]]], dict[str, tuple[str, ...]]]:
        # One pass for both maps: required_branches() is the costly part on large flows.
        followed: dict[str, list[tuple[str, str]]] = {}
        missing: dict[str, tuple[str, ...]] = {}
        fallthrough = self.profile.transfer_fallthrough
        for node_id, node in self.nodes.items():
            if spec_of(node).terminal:
                followed[node_id] = [(b, t) for b, t in wired_next(node, fallthrough) if t in self.nodes]
                missing[node_id] = ()
                continue
            required = required_branches(node)
            followed[node_id] = [
                (b, node.branches[b]) for b in required if node.branches.get(b) in self.nodes
            ]
            gaps = (
                ()
                if len(followed[node_id]) == len(required)
                else tuple(b for b in required if node.branches.get(b) not in self.nodes)
            )
            missing[node_id] = gaps
        return followed, missing

    @cached_property
    def in_cycles(self) -> set[str]:
        """Nodes left after repeatedly removing nodes without incoming edges (Kahn's algorithm):
        empty exactly when the flow is acyclic; otherwise cycles and what hangs below them."""
        return set(topological(self.nodes, self._successors)[1])

    def sorted_ids(self, ids: Any) -> list[str]:
        """Node ids in file order."""
        return sorted(ids, key=lambda n: (self.order.get(n, len(self.order)), n))

    def edges_from(self, node_id: str) -> list[tuple[str, str]]:
        """(branch, target) pairs of a node wired to known nodes, in the node's declared order."""
        node = self.nodes[node_id]
        return [(b, t) for b, t in node.branches.items() if t in self.nodes]
