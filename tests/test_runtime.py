"""The runtime: example calls (data-driven), decisions, lookups, and failover on every failure."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowgraph.compile.compiler import CompiledFlow, LookupOp, compile_flow
from flowgraph.compile.emit import validate_response
from flowgraph.load import flow_from_data, load_flow
from flowgraph.runtime.callvars import parse_call_vars
from flowgraph.runtime.engine import Runtime
from tests import factory

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "compile"
CALLS = [
    (path.name.removesuffix(".calls.json"), i, case)
    for path in sorted(FIXTURES.glob("*.calls.json"))
    for i, case in enumerate(json.loads(path.read_text()))
]
_COMPILED: dict[str, CompiledFlow] = {}


def compiled_example(name: str) -> CompiledFlow:
    if name not in _COMPILED:
        _COMPILED[name] = compile_flow(load_flow(ROOT / "examples" / f"{name}.json"))
    return _COMPILED[name]


@pytest.mark.parametrize(("flow", "index", "case"), CALLS, ids=[f"{f}-{c['name']}" for f, _, c in CALLS])
def test_example_calls(flow: str, index: int, case: dict[str, Any]) -> None:
    compiled = compiled_example(flow)
    answer = Runtime(compiled).answer_sync(case["step"], case["vars"])
    assert json.loads(answer.body) == case["body"]
    assert validate_response(answer.body, compiled.profile) == []
    assert b"\n" not in answer.body
    assert [list(t) for t in answer.trace] == case["trace"]
    assert answer.end == case["end"]
    assert answer.next_step == case["next_step"]
    if case["failover"] is None:
        assert answer.failover_reason is None
    else:
        assert answer.failover_reason is not None and case["failover"] in answer.failover_reason


def small_flow(nodes: list[dict[str, Any]], entry: str, **extra: Any) -> dict[str, Any]:
    return factory.flow(*nodes, entry=entry, failover={"type": "ivr", "data": ["999"]}, **extra)


DESK = factory.ivr("desk", "1")
VIP = factory.transfer("vip", "agent", ["05000001"])


def switch_flow(when: dict[str, Any], **extra: Any) -> CompiledFlow:
    switch = {
        "id": "sw",
        "type": "switch",
        "cases": [{"branch": "hit", "when": when}],
        "branches": {"hit": "vip", "default": "desk"},
    }
    return compile_flow(flow_from_data(small_flow([switch, VIP, DESK], "sw", **extra)))


def branch_of(compiled: CompiledFlow, variables: dict[str, Any]) -> str:
    answer = Runtime(compiled).answer_sync("entry", variables)
    assert answer.failover_reason is None, answer.failover_reason
    return answer.trace[0][1]


@pytest.mark.parametrize(
    ("caller", "branch"),
    [
        ("+919876543210", "hit"),
        ("09876543210", "hit"),
        ("9812000000", "hit"),
        ("9712000000", "default"),
        ("", "default"),
    ],
)
def test_switch_on_caller_numbers_and_prefixes(caller: str, branch: str) -> None:
    compiled = switch_flow({"on": "caller", "numbers": ["+91 98765 43210"], "prefixes": ["9812"]})
    assert branch_of(compiled, {"caller_id_number": caller}) == branch


def test_switch_on_dialled_number() -> None:
    compiled = switch_flow({"on": "dialled", "numbers": ["9240202904"]})
    assert branch_of(compiled, {"call_to_number": "+91-9240202904"}) == "hit"
    assert branch_of(compiled, {"call_to_number": "9240202905"}) == "default"


@pytest.mark.parametrize(
    ("stamp", "branch"),
    [
        ("2026-03-06 09:00:00", "hit"),  # Friday, from is inclusive
        ("2026-03-06 08:59:59", "default"),
        ("2026-03-06 17:29:59", "hit"),
        ("2026-03-06 17:30:00", "default"),  # to is exclusive
        ("2026-03-07 10:00:00", "default"),  # Saturday not listed
        ("2026-03-06T04:00:00Z", "hit"),  # 09:30 IST
    ],
)
def test_switch_on_time_window(stamp: str, branch: str) -> None:
    compiled = switch_flow({"on": "time", "days": ["mon", "fri"], "from": "09:00", "to": "17:30"})
    assert branch_of(compiled, {"start_stamp": stamp}) == branch


def test_time_window_uses_profile_timezone() -> None:
    compiled = switch_flow(
        {"on": "time", "from": "09:00", "to": "10:00"},
        settings={"failover": {"type": "ivr", "data": ["999"]}, "profile": {"timezone": "UTC"}},
    )
    assert branch_of(compiled, {"start_stamp": "2026-03-06T09:30:00+05:30"}) == "default"  # 04:00 UTC
    assert branch_of(compiled, {"start_stamp": "2026-03-06 09:30:00"}) == "hit"


def test_time_window_without_stamp_uses_now() -> None:
    compiled = switch_flow({"on": "time", "from": "00:00", "to": "24:00"})
    assert branch_of(compiled, {}) == "hit"


def test_switch_on_table_membership() -> None:
    tables = {"vips": {"columns": ["name"], "rows": {"+91-9876543210": {"name": "A"}}}}
    compiled = switch_flow({"on": "table", "table": "vips", "key": "{{caller_id_number}}"}, tables=tables)
    assert branch_of(compiled, {"caller_id_number": "919876543210"}) == "hit"
    assert branch_of(compiled, {"caller_id_number": "9876543211"}) == "default"


def test_switch_on_lookup_variable_and_menu_digits() -> None:
    lookup = factory.lookup("acct", "acc", {"found": "sw", "not_found": "desk"})
    gold = factory.variable_is("acct.tier", ["gold"])
    switch = factory.switch("sw", [("gold", gold)], {"gold": "vip", "default": "desk"})
    tables = {"acc": factory.table({"9876543210": {"tier": "gold"}, "9000000000": {"tier": "x"}})}
    compiled = compile_flow(flow_from_data(small_flow([lookup, switch, VIP, DESK], "acct", tables=tables)))
    rt = Runtime(compiled)
    assert rt.answer_sync("entry", {"caller_id_number": "9876543210"}).end == "vip"
    assert rt.answer_sync("entry", {"caller_id_number": "9000000000"}).end == "desk"
    assert rt.answer_sync("entry", {"caller_id_number": "9111111111"}).trace[0] == ("acct", "not_found")


def menu_flow(options: list[str], play_data: str = "{{m.digits}}") -> CompiledFlow:
    branches = {**{o: "echo" for o in options}, "no_input": "desk", "invalid": "desk"}
    menu = factory.menu("m", branches, data="5", max_length=3)
    echo = factory.play("echo", f"https://a/{play_data}.wav", "desk", kind="url")
    return compile_flow(flow_from_data(small_flow([menu, echo, DESK], "m")))


@pytest.mark.parametrize(
    ("dtmf", "branch"),
    [
        ("1", "1"),
        (["12"], "12"),
        ("12#", "12"),  # one trailing # ends input (callvars.menu_keys)
        ("1#", "1"),
        ("#", "#"),
        ("##", "#"),
        ('["2"]', "invalid"),
        ("7", "invalid"),
        ("", "no_input"),
        (None, "no_input"),
    ],
)
def test_menu_decision(dtmf: Any, branch: str) -> None:
    compiled = menu_flow(["1", "12", "#"])
    answer = Runtime(compiled).answer_sync("after_m", {"last_dtmf": dtmf})
    assert answer.trace[0] == ("m", branch)


def test_menu_digits_variable() -> None:
    compiled = menu_flow(["1", "2"])
    answer = Runtime(compiled).answer_sync("after_m", {"last_dtmf": ["2"]})
    assert json.loads(answer.body)[0][0] == {"recording": {"type": "url", "data": "https://a/2.wav"}}


def test_unknown_step_and_garbage_step_fail_over() -> None:
    rt = Runtime(compiled_example("nested_three_steps"))
    for step in ("after_nothing", "", "../../etc"):
        answer = rt.answer_sync(step, {})
        assert answer.body == b'[{"transfer":{"type":"ivr","data":["22590"]}}]'
        assert answer.failover_reason == f"unknown_step: '{step}'"


def test_step_with_nothing_to_send_fails_over() -> None:
    # The checks reject this (FG521); compile it anyway to prove the runtime never sends [].
    data = small_flow([factory.hangup("bye")], "bye")
    compiled = compile_flow(flow_from_data(data), diagnostics=[])
    answer = Runtime(compiled).answer_sync("entry", {})
    assert answer.body == b'[{"transfer":{"type":"ivr","data":["999"]}}]'
    assert answer.failover_reason is not None and "no action" in answer.failover_reason
    assert answer.trace == [("bye", "")]


def test_empty_variable_fails_over_instead_of_sending_a_blank_target() -> None:
    lookup = factory.lookup("l", "t", {"found": "go", "not_found": "desk"})
    go = factory.transfer("go", "number", ["{{l.number}}"])
    tables = {"t": factory.table({"9876543210": {"number": " "}})}
    compiled = compile_flow(flow_from_data(small_flow([lookup, go, DESK], "l", tables=tables)))
    answer = Runtime(compiled).answer_sync("entry", {"caller_id_number": "9876543210"})
    assert answer.failover_reason is not None and "'{{l.number}}' is empty" in answer.failover_reason
    assert answer.end == "go"


def test_internal_error_becomes_failover() -> None:
    compiled = compiled_example("number_masking")
    broken_op = replace(compiled.ops["find_pair"], key=None)  # a corrupted plan
    assert isinstance(broken_op, LookupOp)
    broken = replace(compiled, ops={**compiled.ops, "find_pair": broken_op})
    answer = Runtime(broken).answer_sync("entry", {"caller_id_number": "9876543210"})
    assert answer.failover_reason is not None and answer.failover_reason.startswith("internal error")
    assert answer.body == compiled.failover_body


async def test_http_lookup_without_client_fails_over() -> None:
    lookup = factory.http_lookup(
        "api", "http://127.0.0.1:9/x", {"found": "desk", "not_found": "desk", "error": "desk"}
    )
    compiled = compile_flow(flow_from_data(small_flow([lookup, DESK], "api")))
    answer = await Runtime(compiled).answer("entry", parse_call_vars({}))
    assert answer.failover_reason is not None and "HTTP lookup client" in answer.failover_reason


def test_uses_call_data() -> None:
    rt = Runtime(compiled_example("nested_three_steps"))
    assert rt.uses_call_data("entry") is False
    assert rt.uses_call_data("after_step1") is True
    assert Runtime(compiled_example("registered_users")).uses_call_data("entry") is True


_values = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(),
    st.lists(st.one_of(st.text(max_size=3), st.integers()), max_size=3),
)
_call = st.dictionaries(
    st.sampled_from(
        ["uuid", "call_id", "caller_id_number", "call_to_number", "start_stamp", "last_dtmf", "call_flow"]
    ),
    _values,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    flow=st.sampled_from(["nested_three_steps", "number_masking", "regional_routing", "delivery_agents"]),
    step=st.sampled_from(["entry", "after_step1", "after_step3", "after_help_menu", "bogus"]),
    variables=_call,
)
def test_any_request_gets_a_valid_platform_answer(flow: str, step: str, variables: dict[str, Any]) -> None:
    compiled = compiled_example(flow)
    answer = Runtime(compiled).answer_sync(step, copy.deepcopy(variables))
    assert validate_response(answer.body, compiled.profile) == []
    if step not in compiled.steps:
        assert answer.failover_reason is not None


def test_templated_number_that_is_not_a_phone_number_fails_over() -> None:
    flow = flow_from_data(
        {
            "id": "f",
            "entry": "t",
            "nodes": [
                {"id": "t", "type": "transfer", "transfer": "number", "targets": ["{{caller_id_number}}"]}
            ],
            "settings": {"failover": {"type": "ivr", "data": ["22590"]}},
        }
    )
    rt = Runtime(compile_flow(flow))
    good = rt.answer_sync("entry", {"caller_id_number": "+91-9876543210"})
    assert json.loads(good.body) == [{"transfer": {"type": "number", "data": ["9876543210"]}}]
    bad = rt.answer_sync("entry", {"caller_id_number": "12345"})
    assert json.loads(bad.body) == [{"transfer": {"type": "ivr", "data": ["22590"]}}]
    assert bad.failover_reason is not None and bad.failover_reason.startswith("bad_number:")
