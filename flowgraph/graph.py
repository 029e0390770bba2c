"""The flow as a networkx graph: one edge per wired branch, keyed by branch name."""

from __future__ import annotations

import networkx as nx

from flowgraph.model import Flow


def build_graph(flow: Flow) -> nx.MultiDiGraph:
    """Nodes carry ``type``; edges ``(source, target, key=branch)`` exist only for known targets.

    Branches naming unknown nodes are left out here; the structure check reports them.
    """
    graph = nx.MultiDiGraph()
    nodes = flow.node_map()
    for node_id, node in nodes.items():
        graph.add_node(node_id, type=node.type)
    for node_id, node in nodes.items():
        for branch, target in node.branches.items():
            if target in nodes:
                graph.add_edge(node_id, target, key=branch)
    return graph
