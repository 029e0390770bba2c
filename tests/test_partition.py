"""Partition: steps cut after every menu, depths count api_dialplan hops."""

from __future__ import annotations

from pathlib import Path

from flowgraph import load_flow
from flowgraph.compile.partition import partition
from tests import factory

ROOT = Path(__file__).resolve().parent.parent


def _menu(node_id: str, nxt: str, other: str = "op") -> dict:
    return factory.menu(node_id, {"1": nxt, "no_input": other, "invalid": other}, data="1")


OP = factory.ivr("op", "1")


def test_three_steps_example_has_four_requests() -> None:
    part = partition(load_flow(ROOT / "examples" / "nested_three_steps.json"))
    assert part.order == ("entry", "after_step1", "after_step2", "after_step3")
    assert [part.steps[s].depth for s in part.order] == [0, 1, 2, 3]
    assert part.longest_chain() == ["entry", "after_step1", "after_step2", "after_step3"]
    assert part.node_steps["operator"] == ("after_step1", "after_step2", "after_step3")


def test_depth_is_the_longest_route_of_hops() -> None:
    # entry -> a ; a:1 -> b ; a:other -> op ; b:1 -> c ... and a shortcut entry -> c is not possible
    # without a switch, so use one: the switch sends some callers straight to c (depth 1) while
    # others reach c through a and b (depth 2). The deeper route counts.
    vip = factory.caller_is(["9876543210"])
    flow = factory.build(
        factory.switch("s", [("vip", vip)], {"vip": "c", "default": "a"}),
        _menu("a", "b"),
        _menu("b", "c"),
        _menu("c", "op"),
        OP,
        failover=None,
    )
    part = partition(flow)
    assert part.steps["entry"].menus == ("c", "a")
    assert part.steps["after_c"].depth == 3  # entry -> a -> b -> c: three hops before after_c
    assert part.hops_of("op") == 3


def test_transfer_no_answer_continues_in_the_same_step() -> None:
    flow = factory.build(
        factory.transfer("t", "agent", ["1"], no_answer="m"), _menu("m", "op"), OP, failover=None
    )
    part = partition(flow)
    assert part.steps["entry"].nodes == ("t", "m")
    off = flow.model_copy(deep=True)
    off.settings.profile.transfer_fallthrough = False
    assert partition(off).steps["entry"].nodes == ("t",)


def test_cycles_do_not_hang_and_are_flagged() -> None:
    flow = factory.build(_menu("a", "b"), _menu("b", "a"), OP, failover=None)
    part = partition(flow)
    assert part.cyclic
    assert set(part.steps) == {"entry", "after_a", "after_b"}
