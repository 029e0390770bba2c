"""Partition a flow into API Dialplan steps: cut after every point that waits for the caller.

The caller's digits reach us in the *next* request, so every menu ends a step. A flow has one
step for its entry (id ``entry``) and one for each menu's continuation (id ``after_<menu id>``),
which starts by deciding the menu's branch from ``last_dtmf``. A step's nodes are what the
server evaluates on that step's request: decisions (switch, lookup) and actions (play, transfer,
the menu's prompt) up to a menu, a hand-off, a hang-up or a transfer with nothing after it.

Depth counts ``api_dialplan`` hops: a request reached through N hops has depth N. A menu adds a
hop for its continuation; a ``dialplan`` hand-off adds one for the portal dialplan it runs.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from flowgraph.graphwalk import levels, topological
from flowgraph.model import Flow
from flowgraph.specs import spec_of, wired_next

ENTRY_STEP = "entry"


def step_id_for_menu(menu_id: str) -> str:
    return f"after_{menu_id}"


@dataclass(frozen=True)
class Step:
    id: str
    #: ``entry`` or the menu whose digits this step decides on.
    menu: str | None
    #: Nodes where evaluation starts (the entry node, or the menu's wired branch targets).
    starts: tuple[str, ...]
    #: Nodes evaluated in this step, in a stable breadth-first order.
    nodes: tuple[str, ...]
    #: Menus whose prompt this step plays (each hands over to ``after_<menu>``).
    menus: tuple[str, ...]
    #: ``dialplan`` nodes this step may hand off to.
    handoffs: tuple[str, ...]
    #: Most api_dialplan hops before this step's request (0 for the entry).
    depth: int = 0


@dataclass(frozen=True)
class Partition:
    steps: dict[str, Step]
    #: Steps each node belongs to (a node reached from several steps is shared).
    node_steps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Step ids in a stable order: entry first, then breadth-first through menus.
    order: tuple[str, ...] = ()
    #: True when the step graph has a cycle (depths are then lower bounds; the cycle check reports it).
    cyclic: bool = False

    def hops_of(self, node_id: str) -> int:
        """Hops a request needs to reach the deepest step evaluating ``node_id``."""
        return max((self.steps[s].depth for s in self.node_steps.get(node_id, ())), default=0)

    def longest_chain(self) -> list[str]:
        """Step ids along a deepest chain of hops, entry first (evidence for the nesting check)."""
        if not self.steps:
            return []
        deepest = max(self.order, key=lambda s: (self.steps[s].depth, -self.order.index(s)))
        chain = [deepest]
        while self.steps[chain[-1]].depth > 0 and len(chain) <= len(self.steps):
            want = self.steps[chain[-1]].depth - 1
            menu = self.steps[chain[-1]].menu
            parents = [s for s in self.node_steps.get(menu or "", ()) if self.steps[s].depth == want]
            if not parents:
                break
            chain.append(sorted(parents, key=self.order.index)[0])
        return list(reversed(chain))


def _walk_step(
    nodes: dict[str, Any], fallthrough: bool, starts: tuple[str, ...]
) -> tuple[list[str], list[str], list[str]]:
    seen: list[str] = []
    seen_set: set[str] = set()
    menus: list[str] = []
    handoffs: list[str] = []
    queue = deque(s for s in starts if s in nodes)
    while queue:
        node_id = queue.popleft()
        if node_id in seen_set:
            continue
        seen_set.add(node_id)
        seen.append(node_id)
        node = nodes[node_id]
        spec = spec_of(node)
        if spec.waits_for_caller:
            menus.append(node_id)
            continue
        if spec.nests:
            handoffs.append(node_id)
        queue.extend(target for _branch, target in wired_next(node, fallthrough) if target in nodes)
    return seen, menus, handoffs


def menu_starts(menu: Any) -> tuple[str, ...]:
    """Where a menu's continuation step may start: its wired branch targets, deduplicated."""
    return tuple(dict.fromkeys(menu.branches.values()))


def partition(flow: Flow) -> Partition:
    """Cut ``flow`` into steps. Works on any flow (broken ones too) and never loops."""
    nodes = flow.node_map()
    fallthrough = flow.settings.profile.transfer_fallthrough
    raw: dict[str, tuple[tuple[str, ...], str | None, list[str], list[str], list[str]]] = {}
    order: list[str] = []
    queue: deque[tuple[str, str | None, tuple[str, ...]]] = deque([(ENTRY_STEP, None, (flow.entry,))])
    while queue:
        step_id, menu, starts = queue.popleft()
        if step_id in raw:
            continue
        seen, menus, handoffs = _walk_step(nodes, fallthrough, starts)
        raw[step_id] = (starts, menu, seen, menus, handoffs)
        order.append(step_id)
        for m in menus:
            queue.append((step_id_for_menu(m), m, menu_starts(nodes[m])))

    depth, cyclic = _depths(raw, order)
    steps = {
        sid: Step(
            id=sid,
            menu=menu,
            starts=starts,
            nodes=tuple(seen),
            menus=tuple(menus),
            handoffs=tuple(handoffs),
            depth=depth[sid],
        )
        for sid, (starts, menu, seen, menus, handoffs) in raw.items()
    }
    node_steps: dict[str, list[str]] = {}
    for sid in order:
        for n in steps[sid].nodes:
            node_steps.setdefault(n, []).append(sid)
    return Partition(
        steps=steps,
        node_steps={n: tuple(s) for n, s in node_steps.items()},
        order=tuple(order),
        cyclic=cyclic,
    )


def _depths(raw: dict, order: list[str]) -> tuple[dict[str, int], bool]:
    children = {sid: [step_id_for_menu(m) for m in raw[sid][3]] for sid in order}
    depth = dict.fromkeys(order, 0)
    acyclic, rest = topological(order, children)
    for sid in acyclic:  # longest chain of hops: relax in topological order
        for c in children[sid]:
            depth[c] = max(depth[c], depth[sid] + 1)
    cyclic = bool(rest)
    if cyclic:
        # Steps on a cycle get their breadth-first distance: a lower bound, never a hang.
        dist = levels([ENTRY_STEP], children)
        depth = {sid: max(depth[sid], dist.get(sid, 0)) for sid in order}
    return depth, cyclic
