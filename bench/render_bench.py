"""Render generated call-flow-shaped flows of 200 and 1,000 nodes to SVG and time it.

Run: ``.venv/bin/python bench/render_bench.py [SIZES...]`` (default 200 1000).

For each size it prints the seconds :func:`flowgraph.render.render_flow` takes and the ratio
against a baseline measured in the same run: plain ``dot -Tsvg`` on the same graph with no
attributes, no clusters and every shared node drawn once (issue 4 measured that drawing at 48 s
for 1,000 nodes). Targets (issue 4): 200 nodes < 1 s, 1,000 nodes < 10 s; exit 1 when missed.

The flows are menu trees: greetings, lookups, transfers with a no-answer fallback, a shared
operator and a shared goodbye reached from every menu, and "9: back to the main menu" options
(a shared decision reached from many steps). Diagnostics are off: this times drawing only.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import deque
from random import Random
from typing import Any

from flowgraph.load import flow_from_data
from flowgraph.model import Flow
from flowgraph.render import render_flow

TARGETS = {200: 1.0, 1000: 10.0}


class _Builder:
    """Grows a menu tree the way real IVRs look: menus, greetings, lookups, transfers, endings."""

    def __init__(self, size: int, seed: int) -> None:
        self.size, self.rng = size, Random(seed)
        self.nodes: list[dict[str, Any]] = []
        self.menus: deque[str] = deque()

    def add(self, kind: str, **fields: Any) -> str:
        node_id = f"{kind}_{len(self.nodes)}"
        self.nodes.append({"id": node_id, "type": kind, "name": f"{kind} {len(self.nodes)}", **fields})
        return node_id

    def wire(self, node_id: str, **branches: str) -> None:
        node = next(n for n in self.nodes if n["id"] == node_id)
        node.setdefault("branches", {}).update(branches)

    def play(self, then: str) -> str:
        node = self.add("play", recording={"type": "system", "data": str(100000 + len(self.nodes))})
        self.wire(node, next=then)
        return node

    def transfer(self, fallback: str | None) -> str:
        targets = [f"98{self.rng.randrange(10**8):08d}" for _ in range(self.rng.randint(1, 3))]
        node = self.add("transfer", transfer="number", targets=targets, ring_type="order_by")
        if fallback:
            self.wire(node, no_answer=fallback)
        return node

    def menu(self) -> str:
        options = [str(d) for d in range(1, self.rng.randint(3, 5))]
        main = getattr(self, "main", None)
        if main and self.rng.random() < 0.3:
            options.append("9")  # "press 9 for the main menu": the main menu is shared by many steps
        node = self.add("menu", recording={"type": "system", "data": "200000"}, options=options)
        self.wire(node, no_input=self.operator, invalid=self.goodbye)
        if "9" in options:
            self.wire(node, **{"9": main})
        self.menus.append(node)
        return node

    def option(self) -> str:
        """What one menu key leads to (a sub-menu while there is room for one)."""
        pick = self.rng.random()
        room = len(self.nodes) < self.size - 12
        if room and (pick < 0.35 or len(self.menus) < 2):  # keep the tree growing to the size
            return self.play(self.menu())
        if pick < 0.6:
            return self.play(self.transfer(self.goodbye))
        if pick < 0.8:
            lookup = self.add("lookup", source={"kind": "table", "table": "customers"})
            self.wire(lookup, found=self.transfer(self.operator), not_found=self.operator)
            return lookup
        return self.play(self.goodbye)

    def build(self) -> dict[str, Any]:
        self.operator = self.add("transfer", transfer="ivr", targets=["22590"])
        self.goodbye = self.add("hangup")
        first = self.main = self.menu()
        while self.menus and len(self.nodes) < self.size:
            menu_id = self.menus.popleft()
            for digit in next(n for n in self.nodes if n["id"] == menu_id)["options"]:
                if digit != "9":
                    self.wire(menu_id, **{digit: self.option()})
        for menu_id in self.menus:  # menus left when the budget ran out get simple endings
            for digit in next(n for n in self.nodes if n["id"] == menu_id)["options"]:
                if digit != "9":
                    self.wire(menu_id, **{digit: self.operator})
        return {"id": f"bench_{self.size}", "entry": first, "nodes": self.nodes, "tables": {"customers": {}}}


def generate_flow(size: int, seed: int = 7) -> Flow:
    """A deterministic call-flow-shaped flow of about ``size`` nodes."""
    return flow_from_data(_Builder(size, seed).build(), f"<generated {size}>")


def plain_dot(flow: Flow) -> str:
    """The same graph as bare DOT: no attributes, no clusters, shared nodes drawn once."""
    lines = ["digraph bench {"]
    for node in flow.nodes:
        for target in node.branches.values():
            lines.append(f'  "{node.id}" -> "{target}";')
    lines.append("}")
    return "\n".join(lines)


def timed(action: Any) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [200, 1000]
    failed = False
    for size in sizes:
        flow = generate_flow(size)
        source = plain_dot(flow).encode()
        baseline = timed(
            lambda src=source: subprocess.run(["dot", "-Tsvg"], input=src, capture_output=True, check=True)
        )
        ours = timed(lambda f=flow: render_flow(f, "svg", diagnostics=[]))
        target = TARGETS.get(size)
        verdict = (
            "" if target is None else (" ok" if ours < target else f" SLOWER than the {target:g} s target")
        )
        failed |= bool(target) and ours >= (target or 0)
        print(
            f"{len(flow.nodes):5d} nodes: render_flow {ours:6.2f} s | plain dot baseline {baseline:6.2f} s"
            f" | ratio {ours / baseline:5.2f}x{verdict}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
