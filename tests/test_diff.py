"""Logic diffs between two versions of a flow, and their picture."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from flowgraph.cli import main
from flowgraph.load import flow_from_data, load_flow
from flowgraph.pictures.diff import ADDED_COLOUR, Edge, EdgeChange, FieldChange, diff_flows, render_diff
from flowgraph.pictures.render import ERROR_COLOUR, WARNING_COLOUR

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "delivery_agents.json"
SVG = "{http://www.w3.org/2000/svg}"


def example_data() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text())


def node(data: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in data["nodes"] if n["id"] == node_id)


def edited() -> dict[str, Any]:
    """The intended change: new greeting, a third menu key to a new callback desk, status goes to support."""
    data = example_data()
    node(data, "connect_agent")["recording"]["data"] = "500102"
    menu = node(data, "help_menu")
    menu["options"].append("3")
    menu["branches"]["3"] = "callback"
    node(data, "order_status")["branches"]["next"] = "support"
    data["nodes"] = [n for n in data["nodes"] if n["id"] != "status_end"]
    data["nodes"].append(
        {
            "id": "callback",
            "type": "transfer",
            "name": "Callback desk",
            "transfer": "department",
            "targets": ["5300"],
        }
    )
    data["settings"]["failover"]["data"] = ["5201"]
    return data


def test_a_real_change_shows_exactly_that_change() -> None:
    diff = diff_flows(load_flow(EXAMPLE), flow_from_data(edited()))
    assert diff.added_nodes == ["callback"]
    assert diff.removed_nodes == ["status_end"]
    assert [(c.id, c.fields) for c in diff.changed_nodes] == [
        ("connect_agent", (FieldChange("recording.data", "500101", "500102"),)),
        ("help_menu", (FieldChange("options", ["1", "2"], ["1", "2", "3"]),)),
    ]
    assert diff.added_edges == [Edge("help_menu", "3", "callback")]
    assert diff.changed_edges == [EdgeChange("order_status", "next", "status_end", "support")]
    assert diff.removed_edges == []
    assert diff.other == [FieldChange("settings.failover.data", ["5200"], ["5201"])]
    assert not diff.is_empty


def test_layout_only_change_is_no_change() -> None:
    data = example_data()
    moved = copy.deepcopy(data)
    moved["layout"] = {"positions": {n["id"]: {"x": 999, "y": -5} for n in data["nodes"]}, "notes": []}
    diff = diff_flows(flow_from_data(data), flow_from_data(moved))
    assert diff.is_empty
    assert diff.to_text().endswith("no changes to what the flow does (layout is not compared)\n")
    assert diff.to_json()["empty"] is True


def test_removed_node_takes_its_edges_and_nested_fields_are_paths() -> None:
    data = json.loads((ROOT / "examples" / "regional_routing.json").read_text())
    new = copy.deepcopy(data)
    new["nodes"] = [n for n in new["nodes"] if n["id"] != "closed"]
    node(new, "business_hours")["branches"]["default"] = "closed_end"
    node(new, "business_hours")["cases"][0]["when"]["to"] = "20:00"
    diff = diff_flows(flow_from_data(data), flow_from_data(new))
    assert diff.removed_nodes == ["closed"]
    assert diff.removed_edges == [Edge("closed", "next", "closed_end")]
    assert diff.changed_edges == [EdgeChange("business_hours", "default", "closed", "closed_end")]
    assert diff.changed_nodes[0].fields == (FieldChange("cases[0].when.to", "19:00", "20:00"),)


def test_recordings_are_compared_by_id() -> None:
    data = example_data()
    new = copy.deepcopy(data)
    new["recordings"] = list(reversed(new["recordings"]))  # order alone is not a change
    assert diff_flows(flow_from_data(data), flow_from_data(new)).is_empty
    new["recordings"][0]["name"] = "Renamed"
    rid = new["recordings"][0]["id"]
    other = diff_flows(flow_from_data(data), flow_from_data(new)).other
    assert [c.path for c in other] == [f"recordings.{rid}.name"]


def test_text_and_json_summaries() -> None:
    diff = diff_flows(load_flow(EXAMPLE), flow_from_data(edited()))
    text = diff.to_text()
    assert "+ node callback" in text
    assert "- node status_end" in text
    assert '    recording.data: "500101" → "500102"' in text
    assert "~ edge order_status --next--> status_end → support" in text
    as_json = diff.to_json()
    assert as_json["nodes"]["added"] == ["callback"]
    assert as_json["edges"]["changed"] == [
        {"source": "order_status", "branch": "next", "old_target": "status_end", "new_target": "support"}
    ]
    json.dumps(as_json)  # JSON-able


def _group(svg: bytes, title: str) -> ET.Element:
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        t = g.find(f"{SVG}title")
        if t is not None and t.text == title:
            return g
    raise AssertionError(f"no element titled {title!r}")


def _strokes(element: ET.Element) -> set[str]:
    return {e.attrib["stroke"] for e in element.iter() if "stroke" in e.attrib}


def _texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def test_diff_picture_colours_each_kind_of_change() -> None:
    svg = render_diff(load_flow(EXAMPLE), flow_from_data(edited()), old_label="v1", new_label="v2")
    assert svg == render_diff(load_flow(EXAMPLE), flow_from_data(edited()), old_label="v1", new_label="v2")
    assert ADDED_COLOUR in _strokes(_group(svg, "callback"))
    ghost = _group(svg, "status_end")
    assert ERROR_COLOUR in _strokes(ghost) and "removed" in _texts(ghost)
    changed = _group(svg, "connect_agent")
    assert WARNING_COLOUR in _strokes(changed)
    assert 'recording.data: "500101" → "500102"' in _texts(changed)
    assert ADDED_COLOUR in _strokes(_group(svg, "order_status->support"))
    assert ERROR_COLOUR in _strokes(_group(svg, "order_status->status_end"))
    assert "v1 → v2" in "".join(_texts(ET.fromstring(svg)))


def test_cli_diff_prints_and_draws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = tmp_path / "new.json"
    new.write_text(json.dumps(edited()))
    out = tmp_path / "diff.svg"
    assert main(["diff", str(EXAMPLE), str(new), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "nodes +1 -1 ~2; edges +1 -0 ~1; 1 other change(s)" in printed
    assert f"wrote {out} (svg, {out.stat().st_size} bytes)" in printed
    assert out.read_bytes().startswith(b"<?xml")
    assert main(["diff", str(EXAMPLE), str(new), "--format", "json", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["nodes"]["removed"] == ["status_end"]  # stdout stays JSON
    assert f"wrote {out}" in captured.err
    assert main(["diff", str(EXAMPLE), str(tmp_path / "missing.json")]) == 2
    assert "missing.json: no such file" in capsys.readouterr().err
