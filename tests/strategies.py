"""Hypothesis strategies for random call flows and random scripted calls.

``flows()`` draws flows of every node type with random wiring: mostly forward (so a good share
are valid), sometimes backwards (cycles), unwired, to unknown nodes, nested deeper than the
limit, with bad platform values or variables that are not defined. ``scripts(flow)`` draws
calls for a flow: callers in every seen number form (some in its tables), times across the
week, key presses (options, wrong keys, long input, no input), transfer answers and an outcome
for each HTTP lookup, and half the time the call data in a raw form (``CallScript.call_data``).
``call_data()``, ``numbers()`` and ``dtmf_values()`` draw what the platform may send in every
form NOTES.md lists, valid and not: the oracle's reading and the runtime's are compared on them
(tests/test_property.py, tests/server/test_oracle_live.py). Other tests may reuse them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from flowgraph.load import flow_from_data
from flowgraph.model import Flow
from flowgraph.simulate.interpret import CallScript
from flowgraph.simulate.reading import read_call

IST = timezone(timedelta(hours=5, minutes=30))
NODE_KINDS = ("play", "menu", "transfer", "dialplan", "switch", "lookup", "hangup", "split")
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
#: National numbers the drawn flows' tables and conditions name (and one they do not).
KNOWN_NATIONALS = ("9876543210", "9812345678", "9000011111", "9400000001", "8000000000", "9810012345")


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
        if g.pick((False, True)):
            # Ring the caller back: a caller number that is not one national number (as many drawn
            # callers are not) gives the failover (bad_number).
            targets[0] = "{{caller_id_number}}"
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
    elif kind == "split":
        node["arms"] = _arms(g)
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
    if kind == "split":
        return list(dict.fromkeys(a["branch"] for a in node["arms"]))
    return []


def _arms(g: Gen) -> list[dict[str, Any]]:
    """A split's arms: shares adding up to 100 (in a broken flow maybe not, or an arm twice)."""
    shares = g.pick(((50, 50), (10, 90), (34, 33, 33), (100,), (0, 100), (1, 99)), ((60, 60), (20, 30)))
    names = [f"a{k}" for k in range(len(shares))]
    if len(names) > 1 and g.pick((False,), (False, False, True)):
        names[-1] = names[0]  # FG109
    return [{"branch": b, "share": share} for b, share in zip(names, shares, strict=True)]


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
    raw = None
    if draw(st.booleans()):
        # The call data in a raw form: the interpreter and the runtime read it each their own way.
        timed = any(c.when.on == "time" for n in flow.nodes if n.type == "switch" for c in n.cases)
        raw = draw(
            call_data(with_stamp=timed, nationals=st.sampled_from(KNOWN_NATIONALS) | _national_digits())
        )
        call = read_call(raw, IST)
        if not call.uuid and not call.call_id:
            raw["call_id"] = "1775719461.306731"  # a call with no id cannot be resumed after a menu
    return CallScript(
        call_data=raw,
        caller=draw(st.sampled_from(CALLERS) | numbers(st.sampled_from(KNOWN_NATIONALS)).filter(_is_text)),
        dialled=draw(st.sampled_from(("+919000000001", "08040000000", "9000000000"))),
        start=start,
        presses=presses,
        answers=draw(st.lists(st.booleans(), max_size=4)),
        lookups=lookups,
    )


# --- call data, numbers and key presses in every form NOTES.md lists ---------------------------
#
# Raw values as the platform may send them: what the reference reading
# (flowgraph.simulate.reading) and the runtime's (flowgraph.runtime.callvars, flowgraph.profile)
# are compared on. Each strategy draws valid and invalid shapes.

#: Digits in other scripts: ``str.isdigit`` says yes, the platform never sends them as digits.
UNICODE_DIGITS = tuple("".join(chr(zero + d) for d in range(10)) for zero in (0x0660, 0x0966, 0xFF10))
VARIABLE_NAMES = (
    "uuid",
    "call_id",
    "call_to_number",
    "caller_id_number",
    "start_stamp",
    "last_dtmf",
    "call_flow",
)
#: NOTES.md: an absent value is missing, null, "" or the literal placeholder.
ABSENT = ("", None, "  ")


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _national_digits() -> st.SearchStrategy[str]:
    """10 national digits: mostly a real mobile's (6-9 first), sometimes a landline's or a 0."""
    first = st.sampled_from("9876" * 3 + "12345" + "0")
    return st.builds(lambda f, rest: f + rest, first, st.text("0123456789", min_size=9, max_size=9))


def _spaced(draw: Any, text: str) -> str:
    """``text`` with separators people write (spaces, hyphens, brackets) between its characters."""
    out = []
    for ch in text:
        out.append(ch)
        if draw(st.integers(0, 6)) == 0:
            out.append(draw(st.sampled_from((" ", "-", " - ", "(", ")", "\u00a0", "\t"))))
    return "".join(out)


@st.composite
def numbers(draw: Any, nationals: st.SearchStrategy[str] | None = None) -> Any:
    """A phone number as received or looked up: valid forms (``9876543210``, ``+91 98765-43210``,
    ``919876543210``, ``09876543210``) and invalid ones (too short or long, letters, a second
    number, another country, a float, unicode digits, masked, empty, a placeholder); sometimes a
    JSON number instead of text."""
    national = draw(nationals if nationals is not None else _national_digits())
    shape = draw(
        st.sampled_from(
            (
                "plain",
                "plus91",
                "91",
                "0",
                "plus91",
                "spaced",
                "short",
                "long",
                "letters",
                "two",
                "country",
                "float",
                "float_text",
                "unicode",
                "masked",
                "absent",
                "placeholder",
                "00",
                "int",
                "ext",
            )
        )
    )
    prefix = draw(st.sampled_from(("", "+91", "91", "0", "+91-", "+91 ", "0091")))
    if shape == "plain":
        return national
    if shape in ("plus91", "91", "0"):
        return {"plus91": "+91", "91": "91", "0": "0"}[shape] + national
    if shape == "spaced":
        return _spaced(draw, prefix + national)
    if shape == "short":
        return prefix + national[: draw(st.integers(1, 9))]
    if shape == "long":
        return prefix + national + draw(st.text("0123456789", min_size=1, max_size=3))
    if shape == "letters":
        i = draw(st.integers(0, 9))
        return prefix + national[:i] + draw(st.sampled_from(("x", "X", "a", "ext"))) + national[i:]
    if shape == "two":
        return f"{national}{draw(st.sampled_from((', ', ',', ' / ', ';')))}{draw(_national_digits())}"
    if shape == "country":
        return draw(st.sampled_from(("+1", "+44", "+92", "+9"))) + national
    if shape == "float":
        return float(int(prefix.strip("+- ") + national) if prefix.strip("+- ").isdigit() else int(national))
    if shape == "float_text":
        return prefix + national + draw(st.sampled_from((".0", ".00", ".5", "e0")))
    if shape == "unicode":
        table = draw(st.sampled_from(UNICODE_DIGITS))
        mixed = draw(st.booleans())
        return prefix + "".join(table[int(c)] if (not mixed or i % 2) else c for i, c in enumerate(national))
    if shape == "masked":
        return prefix + national[:2] + "X" * 8
    if shape == "absent":
        return draw(st.sampled_from(ABSENT))
    if shape == "placeholder":
        return draw(st.sampled_from(("$caller_id_number", "$call_to_number", " $caller_id_number ")))
    if shape == "int":
        return int(prefix.strip("+- ") + national) if prefix.strip("+- ").isdigit() else int(national)
    if shape == "ext":
        return national + draw(st.sampled_from(("x12", " ext 5", "#3")))
    return "00" + national


@st.composite
def dtmf_values(draw: Any, keys: st.SearchStrategy[str] | None = None) -> Any:
    """``last_dtmf`` as the platform may send it: text (``"1"``, ``"12#"``, ``"#"``), arrays
    (``["1"]``, ``[1]``, ``["1","2"]``), an array or keys pasted into a quoted template
    (``'["2"]'``, ``"['2']"``, ``"[2]"``, ``'"2"'``) and no input (``""``, ``[]``, ``null``,
    ``"null"``, ``"$last_dtmf"``), with stray whitespace and terminators. ``keys``: the keys
    pressed (any of ``0-9*#`` by default), before a terminating ``#`` is maybe added."""
    pressed = draw(keys if keys is not None else st.text("0123456789*#", min_size=1, max_size=5))
    sent = pressed + draw(st.sampled_from(("", "", "#", "##")))
    form = draw(
        st.sampled_from(
            (
                "text",
                "text",
                "list",
                "ints",
                "split",
                "json_text",
                "py_text",
                "bare_text",
                "quoted",
                "none",
                "int",
            )
        )
    )
    if form == "text":
        return draw(st.sampled_from(("", " ", "\t"))) + sent + draw(st.sampled_from(("", " ")))
    if form == "list":
        return [sent]
    if form == "ints":
        return [int(c) for c in sent if c.isdigit()]
    if form == "split":
        return list(sent)
    if form == "json_text":
        return json.dumps(
            list(sent) if draw(st.booleans()) else [sent],
            separators=(",", draw(st.sampled_from((":", ": ")))),
        )
    if form == "py_text":
        return "[" + ", ".join(f"'{c}'" for c in sent) + "]"
    if form == "bare_text":
        return "[" + ",".join(c for c in sent if c.isdigit()) + "]"
    if form == "quoted":
        return f'"{sent}"'
    if form == "int":
        digits = "".join(c for c in sent if c.isdigit())
        return int(digits) if digits and digits[0] != "0" else digits
    return draw(
        st.sampled_from(("", [], None, "null", "$last_dtmf", " $last_dtmf", "[]", '""', [""], ["$last_dtmf"]))
    )


def _key(draw: Any, name: str) -> str:
    """A key naming ``name`` as a template might spell it: stray whitespace, other case."""
    spelling = draw(st.sampled_from(("same", "same", "same", "space", "upper", "title")))
    if spelling == "space":
        return draw(st.sampled_from((" ", "", "\t"))) + name + draw(st.sampled_from((" ", "  ", "")))
    if spelling == "upper":
        return name.upper()
    if spelling == "title":
        return name.title()
    return name


def _stamp_value(draw: Any, always: bool) -> Any:
    """``start_stamp`` in the documented form (``YYYY-mm-dd HH:MM:SS``), or (unless ``always``) absent."""
    when = datetime(2026, 11, 23) + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60 - 1)))
    text = when.strftime("%Y-%m-%d %H:%M:%S")
    return text if always else draw(st.sampled_from((text, text, text, "", None, "$start_stamp")))


def _id_value(draw: Any, name: str) -> Any:
    """A call id or uuid in a form NOTES.md lists, or absent; sometimes a JSON number."""
    if name == "uuid":
        good: tuple[Any, ...] = ("5f1e2d3c", "7611", 7611, "a1b2c3d4e5f6", " 5f1e2d3c ")
    else:
        good = (
            "1775719461.306731",
            "h11.08-1770532638.2135633",
            "6f1c2a7e-4b1d-4c3a-9e2f-0a1b2c3d4e5f",
            1775719461,
        )
    return draw(st.sampled_from((*good, good[0], "", None, f"${name}")))


_CALL_FLOW = (
    [
        {"type": "init", "value": "1775967644.594011", "time": "1775967648"},
        {"type": "hangup", "time": 1775967659},
    ],
    '[{"type":"init","value":"1775967644.594011","time":"1775967648"}]',
    "",
    "$call_flow",
    None,
    [],
)


@st.composite
def call_data(
    draw: Any, with_stamp: bool = True, dtmf: bool = False, nationals: st.SearchStrategy[str] | None = None
) -> dict[str, Any]:
    """One request's call data in the forms NOTES.md lists: keys with stray whitespace or in
    another case, values absent in every way (missing, ``null``, ``""``, ``$placeholder``),
    numbers in mixed forms and JSON types, a key given twice (one spelling absent), unknown keys
    beside. ``with_stamp``: ``start_stamp`` is always in the documented form (a journey with a
    time rule would otherwise depend on the clock). ``dtmf``: include a ``last_dtmf``."""
    out: dict[str, Any] = {}
    names = list(VARIABLE_NAMES if dtmf else VARIABLE_NAMES[:5] + VARIABLE_NAMES[6:])
    for name in names:
        if (name != "start_stamp" or not with_stamp) and draw(st.integers(0, 7)) == 0:
            continue  # missing
        if name in ("caller_id_number", "call_to_number"):
            value = draw(numbers(nationals))
        elif name == "start_stamp":
            value = _stamp_value(draw, with_stamp)
        elif name == "last_dtmf":
            value = draw(dtmf_values())
        elif name == "call_flow":
            value = draw(st.sampled_from(_CALL_FLOW))
        else:
            value = _id_value(draw, name)
        key = _key(draw, name)
        if draw(st.integers(0, 5)) == 0:
            # The same variable twice (a template with "uuid" and "uuid "): one of them absent.
            other = name + " " if key == name else name
            absent = draw(st.sampled_from((*ABSENT, f"${name}")))
            pair = [(other, absent), (key, value)]
            if draw(st.booleans()):
                pair.reverse()
            out.update(pair)
        else:
            out[key] = value
    if draw(st.booleans()):
        out[draw(st.sampled_from(("customer_no_with_prefix ", "extra", "did")))] = draw(numbers())
    return out
