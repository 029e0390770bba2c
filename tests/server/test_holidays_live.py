"""Holiday calendars on a real ``flowgraph serve`` (uvicorn on 127.0.0.1, SQLite), both modes.

``examples/holiday_hours.json`` is open Mon-Sat 09:00-18:00 IST except the dates of its calendar
``india_fixed``: on Republic Day the platform gets the holiday message, on a normal weekday the
desk, and the call log says which rule decided. A copy whose calendar is empty fails open: the
weekly hours decide, the check warns (FG533) and the call log notes the empty calendar.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from test_dialplan_support import EXAMPLES, LiveServer, live_server

from flowgraph.compile.emit import validate_response
from flowgraph.profile import PlatformProfile

FLOW = "holiday_hours"
HOLIDAY = [{"recording": {"type": "system", "data": 400391}}]
TIMINGS = [{"recording": {"type": "system", "data": 400390}}]
DESK = [
    [{"recording": {"type": "system", "data": 400300}}],
    [
        {
            "transfer": {
                "type": "number",
                "data": ["9810000001", "9810000002"],
                "ring_type": "order_by",
                "moh": "400399",
            }
        }
    ],
]
MODES = ("per_step", "single")


def copy_id(mode: str, empty: bool) -> str:
    return f"{FLOW}_{mode}" + ("_empty" if empty else "")


def publish_copy(server: LiveServer, mode: str, empty: bool) -> dict[str, Any]:
    """The example in ``mode`` under another id (its calendar emptied when ``empty``); the
    publish answer (its warnings)."""
    doc = json.loads((EXAMPLES / f"{FLOW}.json").read_text())
    doc["id"] = copy_id(mode, empty)
    doc["settings"]["deployment"]["mode"] = mode
    if empty:
        doc["tables"]["india_fixed"]["rows"] = {}
        doc["tests"] = []  # they expect the holidays
    with server.proc.client() as api:
        api.post("/api/flows", json=doc, headers=server.proc.auth).raise_for_status()
        resp = api.post(f"/api/flows/{doc['id']}/publish", json={}, headers=server.proc.auth)
        resp.raise_for_status()
        return dict(resp.json())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("holidays")) as live:
        live.published = {(m, e): publish_copy(live, m, e) for m in MODES for e in (False, True)}  # type: ignore[attr-defined]
        yield live


def answer_at(server: LiveServer, flow: str, call_id: str, stamp: str) -> Any:
    body = {"call_id": call_id, "uuid": "h1", "caller_id_number": "+919812345678", "start_stamp": stamp}
    resp = server.platform(flow, json=body)
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    assert validate_response(resp.content, PlatformProfile()) == []
    return json.loads(resp.content)


@pytest.mark.parametrize("mode", MODES)
def test_republic_day_routes_to_the_holiday_message(server: LiveServer, mode: str) -> None:
    flow = copy_id(mode, False)
    assert answer_at(server, flow, f"{mode}-rd", "2026-01-26 10:00:00") == HOLIDAY
    (record,) = server.calls(flow, f"{mode}-rd")
    assert record["failover_reason"] is None
    assert [(d["node"], d["took"], d["rule"], d.get("name")) for d in record["decisions"]] == [
        ("hours", "default", "excluded_date", "Republic Day"),
        ("why_closed", "holiday", "in_hours", "Republic Day"),
    ]
    assert {d["day"] for d in record["decisions"]} == {"2026-01-26"}


@pytest.mark.parametrize("mode", MODES)
def test_a_normal_weekday_routes_open(server: LiveServer, mode: str) -> None:
    flow = copy_id(mode, False)
    assert answer_at(server, flow, f"{mode}-open", "2026-01-27 10:00:00") == DESK
    (record,) = server.calls(flow, f"{mode}-open")
    assert [(d["took"], d["rule"]) for d in record["decisions"]] == [("open", "in_hours")]
    # The same weekday after hours: the timings, decided by the hours.
    assert answer_at(server, flow, f"{mode}-late", "2026-01-27 18:00:00") == TIMINGS
    (late,) = server.calls(flow, f"{mode}-late")
    assert [d["rule"] for d in late["decisions"]] == ["outside_hours", "not_listed"]


def test_the_seeded_example_is_live_in_per_step_mode(server: LiveServer) -> None:
    assert answer_at(server, FLOW, "seed-rd", "2026-08-15 11:00:00") == HOLIDAY


@pytest.mark.parametrize("mode", MODES)
def test_an_empty_calendar_fails_open_with_a_warning(server: LiveServer, mode: str) -> None:
    published = server.published[(mode, True)]  # type: ignore[attr-defined]
    # The publish answer warns once per time case reading the calendar (FG533), and goes ahead.
    warned = [(d["nodes"], d["severity"]) for d in published["diagnostics"] if d["code"] == "FG533"]
    assert warned == [(["hours"], "warning"), (["why_closed"], "warning")]
    flow = copy_id(mode, True)
    # Republic Day in hours: the calendar cannot say it is a holiday, so the hours decide: open.
    assert answer_at(server, flow, f"{mode}-empty", "2026-01-26 10:00:00") == DESK
    (record,) = server.calls(flow, f"{mode}-empty")
    assert record["failover_reason"] is None
    (decision,) = record["decisions"]
    assert decision["rule"] == "in_hours" and decision["took"] == "open"
    assert decision["note"] == "calendar 'india_fixed' is empty"
