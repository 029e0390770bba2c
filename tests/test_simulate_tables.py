"""Server tables in the simulator (flowgraph/simulate/simulator.py, flowgraph/runtime/tables.py
bind_snapshot): offline a server table reads as empty and the journey notes it (``flowgraph
simulate`` prints the note); given the server's versions, a calendar decides as live and the
note names the version read; a table the server lacks fails a lookup over, as live."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from flowgraph.load import flow_from_data
from flowgraph.runtime.tables import PackedRows, TableVersion, current_view
from flowgraph.simulate.platform import CallScript, Failover, Play
from flowgraph.simulate.simulator import simulate

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
OFFLINE = (
    "server table 'india' is not available offline: read as empty "
    "(a live call reads the server's version; simulate on the server to see it)"
)


def calendar_doc() -> dict[str, Any]:
    doc = json.loads((ROOT / "examples" / "holiday_hours.json").read_text())
    doc["tables"] = {"india": {"server": True, "columns": ["name"]}}
    doc["nodes"][0]["cases"][0]["when"]["except"] = {"calendar": "india"}
    doc["nodes"][3]["cases"][0]["when"]["only"] = {"calendar": "india"}
    doc["tests"] = []
    return doc


def republic_day() -> CallScript:
    script = CallScript(caller="9000011111")
    script.start = datetime(2026, 1, 26, 10, 0)
    return script


def india(number: int = 3) -> TableVersion:
    return TableVersion(
        "india", number, "date", PackedRows.build(("name",), {"2026-01-26": ["Republic Day"]})
    )


def first_play(events: list[Any]) -> str:
    return next(str(e.data) for e in events if isinstance(e, Play))


def test_offline_a_server_calendar_is_empty_and_the_journey_says_so() -> None:
    journey = simulate(flow_from_data(calendar_doc()), republic_day())
    assert first_play(journey.events) == "400300"  # open: the hours decide
    assert journey.notes == [OFFLINE]
    assert journey.to_json()["notes"] == [OFFLINE]
    assert current_view() is None  # the simulation's view is unbound afterwards


def test_with_the_servers_versions_the_calendar_decides_as_live() -> None:
    journey = simulate(flow_from_data(calendar_doc()), republic_day(), tables={"india": india()})
    assert first_play(journey.events) == "400391"  # closed for Republic Day
    assert journey.notes == ["server table 'india': read its live version 3"]


def test_a_flow_without_server_tables_has_no_notes() -> None:
    doc = json.loads((ROOT / "examples" / "holiday_hours.json").read_text())
    journey = simulate(flow_from_data(doc), republic_day(), tables={})
    assert journey.notes == [] and "notes" not in journey.to_json()


def test_a_lookup_on_a_table_the_server_lacks_fails_over_as_live() -> None:
    doc = json.loads((ROOT / "examples" / "registered_users.json").read_text())
    doc["tables"] = {"registered": {"server": True, "columns": ["name", "agent_id"]}}
    doc["tests"] = []
    flow = flow_from_data(doc)
    live = simulate(flow, CallScript(caller="9876543210"), tables={})
    assert isinstance(live.events[-1], Failover)
    assert live.notes[0].startswith("server table 'registered' is not on this server")
    offline = simulate(flow, CallScript(caller="9876543210"))
    assert "account" in offline.path and not isinstance(offline.events[-1], Failover)  # not found
    assert offline.notes[0].startswith("server table 'registered' is not available offline")


def test_flowgraph_simulate_prints_the_note(tmp_path: Path) -> None:
    path = tmp_path / "holiday_server.json"
    path.write_text(json.dumps(calendar_doc()))
    out = subprocess.run(
        [
            str(VENV_BIN / "flowgraph"),
            "simulate",
            str(path),
            "--caller",
            "9000011111",
            "--at",
            "2026-01-26 10:00",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert f"  note: {OFFLINE}" in out.stdout.splitlines()
