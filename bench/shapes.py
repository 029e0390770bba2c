"""Generated flows of the shapes real call flows take, for the render bench and tests.

Each generator returns a flow document (a dict) of about ``size`` nodes, deterministic for a
given size and seed:

- ``tree``: a menu tree (greetings, lookups, transfers with a no-answer fallback, a shared
  operator and goodbye, "9: back to the main menu");
- ``converging``: a chain of switch / play / lookup nodes whose every failure branch leads to
  one operator transfer (the most common shape there is; issue 10: minutes in ``dot``);
- ``diamond``: a chain of menus whose every option goes to its own play and back to one shared
  join node, which leads on to the next menu;
- ``wide``: menus of 10 options each;
- ``nested``: three hops of nested menus (the deepest a flow may go), leaves transferring.
"""

from __future__ import annotations

from collections import deque
from random import Random
from typing import Any

SHAPES = ("tree", "converging", "diamond", "wide", "nested")


class _Doc:
    """A flow document under construction; node ids are ``<type>_<index>``."""

    def __init__(self, flow_id: str, seed: int) -> None:
        self.flow_id, self.rng = flow_id, Random(seed)
        self.nodes: list[dict[str, Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}

    def add(self, kind: str, **fields: Any) -> str:
        node_id = f"{kind}_{len(self.nodes)}"
        node = {"id": node_id, "type": kind, "name": f"{kind} {len(self.nodes)}", **fields}
        self.nodes.append(node)
        self.by_id[node_id] = node
        return node_id

    def wire(self, node_id: str, **branches: str) -> None:
        self.by_id[node_id].setdefault("branches", {}).update(branches)

    def play(self, then: str | None = None) -> str:
        node = self.add("play", recording={"type": "system", "data": str(100000 + len(self.nodes))})
        if then:
            self.wire(node, next=then)
        return node

    def menu(self, options: int, fallback: str) -> str:
        digits = [str(d % 10) for d in range(1, options + 1)]
        node = self.add("menu", recording={"type": "system", "data": "200000"}, options=digits)
        self.wire(node, no_input=fallback, invalid=fallback)
        return node

    def transfer(self, fallback: str | None = None) -> str:
        targets = [f"98{self.rng.randrange(10**8):08d}" for _ in range(self.rng.randint(1, 3))]
        node = self.add("transfer", transfer="number", targets=targets, ring_type="order_by")
        if fallback:
            self.wire(node, no_answer=fallback)
        return node

    def operator(self) -> str:
        return self.add("transfer", name="Operator", transfer="department", targets=["5200"])

    def doc(self, entry: str) -> dict[str, Any]:
        return {
            "id": self.flow_id,
            "entry": entry,
            "nodes": self.nodes,
            "tables": {"customers": {"columns": ["name"], "rows": {}}},
        }


def tree(size: int, seed: int = 7) -> dict[str, Any]:
    """A menu tree of about ``size`` nodes with a shared operator, goodbye and main menu."""
    d = _Doc(f"tree_{size}", seed)
    operator, goodbye = d.operator(), d.add("hangup")
    main = d.menu(d.rng.randint(2, 4), operator)
    d.wire(main, invalid=goodbye)
    menus = deque([main])

    def option() -> str:
        pick, room = d.rng.random(), len(d.nodes) < size - 12
        if room and (pick < 0.35 or len(menus) < 2):
            sub = d.menu(d.rng.randint(2, 4), operator)
            d.wire(sub, invalid=goodbye)
            if d.rng.random() < 0.3:
                d.by_id[sub]["options"].append("9")  # "9: back to the main menu"
                d.wire(sub, **{"9": main})
            menus.append(sub)
            return d.play(sub)
        if pick < 0.6:
            return d.play(d.transfer(goodbye))
        if pick < 0.8:
            lookup = d.add(
                "lookup", source={"kind": "table", "table": "customers", "key": "{{caller_id_number}}"}
            )
            d.wire(lookup, found=d.transfer(operator), not_found=operator)
            return lookup
        return d.play(goodbye)

    while menus:
        menu_id = menus.popleft()
        for digit in d.by_id[menu_id]["options"]:
            if digit != "9":
                d.wire(menu_id, **{digit: option() if len(d.nodes) < size else operator})
    return d.doc(main)


def converging(size: int, seed: int = 7) -> dict[str, Any]:
    """A chain of switch / play / lookup nodes; every failure branch goes to one operator."""
    d = _Doc(f"converging_{size}", seed)
    operator, goodbye = d.operator(), d.add("hangup")
    chain: list[str] = []
    for index in range(size - 2):
        kind = ("switch", "play", "lookup")[index % 3]
        if kind == "switch":
            case = {
                "branch": "open",
                "when": {
                    "on": "time",
                    "days": ["mon", "tue", "wed", "thu", "fri"],
                    "start": "09:00",
                    "end": "18:00",
                },
            }
            chain.append(d.add("switch", cases=[case], branches={"default": operator}))
        elif kind == "play":
            chain.append(d.play())
        else:
            source = {"kind": "table", "table": "customers", "key": "{{caller_id_number}}"}
            chain.append(d.add("lookup", source=source, branches={"not_found": operator}))
    for node_id, after in zip(chain, [*chain[1:], goodbye], strict=True):
        branch = {"switch": "open", "play": "next", "lookup": "found"}[d.by_id[node_id]["type"]]
        d.wire(node_id, **{branch: after})
    return d.doc(chain[0])


def diamond(size: int, seed: int = 7) -> dict[str, Any]:
    """Menus whose options each play something and meet again at one join node."""
    d = _Doc(f"diamond_{size}", seed)
    operator = d.operator()
    goodbye = d.add("hangup")
    previous: str | None = None
    entry = ""
    while len(d.nodes) < size - 5:
        menu = d.menu(3, operator)
        if previous:
            d.wire(previous, next=menu)
        entry = entry or menu
        join = d.play()
        for digit in ("1", "2", "3"):
            d.wire(menu, **{digit: d.play(join)})
        previous = join
    if previous:
        d.wire(previous, next=goodbye)
    return d.doc(entry)


def wide(size: int, seed: int = 7) -> dict[str, Any]:
    """Menus of ten options; each option plays and transfers, or opens another menu."""
    d = _Doc(f"wide_{size}", seed)
    operator, goodbye = d.operator(), d.add("hangup")
    main = d.menu(10, operator)
    menus = deque([main])
    while menus:
        menu_id = menus.popleft()
        for digit in d.by_id[menu_id]["options"]:
            if len(d.nodes) >= size - 3:
                d.wire(menu_id, **{digit: operator})
            elif digit == "1" and len(d.nodes) < size - 40:
                sub = d.menu(10, operator)
                menus.append(sub)
                d.wire(menu_id, **{digit: sub})
            else:
                d.wire(menu_id, **{digit: d.play(d.transfer(goodbye))})
    return d.doc(main)


def nested(size: int, seed: int = 7) -> dict[str, Any]:
    """Three hops of menus (entry, two levels below it), as many options as the size needs."""
    d = _Doc(f"nested_{size}", seed)
    operator = d.operator()
    # 1 + k + k^2 menus and k^3 leaves of two nodes each: pick k for the size.
    width = 2
    while 1 + width + width**2 + 2 * width**3 < size and width < 9:
        width += 1

    def level(depth: int) -> str:
        if depth == 3:
            return d.play(d.transfer(operator))
        menu = d.menu(width, operator)
        for digit in d.by_id[menu]["options"]:
            d.wire(menu, **{digit: level(depth + 1)})
        return menu

    return d.doc(level(0))


GENERATORS = {"tree": tree, "converging": converging, "diamond": diamond, "wide": wide, "nested": nested}


def generate(shape: str, size: int, seed: int = 7) -> dict[str, Any]:
    """The flow document of ``shape`` (one of :data:`SHAPES`) with about ``size`` nodes."""
    return GENERATORS[shape](size, seed)
