"""The simulate API reads the server's tables as a live call does (flowgraph/server/routers/tools.py,
flowgraph/simulate/simulator.py), on a real ``flowgraph serve`` (uvicorn on 127.0.0.1, SQLite).

``examples/holiday_hours.json`` with its calendar on the server: before the calendar is uploaded,
a Republic Day call is open (the rule is skipped, fail open) and the journey notes the calendar
is not on this server; once uploaded, the same simulation is closed for the holiday and notes the
version it read. A lookup on a server table finds the uploaded row; missing, it fails over as a
live call does, with a note. Flow tests on the server keep server tables empty and say so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from services import ServerProcess, flowgraph_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FIXED = (EXAMPLES / "calendars" / "india_fixed.csv").read_bytes()
REPUBLIC_DAY = "2026-01-26T10:00:00"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[httpx.Client]:
    with flowgraph_server(f"sqlite:///{tmp_path / 'flowgraph.db'}", workdir=tmp_path) as proc:
        server: ServerProcess = proc
        with httpx.Client(base_url=server.base_url, headers=server.auth, timeout=30) as client:
            yield client


def calendar_flow() -> dict[str, Any]:
    """holiday_hours reading its holidays from the server table ``holidays``."""
    doc = json.loads((EXAMPLES / "holiday_hours.json").read_text())
    doc["id"] = "holiday_sim"
    doc["tables"] = {"holidays": {"server": True, "columns": ["name"]}}
    for node in doc["nodes"]:
        for case in node.get("cases", []):
            for kind in ("except", "only"):
                if kind in case["when"]:
                    case["when"][kind]["calendar"] = "holidays"
    doc["tests"] = [
        {
            "name": "Republic Day",
            "call": {"caller": "9000011111", "at": "2026-01-26 10:00"},
            "expect": {"outcome": "transfer"},
        }
    ]
    return doc


def upload(api: httpx.Client, name: str, csv: bytes) -> None:
    resp = api.put(f"/api/tables/{name}", content=csv, headers={"Content-Type": "text/csv"})
    assert resp.status_code in (200, 201), resp.text


def simulate(api: httpx.Client, flow: str, caller: str = "9000011111") -> dict[str, Any]:
    resp = api.post(f"/api/flows/{flow}/simulate", json={"caller": caller, "start": REPUBLIC_DAY})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def heard(journey: dict[str, Any]) -> list[str]:
    return [str(e["data"]) for e in journey["events"] if e["event"] in ("play", "prompt")]


def test_the_simulate_api_reads_the_live_holiday_calendar(api: httpx.Client) -> None:
    assert api.post("/api/flows", json=calendar_flow()).status_code == 201
    before = simulate(api, "holiday_sim")
    assert "400391" not in heard(before), before["describe"]  # not read: the hours decide (open)
    assert before["notes"] == [
        "server table 'holidays' is not on this server: a live call's lookup on it fails over "
        "and a calendar is skipped (upload it on the Tables page)"
    ]

    upload(api, "holidays", FIXED)
    after = simulate(api, "holiday_sim")
    assert heard(after)[0] == "400391", after["describe"]  # the holiday message: closed
    assert after["notes"] == ["server table 'holidays': read its live version 1"]

    # Flow tests keep server tables empty (a verdict must not change with the live data): the
    # test that expects the open desk passes, and its result says the calendar was read empty.
    run = api.post("/api/flows/holiday_sim/test")
    assert run.status_code == 200, run.text
    (result,) = run.json()["results"]
    assert result["passed"], result
    assert result["notes"] == [
        "server table 'holidays' is not available offline: read as empty "
        "(a live call reads the server's version; simulate on the server to see it)"
    ]


def test_a_lookup_on_a_server_table_finds_the_live_row_or_fails_over_with_a_note(api: httpx.Client) -> None:
    doc = json.loads((EXAMPLES / "registered_users.json").read_text())
    doc["id"] = "lookup_sim"
    doc["tables"] = {"registered": {"server": True, "columns": ["name", "agent_id"]}}
    doc["tests"] = []
    assert api.post("/api/flows", json=doc).status_code == 201
    missing = simulate(api, "lookup_sim", caller="9876543210")
    assert missing["events"][-1]["event"] == "failover", missing["describe"]
    assert "server table 'registered' is not on this server" in missing["notes"][0]

    upload(api, "registered", b"number,name,agent_id\n9876543210,Asha,05000009\n")
    found = simulate(api, "lookup_sim", caller="9876543210")
    assert "account" in found["path"] and "welcome_back" in found["path"], found["path"]
    assert found["notes"] == ["server table 'registered': read its live version 1"]
