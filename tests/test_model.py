"""The flow model: shape validation, branches as data, the committed JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowgraph import FlowLoadError, flow_from_data, load_flow
from flowgraph.commands.schema import flow_json_schema
from flowgraph.model import declared_branches, required_branches, template_names

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def _flow(*nodes: dict, **extra: object) -> dict:
    return {"id": "f", "entry": nodes[0]["id"] if nodes else "x", "nodes": list(nodes), **extra}


MENU = {
    "id": "m",
    "type": "menu",
    "recording": {"type": "system", "data": 1234},
    "options": ["1", "2"],
    "branches": {"1": "t", "2": "t", "no_input": "t", "invalid": "t"},
}
TRANSFER = {"id": "t", "type": "transfer", "transfer": "agent", "targets": ["05000001"]}


def test_committed_schema_is_current() -> None:
    committed = json.loads((ROOT / "docs" / "flow.schema.json").read_text())
    assert committed == flow_json_schema(), "docs/flow.schema.json is stale: run `make schema`"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_load_and_id_matches_file_name(path: Path) -> None:
    flow = load_flow(path)
    assert flow.id == path.stem
    assert flow.entry in flow.node_map()


def test_numeric_recording_id_is_kept_as_text() -> None:
    flow = flow_from_data(_flow(MENU, TRANSFER))
    assert flow.node_map()["m"].recording.data == "1234"


def test_unknown_key_is_named_with_node_and_path() -> None:
    bad = dict(TRANSFER, rign_type="order_by")
    with pytest.raises(FlowLoadError) as err:
        flow_from_data(_flow(MENU, bad), "flows/a.json")
    assert (
        str(err.value)
        == "flows/a.json: node 't' nodes[1].rign_type: unknown key (not part of the flow format)"
    )


def test_unknown_node_type_is_a_located_error() -> None:
    with pytest.raises(FlowLoadError) as err:
        flow_from_data(_flow({"id": "x", "type": "voicemail"}), "a.json")
    assert "nodes[0]" in str(err.value)
    assert "voicemail" in str(err.value)


def test_invalid_json_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "a",\n  "entry": }\n')
    with pytest.raises(FlowLoadError) as err:
        load_flow(path)
    assert str(err.value).startswith(f"{path}: line 2 column")
    assert "invalid JSON" in str(err.value)


def test_yaml_flows_load(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(
        "id: y\nentry: t\nnodes:\n  - {id: t, type: transfer, transfer: ivr, targets: ['22590']}\n"
    )
    assert load_flow(path).node_map()["t"].targets == ["22590"]


def test_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(FlowLoadError, match="no such file"):
        load_flow(tmp_path / "nope.json")


def test_branches_are_declared_per_type() -> None:
    flow = flow_from_data(
        _flow(
            MENU,
            TRANSFER,
            {
                "id": "s",
                "type": "switch",
                "cases": [{"branch": "vip", "when": {"on": "caller", "numbers": ["1"]}}],
            },
            {"id": "h", "type": "lookup", "source": {"kind": "http", "url": "https://x.test/a"}},
            {"id": "l", "type": "lookup", "source": {"kind": "table", "table": "t"}},
        )
    )
    nodes = flow.node_map()
    assert declared_branches(nodes["m"]) == ["1", "2", "no_input", "invalid"]
    assert declared_branches(nodes["s"]) == ["vip", "default"]
    assert declared_branches(nodes["h"]) == ["found", "not_found", "error"]
    assert declared_branches(nodes["l"]) == ["found", "not_found"]
    assert declared_branches(nodes["t"]) == ["no_answer"]
    assert required_branches(nodes["t"]) == []


def test_layout_is_not_logic() -> None:
    a = flow_from_data(_flow(MENU, TRANSFER))
    b = flow_from_data(_flow(MENU, TRANSFER, layout={"positions": {"m": {"x": 5, "y": 9}}}))
    assert a.logic() == b.logic()
    assert a.model_dump() != b.model_dump()


def test_template_names() -> None:
    assert template_names("{{ order.agent_number }} and {{caller_id_number}}") == [
        "order.agent_number",
        "caller_id_number",
    ]


def test_platform_profile_doc_lists_every_setting_with_its_default() -> None:
    from flowgraph.profile import PlatformProfile

    doc = (ROOT / "docs" / "platform-profile.md").read_text()
    for name, field in PlatformProfile.model_fields.items():
        default = json.dumps(field.get_default(call_default_factory=True))
        assert f"| `{name}` | `{default}` |" in doc, f"docs/platform-profile.md is missing {name}"
