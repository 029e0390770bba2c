"""The diff picture shaded by calls: each changed branch says how many calls took it and is drawn
thicker the more did; changed nodes are filled by the calls that reached them (real ``dot``)."""

from __future__ import annotations

import copy
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from flowgraph.cli import main
from flowgraph.load import flow_from_data
from flowgraph.pictures.diff import HEAT_FILLS, render_diff
from flowgraph.pictures.traffic import Traffic

ROOT = Path(__file__).resolve().parents[1]


def personal() -> dict[str, Any]:
    doc = json.loads((ROOT / "examples" / "personal_agent.json").read_text())
    doc["tests"] = []
    return doc


def record(call: str, step: str, trace: list[tuple[str, str]], t: float) -> dict[str, Any]:
    return {
        "time": t,
        "call_id": call,
        "uuid": call,
        "version": "abc",
        "step": step,
        "trace": [{"node": n, "branch": b} for n, b in trace],
        "end": trace[-1][0],
        "failover_reason": None,
    }


def calls(presses: list[str]) -> list[dict[str, Any]]:
    """Known callers through the menu: each press's continuation as the call log records it."""
    out = []
    for i, key in enumerate(presses):
        target = {"1": "own_agent", "2": "support"}[key]
        out.append(record(f"c{i}", "entry", [("account", "found"), ("menu", "")], 10.0 * i))
        out.append(record(f"c{i}", "menu", [("menu", key), (target, "")], 10.0 * i + 1))
    return out


def documents() -> tuple[dict[str, Any], dict[str, Any]]:
    """personal_agent, and a draft whose option 2 goes to the IVR and whose support is 5301."""
    old = personal()
    new = copy.deepcopy(old)
    next(n for n in new["nodes"] if n["id"] == "menu")["branches"]["2"] = "main_ivr"
    next(n for n in new["nodes"] if n["id"] == "support")["targets"] = ["5301"]
    return old, new


def draft_sending_2_to_the_ivr() -> tuple[Any, Any]:
    old, new = documents()
    return flow_from_data(old), flow_from_data(new)


def edge_widths(svg: str) -> dict[str, float]:
    """Edge label text -> stroke width, read from dot's SVG."""
    out = {}
    for group in re.findall(r'<g id="edge\d+" class="edge">(.*?)</g>', svg, re.S):
        label = re.search(r"<text[^>]*>([^<]*)</text>", group)
        width = re.search(r'stroke-width="([\d.]+)"', group)
        if label:
            out[html.unescape(label.group(1))] = float(width.group(1)) if width else 1.0
    return out


def test_changed_branches_are_labelled_and_thickened_by_the_calls_that_took_them() -> None:
    old, new = draft_sending_2_to_the_ivr()
    traffic = Traffic.from_records(calls(["2", "2", "2", "1", "1"]))
    svg = render_diff(old, new, traffic=traffic).decode()
    widths = edge_widths(svg)
    assert widths["+ 2 · 3 calls"] == pytest.approx(8.0)  # the busiest changed branch
    assert widths["- 2 · 3 calls"] == pytest.approx(8.0)  # its old wire, a ghost
    assert "3 calls took a changed branch" in svg
    # The changed node (support's target) is filled by the calls that reached it: 3 of 3.
    support = re.search(r'<g id="node\d+" class="node">\s*<title>support</title>(.*?)</g>', svg, re.S)
    assert support is not None
    assert f'fill="{HEAT_FILLS[5]}"' in support.group(1) and "3 calls reached it" in support.group(1)
    # Same input, same picture.
    assert render_diff(old, new, traffic=traffic) == svg.encode()


def test_a_branch_nobody_took_stays_thin_and_says_so() -> None:
    old, new = draft_sending_2_to_the_ivr()
    svg = render_diff(old, new, traffic=Traffic.from_records(calls(["1", "1"]))).decode()
    widths = edge_widths(svg)
    assert widths["+ 2 · 0 calls"] == pytest.approx(2.5)
    assert "0 calls reached it" in svg and f'fill="{HEAT_FILLS[0]}"' in svg


def test_without_traffic_the_picture_is_unchanged() -> None:
    old, new = draft_sending_2_to_the_ivr()
    svg = render_diff(old, new).decode()
    assert "+ 2" in svg and "calls" not in svg


def test_the_cli_shades_the_diff_from_a_call_log_file(tmp_path: Path, capsys: Any) -> None:
    old, new = documents()
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    (tmp_path / "calls.json").write_text(json.dumps(calls(["2", "1", "2"])))
    out = tmp_path / "d.svg"
    args = ["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "-o", str(out)]
    assert main([*args, "--traffic", str(tmp_path / "calls.json")]) == 0
    assert "+ 2 · 2 calls" in out.read_text()
    assert main([*args[:3], "--traffic", str(tmp_path / "calls.json")]) == 2
    assert "give -o OUT.svg too" in capsys.readouterr().err
