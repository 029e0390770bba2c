"""Hypothesis strategies for random call flows and random scripted calls.

``flows()`` draws flows of every node type with random wiring: mostly forward (so a good share
are valid), sometimes backwards (cycles), unwired, to unknown nodes, nested deeper than the
limit, with bad platform values or variables that are not defined. ``scripts(flow)`` draws
calls for a flow: callers in every seen number form (some in its tables), times across the
week, key presses (options, wrong keys, long input, no input), transfer answers and an outcome
for each HTTP lookup. Other tests may reuse them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from flowgraph.load import flow_from_data
from flowgraph.model import Flow
from flowgraph.simulate.interpret import CallScript

IST = timezone(timedelta(hours=5, minutes=30))
NODE_KINDS = ("play", "menu", "transfer", "dialplan", "switch", "lookup", "hangup")
TERMINALS = ("transfer", "transfer", "hangup", "dialplan")
COLUMNS = ("agent", "rec", "kind")
SYSTEM_RECORDINGS = ("100", "101", "102", "0107")
MOH = "900"
PEOPLE = {
    "9876543210": {"agent": "9000000101", "rec": "101", "kind": "gold"},
    "+91-98123 45678": {"agent": "9000000102", "rec": "102", "kind": "silver"},
    "9000011111": {"agent": "9000000103", "rec": "100", "kind": "gold"},
}
REGIONS = {
    "98": {"agent": "9810000001", "rec": "100", "kind": "north"},
    "981": {"agent": "9810000002", "rec": "101", "kind": "north"},
    "94": {"agent": "9440000001", "rec": "102", "kind": "south"},
}
CALLERS = (
    "+919876543210",
    "9876543210",
    "919812345678",
    "+91-98100 12345",
    "+919400000001",
    "9000011111",
    "8000000000",
    "12345",
    "",
)
KEYS = ("1", "2", "3", "0", "*", "#", "12", "21")


class Gen:
    """One flow being drawn; ``broken`` flows may also draw values and wiring the checks reject."""

    def __init__(self, draw: Any, broken: bool, kinds: list[str]):
        self.draw = draw
        self.broken = broken
        self.kinds = kinds

    def pick(self, good: tuple[Any, ...], bad: tuple[Any, ...] = ()) -> Any:
        """One of ``good``, or (in a broken flow) of ``good + bad``."""
        return self.draw(st.sampled_from(good + bad if self.broken else good))


def _target(g: Gen, i: int, branch: str) -> str | None:
    """A branch target for node ``i``: a later node; in broken flows also back, none or unknown.

    A valid flow never sends a hangup straight after a decision or a menu: the step would have
    nothing to send (FG521); hangups follow a play or an unanswered transfer.
    """
    n = len(g.kinds)
    how = g.pick(("fwd",), ("fwd",) * 6 + ("back", "none", "unknown"))
    if how == "fwd" and branch == "no_answer":
        how = g.pick(("fwd", "none"))
    later = list(range(i + 1, n))
    if not g.broken and g.kinds[i] not in ("play", "transfer"):
        later = [j for j in later if g.kinds[j] != "hangup"] or later
    if how == "fwd" and later:
        return f"n{g.draw(st.sampled_from(later))}"
    if how == "back":
        return f"n{g.draw(st.integers(0, i))}"
    if how == "unknown":
        return "nowhere"
    return None


def _value(g: Gen, constants: tuple[str, ...], lookups: list[str], column: str) -> str:
    """A field value: usually constant, sometimes a lookup column or a call variable."""
    how = g.pick(("const",) * 4 + ("lookup", "call"))
    if how == "lookup" and lookups:
        return f"{{{{{g.draw(st.sampled_from(lookups))}.{column}}}}}"
    if how == "call":
        return "{{caller_id_number}}" if column == "agent" else "{{uuid}}"
    return str(g.draw(st.sampled_from(constants)))


def _recording(g: Gen, lookups: list[str]) -> dict[str, str]:
    if g.pick(("system",) * 4 + ("url",)) == "url":
        return {"type": "url", "data": f"https://audio.example.com/{g.draw(st.integers(1, 3))}.mp3"}
    constants = SYSTEM_RECORDINGS + (("555",) if g.broken else ())
    return {"type": "system", "data": _value(g, constants, lookups, "rec")}


def _menu(g: Gen) -> dict[str, Any]:
    options = g.draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True))
    node: dict[str, Any] = {"options": options}
    for key, good, bad in (
        ("timeout_ms", (None, 3000, 6000), (10,)),
        ("max_length", (None, 2, 4), (1,)),
        ("retry", (None, 0, 1, 2), (7,)),
    ):
        value = g.pick(good, bad)
        if value is not None:
            node[key] = value
    return node


def _transfer(g: Gen, lookups: list[str]) -> dict[str, Any]:
    kind = g.pick(("number", "number", "agent", "ivr", "auto_attendant", "department"))
    several = kind in ("number", "agent") or g.broken
    count = g.draw(st.sampled_from((1, 1, 2) if several else (1,)))
    if kind == "number":
        numbers = ("9876500001", "+919876500002", "98765 00003") + (("12345",) if g.broken else ())
        targets = [_value(g, numbers, lookups, "agent") for _ in range(count)]
    elif kind == "agent":
        targets = [g.draw(st.sampled_from(("05000001", "05000002"))) for _ in range(count)]
    else:
        targets = [g.draw(st.sampled_from(("22590", "5100"))) for _ in range(count)]
    node: dict[str, Any] = {"transfer": kind, "targets": targets}
    options = {
        "ring_type": ((None, None, "order_by", "simultaneous"), ("ringall",)),
        "moh": ((None, None, MOH), ("100", "777")),
        "skip_active": ((None, True, False), ()),
    }
    if kind not in ("number", "agent"):
        options["ring_type"] = ((None,), ("order_by",))
        options["skip_active"] = ((None,), (True,))
    for key, (good, bad) in options.items():
        value = g.pick(good, bad)
        if value is not None:
            node[key] = value
    return node


def _condition(g: Gen, lookups: list[str]) -> dict[str, Any]:
    on = g.pick(("caller", "dialled", "time", "variable", "table"))
    if on in ("caller", "dialled"):
        numbers = g.draw(st.lists(st.sampled_from(("9876543210", "+919000000001", "8040000000")), max_size=2))
        prefixes = g.draw(st.lists(st.sampled_from(("98", "94", "80")), max_size=2))
        if not numbers and not prefixes and not g.broken:
            prefixes = ["98"]
        return {"on": on, "numbers": numbers, "prefixes": prefixes}
    if on == "time":
        days = g.draw(
            st.lists(st.sampled_from(("mon", "tue", "wed", "thu", "fri", "sat", "sun")), min_size=1)
        )
        start, end = g.pick(
            (("09:00", "19:00"), ("00:00", "12:00"), ("18:30", "24:00")), (("22:00", "06:00"),)
        )
        return {"on": "time", "days": sorted(set(days)), "from": start, "to": end}
    if on == "variable" and lookups:
        variable = f"{g.draw(st.sampled_from(lookups))}.kind"
        return {"on": "variable", "variable": variable, "values": ["gold", "south"]}
    if on == "variable":
        return {"on": "variable", "variable": "uuid", "values": ["5f1e2d3c"]}
    return {"on": "table", "table": "people", "key": "{{caller_id_number}}"}


def _lookup(g: Gen) -> dict[str, Any]:
    how = g.pick(("people", "regions", "http"))
    if how == "http":
        return {"source": {"kind": "http", "url": "https://crm.example.com/caller"}}
    match = "exact" if how == "people" else "prefix"
    return {"source": {"kind": "table", "table": how, "key": "{{caller_id_number}}", "match": match}}


def _node(g: Gen, i: int) -> dict[str, Any]:
    kind = g.kinds[i]
    # Lookups earlier in the list: their columns may be used (the checks decide whether they are
    # defined on every path to the use).
    lookups = [f"n{j}" for j in range(i) if g.kinds[j] == "lookup"]
    node: dict[str, Any] = {"id": f"n{i}", "type": kind}
    if kind == "play":
        node["recording"] = _recording(g, lookups)
    elif kind == "menu":
        node.update(recording=_recording(g, lookups), **_menu(g))
    elif kind == "transfer":
        node.update(_transfer(g, lookups))
    elif kind == "dialplan":
        node["dialplan_id"] = g.pick(("66ab41c183715fc7da", "6140fff5dba07c19f853ac81"))
    elif kind == "switch":
        count = g.draw(st.integers(0, 3))
        node["cases"] = [{"branch": f"c{k}", "when": _condition(g, lookups)} for k in range(count)]
    elif kind == "lookup":
        node.update(_lookup(g))
    branches = {}
    for branch in _branches(node):
        target = _target(g, i, branch)
        if target is not None:
            branches[branch] = target
    node["branches"] = branches
    return node


def _branches(node: dict[str, Any]) -> list[str]:
    kind = node["type"]
    if kind == "play":
        return ["next"]
    if kind == "menu":
        return [*node["options"], "no_input", "invalid"]
    if kind == "switch":
        return [*(c["branch"] for c in node["cases"]), "default"]
    if kind == "lookup":
        return ["found", "not_found", "error"] if node["source"]["kind"] == "http" else ["found", "not_found"]
    if kind == "transfer":
        return ["no_answer"]
    return []


@st.composite
def flows(draw: Any) -> Flow:
    """A random flow (valid or not); always a well-formed document."""
    broken = draw(st.sampled_from((False, False, True)))
    n = draw(st.integers(2, 9))
    kinds = [draw(st.sampled_from(NODE_KINDS)) for _ in range(n - 1)]
    kinds.append(draw(st.sampled_from(TERMINALS)))
    g = Gen(draw, broken, kinds)
    doc: dict[str, Any] = {
        "id": "random",
        "entry": "n0",
        "nodes": [_node(g, i) for i in range(n)],
        "settings": _settings(g),
        "recordings": [{"id": r} for r in SYSTEM_RECORDINGS] + [{"id": MOH, "moh": True}],
        "tables": {
            "people": {"columns": list(COLUMNS), "rows": PEOPLE},
            "regions": {"columns": list(COLUMNS), "rows": REGIONS},
        },
    }
    return flow_from_data(doc, "random flow")


def _settings(g: Gen) -> dict[str, Any]:
    profile = {
        "nesting_limit": g.pick((3, 1, 2, 4)),
        "multi_action_form": g.pick(("nested", "flat")),
        "number_format": g.pick(("national10", "e164")),
        "transfer_fallthrough": g.pick((True,), (False,)),
        # Off: a recording after a transfer is an error (FG525); on: the journeys must agree.
        "transfer_fallthrough_other": g.pick((False, True)),
        "hangup_confirmed": g.pick((False, True)),
    }
    settings: dict[str, Any] = {"profile": profile}
    if g.pick((True,), (False,)):
        settings["failover"] = {"type": "department", "data": ["5100"]}
    ids = g.pick(({}, {"flow": "6733074ecbb570864f06bc14"}))
    settings["deployment"] = {"mode": g.pick(("per_step", "single")), "dialplan_ids": ids}
    return settings


@st.composite
def scripts(draw: Any, flow: Flow) -> CallScript:
    """A random call for ``flow``: presses, answers, a start time and every HTTP lookup's outcome."""
    start = datetime(2026, 11, 23, tzinfo=IST) + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60 - 1)))
    presses = draw(st.lists(st.sampled_from((None, None, *KEYS, "9", "123#")), max_size=6))
    lookups: dict[str, Any] = {}
    for node in flow.nodes:
        if node.type == "lookup" and node.source.kind == "http":
            outcome = draw(st.sampled_from(("found", "found", "partial", "not_found", "error")))
            if outcome == "found":
                lookups[node.id] = {"agent": "9000000199", "rec": "101", "kind": "gold"}
            elif outcome == "partial":  # an answer missing a column: templates render empty
                lookups[node.id] = {"kind": "south"}
            else:
                lookups[node.id] = outcome
    return CallScript(
        caller=draw(st.sampled_from(CALLERS)),
        dialled=draw(st.sampled_from(("+919000000001", "08040000000", "9000000000"))),
        start=start,
        presses=presses,
        answers=draw(st.lists(st.booleans(), max_size=4)),
        lookups=lookups,
    )
