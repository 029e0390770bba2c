"""Graph walking, once: reachability and topological order over any successor map.

Every pass that walks a graph (the checks over nodes, the partition over steps) gives these
helpers a mapping from a vertex to its successors, in the order that keeps the result
deterministic, and gets plain lists back. The networkx view of a flow, for what needs graph
algorithms proper (strongly connected components, a cycle's edges), is :mod:`flowgraph.graph`.

Successor lists may repeat a vertex (two branches to one node): each entry counts as one edge.
Vertices a successor list names but the mapping lacks are treated as having no successors.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

V = TypeVar("V", bound=Hashable)


def levels(starts: Iterable[V], successors: Mapping[V, Sequence[V]]) -> dict[V, int]:
    """Breadth-first distance from ``starts`` of every vertex they reach, in the order reached."""
    dist: dict[V, int] = {}
    queue: deque[V] = deque()
    for s in starts:
        if s not in dist:
            dist[s] = 0
            queue.append(s)
    while queue:
        v = queue.popleft()
        for w in successors.get(v, ()):
            if w not in dist:
                dist[w] = dist[v] + 1
                queue.append(w)
    return dist


def reachable(starts: Iterable[V], successors: Mapping[V, Sequence[V]]) -> list[V]:
    """Vertices reachable from ``starts`` (themselves included), in breadth-first order."""
    return list(levels(starts, successors))


def topological(vertices: Iterable[V], successors: Mapping[V, Sequence[V]]) -> tuple[list[V], list[V]]:
    """Kahn's algorithm over ``vertices`` (edges to other vertices are ignored).

    Returns ``(order, rest)``: ``order`` lists, first-in first-out from the vertices without
    incoming edges in the given order, every vertex neither on a cycle nor below one; ``rest``
    the others in the given order. ``rest`` is empty exactly when the graph is acyclic.
    """
    listed = list(dict.fromkeys(vertices))
    indegree = dict.fromkeys(listed, 0)
    for v in listed:
        for w in successors.get(v, ()):
            if w in indegree:
                indegree[w] += 1
    ready = deque(v for v in listed if indegree[v] == 0)
    order: list[V] = []
    while ready:
        v = ready.popleft()
        order.append(v)
        for w in successors.get(v, ()):
            if w in indegree:
                indegree[w] -= 1
                if indegree[w] == 0:
                    ready.append(w)
    return order, [v for v in listed if indegree[v] > 0]


def depth_first_order(
    start: V, edges: Mapping[V, Sequence[tuple[str, V]]]
) -> tuple[list[V], set[tuple[V, str]]]:
    """Reverse postorder of an iterative depth-first search from ``start`` over labelled edges
    ``(label, target)``, and the back edges ``(source, label)`` it found (those close a cycle)."""
    state: dict[V, int] = {start: 1}  # 1 on the stack, 2 done
    post: list[V] = []
    back: set[tuple[V, str]] = set()
    stack = [(start, iter(edges.get(start, ())))]
    while stack:
        vertex, out = stack[-1]
        for label, target in out:
            seen = state.get(target)
            if seen is None:
                state[target] = 1
                stack.append((target, iter(edges.get(target, ()))))
                break
            if seen == 1:
                back.add((vertex, label))
        else:
            state[vertex] = 2
            post.append(vertex)
            stack.pop()
    return post[::-1], back
