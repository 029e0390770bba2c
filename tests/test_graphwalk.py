"""Reachability and topological order (flowgraph.graphwalk), the one place graphs are walked."""

from __future__ import annotations

from flowgraph.graphwalk import depth_first_order, levels, reachable, topological


def test_reachable_and_levels_are_breadth_first_from_the_starts() -> None:
    succ = {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": [], "x": ["a"]}
    assert reachable(["a"], succ) == ["a", "b", "c", "d"]
    assert levels(["a"], succ) == {"a": 0, "b": 1, "c": 1, "d": 2}
    assert reachable(["zz"], succ) == ["zz"]  # a vertex the map lacks has no successors


def test_topological_order_and_what_a_cycle_leaves() -> None:
    succ = {"a": ["b", "b"], "b": ["c"], "c": []}  # two branches to one node count twice
    assert topological(["a", "b", "c"], succ) == (["a", "b", "c"], [])
    cyclic = {"a": ["b"], "b": ["c"], "c": ["b", "d"], "d": []}
    order, rest = topological(["a", "b", "c", "d"], cyclic)
    assert order == ["a"] and rest == ["b", "c", "d"]  # the cycle and what hangs below it


def test_topological_ignores_edges_to_vertices_not_listed() -> None:
    assert topological(["a", "b"], {"a": ["b", "elsewhere"], "b": []}) == (["a", "b"], [])


def test_depth_first_order_finds_back_edges() -> None:
    edges = {"a": [("x", "b")], "b": [("y", "c"), ("back", "a")], "c": []}
    order, back = depth_first_order("a", edges)
    assert order == ["a", "b", "c"]
    assert back == {("b", "back")}
