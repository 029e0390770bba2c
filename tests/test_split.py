"""The split node: shares over many callers, sticky arms, stable across versions, every stage."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from flowgraph.checks import check
from flowgraph.compile.compiler import compile_flow, flow_version
from flowgraph.diagnostics import FlowLoadError
from flowgraph.load import flow_from_data, load_flow
from flowgraph.pictures.drawing import settings_lines
from flowgraph.runtime.engine import Runtime
from flowgraph.runtime.split import arm_index, bounds, bucket
from flowgraph.simulate.interpret import split_arm, walk
from flowgraph.simulate.platform import CallScript, Transfer
from flowgraph.simulate.simulator import simulate

ROOT = Path(__file__).resolve().parents[1]
ARMS = (("a", 20), ("b", 30), ("c", 50))


def _doc(arms: tuple[tuple[str, int], ...] = ARMS, recording: str = "100") -> dict[str, Any]:
    """A split straight into one transfer per arm (a hello first, so each answer sends two actions)."""
    nodes: list[dict[str, Any]] = [
        {"id": "hello", "type": "play", "recording": {"data": recording}, "branches": {"next": "ab"}},
        {
            "id": "ab",
            "type": "split",
            "arms": [{"branch": b, "share": s} for b, s in arms],
            "branches": {b: f"to_{b}" for b, _s in arms},
        },
    ]
    nodes += [
        {"id": f"to_{b}", "type": "transfer", "transfer": "department", "targets": [str(5000 + i)]}
        for i, (b, _s) in enumerate(arms)
    ]
    return {
        "id": "ab_flow",
        "entry": "hello",
        "nodes": nodes,
        "settings": {"failover": {"type": "department", "data": ["5999"]}},
    }


def _callers(n: int) -> list[str]:
    return [f"9{i:09d}" for i in range(10_000_000, 10_000_000 + n)]


def _arm_of(journey: Any) -> str:
    transfer = next(e for e in journey.events if isinstance(e, Transfer))
    return ARMS[int(transfer.targets[0]) - 5000][0]


def test_shares_hold_within_two_percent_over_10000_simulated_callers() -> None:
    compiled = compile_flow(flow_from_data(_doc()))
    counts = Counter(_arm_of(simulate(compiled, CallScript(caller=c))) for c in _callers(10_000))
    for branch, share in ARMS:
        assert abs(counts[branch] / 100 - share) <= 2, (branch, counts)


def test_the_same_caller_takes_the_same_arm_in_every_form_and_every_time() -> None:
    compiled = compile_flow(flow_from_data(_doc()))
    for caller in _callers(40):
        forms = [caller, "+91" + caller, "0" + caller, f"+91 {caller[:5]} {caller[5:]}", "91" + caller]
        arms = {_arm_of(simulate(compiled, CallScript(caller=form))) for form in forms for _ in range(2)}
        assert len(arms) == 1, (caller, arms)


def test_a_caller_keeps_the_arm_across_two_versions() -> None:
    one, two = flow_from_data(_doc(recording="100")), flow_from_data(_doc(recording="200"))
    assert flow_version(one) != flow_version(two)
    first, second = compile_flow(one), compile_flow(two)
    moved = [
        c
        for c in _callers(500)
        if _arm_of(simulate(first, CallScript(caller=c))) != _arm_of(simulate(second, CallScript(caller=c)))
    ]
    assert moved == []


def test_a_caller_whose_number_cannot_be_read_takes_the_first_arm() -> None:
    compiled = compile_flow(flow_from_data(_doc()))
    for caller in ("", "anonymous", "+1 415 555 0100", "+91-98XXXXXXXX", "12345"):
        assert _arm_of(simulate(compiled, CallScript(caller=caller))) == "a", caller
        assert arm_index(caller, "ab", bounds([20, 30, 50])) == 0


def test_an_arm_at_zero_percent_gets_nobody_not_even_unreadable_numbers() -> None:
    """A rollout (old 0 %, new 100 %) sends withheld callers to the first arm with a share."""
    arms = (("a", 0), ("b", 30), ("c", 70))
    flow = flow_from_data(_doc(arms))
    compiled = compile_flow(flow)
    targets = {b: str(5000 + i) for i, (b, _s) in enumerate(arms)}
    for caller in ("", "anonymous", *_callers(300)):
        journey = simulate(compiled, CallScript(caller=caller))
        transfer = next(e for e in journey.events if isinstance(e, Transfer))
        assert transfer.targets[0] != targets["a"], caller
        assert journey == walk(flow, CallScript(caller=caller))
    assert arm_index("anonymous", "ab", bounds([0, 30, 70])) == 1


def test_the_reference_interpreter_agrees_with_its_own_hashing() -> None:
    flow = flow_from_data(_doc())
    node = flow.node_map()["ab"]
    for caller in [*_callers(300), "anonymous", "+919000000123"]:
        journey = walk(flow, CallScript(caller=caller))
        assert journey == simulate(flow, CallScript(caller=caller))
        assert _arm_of(journey) == split_arm(node, caller)


def test_the_bucket_depends_on_the_node_id_not_only_the_number() -> None:
    assert bucket("9810000001", "ab") != bucket("9810000001", "cd")
    assert 0 <= bucket("9810000001", "ab") < 10_000
    assert bounds([20, 30, 50]) == (2000, 5000, 10000)


def test_the_runtime_traces_the_arm_taken() -> None:
    runtime = Runtime(compile_flow(flow_from_data(_doc())))
    answer = runtime.answer_sync("entry", {"call_id": "c1", "caller_id_number": "9810000001"})
    assert answer.failover_reason is None
    assert [n for n, _b in answer.trace] == ["hello", "ab", f"to_{answer.trace[1][1]}"]
    assert answer.trace[1][1] in {"a", "b", "c"}


def test_shares_that_do_not_add_up_to_100_are_an_error_naming_the_node() -> None:
    found = check(flow_from_data(_doc(arms=(("a", 60), ("b", 30)))))
    errors = [d for d in found if d.code == "FG108"]
    assert len(errors) == 1 and errors[0].nodes == ("ab",) and errors[0].field == "arms[1].share"
    assert "90%" in errors[0].message and errors[0].evidence["shares"] == {"a": 60, "b": 30}
    empty = _doc()
    empty["nodes"][1]["arms"] = []
    assert [d.field for d in check(flow_from_data(empty)) if d.code == "FG108"] == ["arms"]


def test_a_share_out_of_range_is_refused_on_load_with_its_location() -> None:
    doc = copy.deepcopy(_doc())
    doc["nodes"][1]["arms"][0]["share"] = 120
    with pytest.raises(FlowLoadError, match=r"node 'ab' nodes\[1\]\.arms\[0\]\.share"):
        flow_from_data(doc, "ab.json")


def test_the_picture_shows_the_shares() -> None:
    flow = flow_from_data(_doc())
    lines = settings_lines(flow, flow.node_map()["ab"])
    assert lines == ["callers: a 20%, b 30%, c 50%", "sticky per caller number"]


def test_the_example_ships_tests_covering_both_arms() -> None:
    flow = load_flow(ROOT / "examples" / "greeting_ab_test.json")
    assert {t.expect.path[1] for t in flow.tests if t.expect.path} == {"classic_greeting", "new_greeting"}
