"""Node-type specs: every table keyed by node type covers every type, and unknown types are errors."""

from __future__ import annotations

import json
import typing
from types import SimpleNamespace

import pytest

from flowgraph.cli import main
from flowgraph.compile.compiler import BUILDERS, PLANS, build_op, op_plan
from flowgraph.diagnostics import UnknownNodeType
from flowgraph.model import NODE_MODELS, Flow, Node
from flowgraph.pictures.drawing import NODE_STYLE, SETTINGS_LINES, TYPE_HINT, settings_lines
from flowgraph.runtime.engine import STEPS
from flowgraph.simulate.interpret import SERVE
from flowgraph.specs import (
    NODE_TYPES,
    SPECS,
    TERMINAL_TYPES,
    declared_branches,
    dispatch,
    field_values,
    required_branches,
    spec_of,
    wired_next,
)

#: Every table a pass dispatches through, by the pass's name.
TABLES: dict[str, typing.Mapping[str, object]] = {
    "model": NODE_MODELS,
    "compiler": BUILDERS,
    "plan": PLANS,
    "runtime": STEPS,
    "reference interpreter": SERVE,
    "picture styles": NODE_STYLE,
    "picture labels": SETTINGS_LINES,
    "picture type names": TYPE_HINT,
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_covers_every_node_type(name: str) -> None:
    assert sorted(TABLES[name]) == sorted(NODE_TYPES), f"{name} does not cover exactly the node types"


def test_the_model_union_holds_one_model_per_spec() -> None:
    union = typing.get_args(typing.get_args(Node)[0])
    tags = {typing.get_args(cls.model_fields["type"].annotation)[0]: cls for cls in union}
    assert tags == NODE_MODELS
    assert set(SPECS) == set(tags)


def _odd_node() -> SimpleNamespace:
    return SimpleNamespace(id="x", type="teleport", branches={}, name="", note="")


def test_an_unknown_node_type_is_an_error_in_every_pass() -> None:
    flow = Flow(id="f", entry="x")
    with pytest.raises(UnknownNodeType, match="'teleport' \\(the compiler has no entry"):
        build_op(_odd_node(), flow, {})
    with pytest.raises(UnknownNodeType, match="the plan"):
        op_plan(SimpleNamespace(type="teleport"))  # type: ignore[arg-type]
    with pytest.raises(UnknownNodeType, match="picture"):
        settings_lines(flow, _odd_node())
    with pytest.raises(UnknownNodeType, match="node specs"):
        declared_branches(_odd_node())
    with pytest.raises(UnknownNodeType, match="the runtime"):
        dispatch(STEPS, "teleport", "the runtime")


def test_roles_say_which_types_end_a_step_or_wait_for_the_caller() -> None:
    assert {"transfer", "dialplan", "hangup"} == TERMINAL_TYPES
    assert [t for t in NODE_TYPES if SPECS[t].waits_for_caller] == ["menu"]
    assert {t for t in NODE_TYPES if SPECS[t].ends_step} == {"menu", "transfer", "dialplan", "hangup"}
    assert [t for t in NODE_TYPES if SPECS[t].nests] == ["dialplan"]


def _node(data: dict) -> typing.Any:
    return Flow.model_validate({"id": "f", "entry": data["id"], "nodes": [data]}).nodes[0]


def test_declared_and_required_branches_follow_the_rule_data() -> None:
    menu = _node({"id": "m", "type": "menu", "recording": {"data": "1"}, "options": ["1", "2"]})
    assert declared_branches(menu) == ["1", "2", "no_input", "invalid"]
    http = _node({"id": "h", "type": "lookup", "source": {"kind": "http", "url": "https://x"}})
    table = _node({"id": "t", "type": "lookup", "source": {"kind": "table", "table": "x"}})
    assert declared_branches(http) == ["found", "not_found", "error"]
    assert declared_branches(table) == ["found", "not_found"]
    transfer = _node({"id": "t", "type": "transfer", "transfer": "agent", "targets": ["1"]})
    assert declared_branches(transfer) == ["no_answer"] and required_branches(transfer) == []


def test_a_transfer_is_followed_only_with_fall_through() -> None:
    transfer = _node(
        {"id": "t", "type": "transfer", "transfer": "agent", "targets": ["1"], "branches": {"no_answer": "h"}}
    )
    assert wired_next(transfer, fallthrough=False) == []
    assert wired_next(transfer, fallthrough=True) == [("no_answer", "h")]
    play = _node({"id": "p", "type": "play", "recording": {"data": "1"}, "branches": {"next": "h"}})
    assert wired_next(play, fallthrough=False) == [("next", "h")]


def test_field_values_reads_templated_paths() -> None:
    sw = _node(
        {
            "id": "s",
            "type": "switch",
            "cases": [
                {"branch": "a", "when": {"on": "caller", "numbers": ["1"]}},
                {"branch": "b", "when": {"on": "table", "table": "t", "key": "{{call_id}}"}},
            ],
        }
    )
    assert [v for t in spec_of(sw).templated for v in field_values(sw, t)] == [
        ("cases[1].when.key", "{{call_id}}")
    ]
    transfer = _node({"id": "t", "type": "transfer", "transfer": "number", "targets": ["{{a.b}}", "9"]})
    assert field_values(transfer, "targets[]") == [("targets[0]", "{{a.b}}"), ("targets[1]", "9")]
    assert field_values(transfer, "moh") == []  # None: nothing to read


def test_the_specs_command_prints_what_the_editor_is_generated_from(capsys: pytest.CaptureFixture) -> None:
    assert main(["specs"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["types"] == list(NODE_TYPES)
    assert out["weekdays"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert out["specs"]["transfer"]["branches"]["optional"] == ["no_answer"]
    assert out["specs"]["lookup"]["branches"]["onlyWhen"] == [
        {"branch": "error", "field": "source.kind", "value": "http"}
    ]
