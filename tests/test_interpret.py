"""The reference semantics, node type by node type, on small hand-written flows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from flowgraph.compile.emit import RecordingAction, TransferAction
from flowgraph.simulate import reading
from flowgraph.simulate.decisions import in_window, table_row
from flowgraph.simulate.interpret import (
    CallScript,
    Failover,
    Handoff,
    Hangup,
    Play,
    Prompt,
    Transfer,
    answer,
    walk,
)
from tests.factory import (
    build,
    caller_is,
    dialplan,
    hangup,
    in_table,
    ivr,
    lookup,
    play,
    switch,
    table,
    time_is,
)
from tests.factory import menu as menu_node
from tests.factory import transfer as transfer_node

FAILOVER = ("department", ("5100",))
TABLES = {
    "vip": table({"+91 98765 43210": {"agent": "9000000101"}}),
    "region": table({"98": {"agent": "1"}, "981": {"agent": "2"}}),
}


def make(nodes: list[dict[str, Any]], **profile: Any) -> Any:
    return build(*nodes, profile=profile, tables=TABLES)


def menu(node_id: str, options: list[str], **extra: Any) -> dict[str, Any]:
    """A menu whose options lead to ``<id>_<option>``, silence to ``quiet`` and wrong keys to ``wrong``."""
    return menu_node(
        node_id, {o: f"{node_id}_{o}" for o in options} | {"no_input": "quiet", "invalid": "wrong"}, **extra
    )


MENU_FLOW = [
    menu("m", ["1", "12"], max_length=2, retry=1),
    ivr("m_1"),
    ivr("m_12"),
    play("quiet", "601", "bye"),
    play("wrong", "602", "bye"),
    hangup(),
]


@pytest.mark.parametrize(
    ("presses", "pressed", "then"),
    [
        (["1"], ["1"], "m_1"),
        (["12"], ["12"], "m_12"),
        (["123"], ["12"], "m_12"),  # cut to max_length like the platform
        (["9"], ["9"], "wrong"),
        ([None, "1"], [None, "1"], "m_1"),  # retry=1: a second chance after silence
        ([None, None, "1"], [None, None], "quiet"),
        ([], [None, None], "quiet"),  # no presses left means no input
        (["-", ""], [None, None], "quiet"),
    ],
)
def test_menu_branches(presses: list[str | None], pressed: list[str | None], then: str) -> None:
    journey = walk(make(MENU_FLOW), CallScript(caller="9876543210", presses=presses))
    prompts = [e for e in journey.events if isinstance(e, Prompt)]
    assert [p.pressed for p in prompts] == pressed
    assert prompts[0] == Prompt("system", "500", 5000, 2, 1, pressed[0])
    assert journey.path[:2] == ["m", then]


def test_menu_digits_variable_is_set_in_the_continuation() -> None:
    flow = make(
        [
            menu_node("m", {"1": "say", "no_input": "say", "invalid": "say"}),
            play("say", "{{m.digits}}", "bye"),
            hangup(),
        ]
    )
    events = walk(flow, CallScript(caller="1", presses=["42"])).events
    assert events[1:] == [Play("system", "42"), Hangup()]


def test_switch_first_matching_case_wins_else_default() -> None:
    rules = [
        ("vip", in_table("vip")),
        ("north", caller_is(prefixes=["98"])),
        ("night", time_is("20:00", "24:00")),
    ]
    flow = make(
        [
            switch("s", rules, {"vip": "a", "north": "b", "night": "c", "default": "d"}),
            play("a", "1", "end"),
            play("b", "2", "end"),
            play("c", "3", "end"),
            play("d", "4", "end"),
            ivr(),
        ]
    )
    day = datetime(2026, 11, 26, 10, 0)
    night = datetime(2026, 11, 26, 21, 0)
    cases = [
        ("+919876543210", day, "a"),
        ("9811111111", day, "b"),
        ("9811111111", night, "b"),
        ("8000000000", night, "c"),
        ("8000000000", day, "d"),
    ]
    for caller, at, node in cases:
        assert walk(flow, CallScript(caller=caller, start=at)).path[:2] == ["s", node], (caller, at)


def test_time_rules_use_the_flow_time_zone() -> None:
    open_ = switch("s", [("open", time_is("09:00", "18:00", ["thu"]))], {"open": "a", "default": "b"})
    flow = make([open_, play("a", "1", "end"), play("b", "2", "end"), ivr()])
    # 04:00 UTC on Thursday is 09:30 in India (open); 13:00 UTC is 18:30 (closed).
    utc = UTC
    assert walk(flow, CallScript(caller="1", start=datetime(2026, 11, 26, 4, 0, tzinfo=utc))).path[1] == "a"
    assert walk(flow, CallScript(caller="1", start=datetime(2026, 11, 26, 13, 0, tzinfo=utc))).path[1] == "b"
    ist = timezone(timedelta(hours=5, minutes=30))
    assert walk(flow, CallScript(caller="1", start=datetime(2026, 11, 27, 10, 0, tzinfo=ist))).path[1] == "b"


def test_in_window_over_midnight_belongs_to_the_listed_day() -> None:
    fri_23 = datetime(2026, 11, 27, 23, 0)
    sat_02 = datetime(2026, 11, 28, 2, 0)
    assert in_window(fri_23, ["fri"], "22:00", "06:00")
    assert in_window(sat_02, ["fri"], "22:00", "06:00")
    assert not in_window(sat_02, ["sat"], "22:00", "06:00")
    assert not in_window(fri_23, ["fri"], "10:00", "10:00")


def test_table_lookups_exact_by_number_and_longest_prefix() -> None:
    flow = make([ivr()])
    assert table_row(flow, "vip", "exact", "+919876543210") == {"agent": "9000000101"}
    assert table_row(flow, "vip", "exact", "98765") is None
    assert table_row(flow, "region", "prefix", "+91 98123 45678") == {"agent": "2"}
    assert table_row(flow, "region", "prefix", "9800000000") == {"agent": "1"}
    assert table_row(flow, "region", "prefix", "7000000000") is None
    assert table_row(flow, "missing", "exact", "1") is None


def test_lookup_columns_become_variables_and_numbers_are_formatted() -> None:
    flow = make(
        [
            lookup("who", "vip", {"found": "agent", "not_found": "end"}),
            transfer_node("agent", "number", ["{{who.agent}}"]),
            ivr(),
        ],
        number_format="e164",
    )
    journey = walk(flow, CallScript(caller="9876543210"))
    assert journey.events == [Transfer("number", ("+919000000101",), "order_by", None, False, True)]
    assert journey.path == ["who", "agent"]
    assert walk(flow, CallScript(caller="9000000000")).path == ["who", "end"]


def test_unanswered_transfer_falls_through_only_when_wired_and_enabled() -> None:
    nodes = [transfer_node("t", "agent", ["05000001"], no_answer="end"), ivr()]
    first = Transfer("agent", ("05000001",), "order_by", None, False, False)
    second = Transfer("ivr", ("22590",), "order_by", None, False, True)
    assert walk(make(nodes), CallScript(caller="1", answers=[False])).events == [first, second]
    answered = walk(make(nodes), CallScript(caller="1"))
    assert answered.events == [Transfer("agent", ("05000001",), "order_by", None, False, True)]
    # The fall-through is sent with the transfer, but an answered call never reaches it.
    assert answered.path == ["t"]
    assert walk(make(nodes), CallScript(caller="1", answers=[False])).path == ["t", "end"]
    off = walk(make(nodes, transfer_fallthrough=False), CallScript(caller="1", answers=[False]))
    assert off.events == [first, Hangup()]


def test_handoff_and_nesting_limit() -> None:
    nodes = [menu_node("m", {"1": "away", "no_input": "away", "invalid": "away"}), dialplan("away")]
    ok = walk(make(nodes), CallScript(caller="1", presses=["1"]))
    assert ok.events[-1] == Handoff("66ab41c183715fc7da")
    # With a limit of 1 the hand-off would be a second hop: the platform fails over instead.
    over = walk(make(nodes, nesting_limit=1), CallScript(caller="1", presses=["1"]))
    assert over.events[-1] == Failover("nesting_limit", FAILOVER)
    assert isinstance(over.events[0], Prompt)


def test_broken_flows_end_in_a_failover_with_a_reason() -> None:
    unwired = walk(make([play("p", "1", "gone")]), CallScript(caller="1"))
    assert unwired.events == [Failover("server", FAILOVER)]
    assert "gone" in unwired.events[0].detail  # type: ignore[union-attr]
    loop = make([switch("s", [], {"default": "s"})])
    looped = walk(loop, CallScript(caller="1"))
    assert looped.events == [Failover("server", FAILOVER)]
    empty = walk(make([hangup("h")]), CallScript(caller="1"))
    assert empty.events == [Failover("server", FAILOVER)]  # never send []
    bad_number = make([transfer_node("t", "number", ["{{caller_id_number}}"])])
    # A templated number that is not a phone number is never sent: the server fails over.
    assert walk(bad_number, CallScript(caller="12345")).events == [Failover("server", FAILOVER)]
    assert walk(bad_number, CallScript(caller="")).events == [Failover("server", FAILOVER)]


def test_journey_json_and_description() -> None:
    journey = walk(make(MENU_FLOW), CallScript(caller="1", presses=["12"]))
    assert journey.to_json()["events"][0] == {
        "event": "prompt",
        "type": "system",
        "data": "500",
        "timeout_ms": 5000,
        "max_length": 2,
        "retry": 1,
        "pressed": "12",
    }
    assert journey.describe() == [
        "hears system prompt 500 (up to 2 digits), presses 12",
        "transferred to ivr 22590: answered",
    ]


# --- the oracle's own reading (flowgraph.simulate.reading), from NOTES.md and the platform doc ---


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        ("9876543210", "9876543210"),
        ("+919876543210", "9876543210"),
        ("919876543210", "9876543210"),
        ("09876543210", "9876543210"),
        ("+91-98765 43210", "9876543210"),
        ("(+91) 98765-43210", "9876543210"),
        ("0987654321", None),  # a national number never starts with 0
        ("98765432101", None),
        ("9876543210, 9876543211", None),
        ("+19876543210", None),
        ("9876543210.0", None),
        ("98765x43210", None),
        ("٩٨٧٦٥٤٣٢١٠", None),
        ("+91-98XXXXXXXX", None),
        ("", None),
    ],
)
def test_sendable_numbers(value: str, sent: str | None) -> None:
    assert reading.sendable(value) == sent
    assert reading.table_key(value) == (sent or value.strip())


@pytest.mark.parametrize(
    ("value", "national"),
    [
        ("+91-98765 43210", "9876543210"),
        ("918287842425", "8287842425"),
        ("+91-98XXXXXXXX", "9198"),
        (9876543210.0, "9876543210"),
        (True, ""),
    ],
)
def test_numbers_compare_by_their_last_ten_digits(value: Any, national: str) -> None:
    assert reading.national(reading.text_value(value)) == national


@pytest.mark.parametrize(
    ("value", "keys"),
    [
        ("1", "1"),
        (["1"], "1"),
        ([1], "1"),
        ("12#", "12#"),
        (" 3 ", "3"),
        ('["2"]', "2"),
        ("['2']", "2"),
        ("[2]", "2"),
        ('"2"', "2"),
        (["1", "2"], "12"),
        ("", None),
        ([], None),
        (None, None),
        ("null", None),
        ("$last_dtmf", None),
        ("[]", None),
        ('["$last_dtmf"]', None),
    ],
)
def test_key_presses_in_every_form(value: Any, keys: str | None) -> None:
    assert reading.read_dtmf(value) == keys


def test_call_data_keys_spellings_and_absent_values() -> None:
    call = reading.read_call(
        {
            " Caller_ID_Number ": 919876543210,
            "uuid": "$uuid",
            "uuid ": "ab12",
            "call_id": None,
            "start_stamp": "x",
        },
        reading.IST,
    )
    assert (call.caller_id_number, call.caller, call.uuid, call.call_id, call.start) == (
        "919876543210",
        "9876543210",
        "ab12",
        "",
        None,
    )


def test_walk_reads_raw_call_data() -> None:
    flow = make(
        [
            lookup("who", "vip", {"found": "agent", "not_found": "end"}),
            transfer_node("agent", "number", ["{{who.agent}}"]),
            ivr(),
        ]
    )
    raw = {"caller_id_number ": 919876543210, "CALL_ID": "1775719461.306731", "uuid": "$uuid"}
    journey = walk(flow, CallScript(caller="ignored", call_data=raw))
    assert journey.path == ["who", "agent"]
    assert journey.events == [Transfer("number", ("9000000101",), "order_by", None, False, True)]


def test_answer_gives_one_request_at_a_time() -> None:
    flow = make(MENU_FLOW)
    first = answer(flow, {"caller_id_number": "9876543210", "call_id": "c1"})
    assert first.failover is None and first.path == ["m"]
    assert isinstance(first.actions[0], RecordingAction) and first.actions[0].dtmf is not None  # type: ignore[index]
    carried: dict[str, str] = {}
    then = answer(flow, {"call_id": "c1", "last_dtmf": '["1","2"]'}, menu="m", carried=carried)
    assert then.path == ["m", "m_12"] and carried == {"m.digits": "12"}
    assert then.actions == [TransferAction("ivr", ("22590",), None, None, None)]
    hung = answer(make([hangup("h")]), {})
    assert (hung.actions, hung.failover) == (None, "server")
