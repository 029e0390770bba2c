"""T10: a time window's ``from`` is 00:00-23:59 and its ``to`` 00:00-24:00; anything past 24:00
is refused when the flow loads, with the node and field named (library and ``flowgraph check``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flowgraph.diagnostics import FlowLoadError
from flowgraph.load import flow_from_data

FLOWGRAPH = str(Path(sys.executable).parent / "flowgraph")


def _flow(start: str, end: str) -> dict[str, Any]:
    window = {"on": "time", "days": ["mon"], "from": start, "to": end}
    return {
        "id": "hours",
        "entry": "when",
        "nodes": [
            {
                "id": "when",
                "type": "switch",
                "cases": [{"branch": "open", "when": window}],
                "branches": {"open": "open", "default": "shut"},
            },
            {"id": "open", "type": "transfer", "transfer": "department", "targets": ["5200"]},
            {"id": "shut", "type": "transfer", "transfer": "ivr", "targets": ["22590"]},
        ],
        "settings": {"failover": {"type": "department", "data": ["5200"]}},
    }


@pytest.mark.parametrize("end", ["24:00", "23:59", "00:01", "18:00"])
def test_to_up_to_the_end_of_the_day_loads(end: str) -> None:
    flow = flow_from_data(_flow("00:00", end))
    assert flow.nodes[0].cases[0].when.end == end  # type: ignore[union-attr]


@pytest.mark.parametrize("end", ["24:01", "24:30", "24:59", "25:00", "29:00", "9:00", "18:60", "24:00:00"])
def test_to_past_the_end_of_the_day_is_refused(end: str) -> None:
    with pytest.raises(FlowLoadError) as exc:
        flow_from_data(_flow("09:00", end))
    text = str(exc.value)
    assert "node 'when'" in text and "cases[0].when.to" in text
    assert f"{end!r} is not a time HH:MM from 00:00 to 24:00" in text


@pytest.mark.parametrize("start", ["24:00", "24:30", "25:00"])
def test_from_is_a_time_of_day(start: str) -> None:
    with pytest.raises(
        FlowLoadError, match=rf"cases\[0\]\.when\.from: .*{start!r} is not a time HH:MM from 00:00 to 23:59"
    ):
        flow_from_data(_flow(start, "24:00"))


def test_cli_check_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "hours.json"
    path.write_text(json.dumps(_flow("09:00", "24:59")))
    out = subprocess.run([FLOWGRAPH, "check", str(path)], capture_output=True, text=True, check=False)
    assert out.returncode == 2, out
    assert "node 'when' nodes[0].cases[0].when.to" in out.stderr + out.stdout
    assert "'24:59' is not a time HH:MM from 00:00 to 24:00" in out.stderr + out.stdout
    path.write_text(json.dumps(_flow("09:00", "24:00")))
    out = subprocess.run([FLOWGRAPH, "check", str(path)], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out
