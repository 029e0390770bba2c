"""A lookup points at a server table from its panel: the Table box offers the server's tables
beside the flow's own, picking one declares it in the flow (``server: true`` with the server's
columns, no rows) instead of opening an empty in-document table, and a name that is neither is
said to be so. On a real server and headless Chromium; every wait is on page state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from services import ServerProcess
from web_support import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
FLOW = "lookup_vip"


def setup(server: ServerProcess) -> None:
    """Server table ``vip`` (key ``number``, columns name, agent) and a flow with its own table."""
    with httpx.Client(base_url=server.base_url, headers=server.auth, timeout=30) as client:
        csv = "number,name,agent\n" + "".join(f"90000{i:05d},Guest {i},{i:04d}\n" for i in range(1201))
        resp = client.put("/api/tables/vip", content=csv.encode(), headers={"Content-Type": "text/csv"})
        assert resp.status_code in (200, 201), resp.text
        doc = json.loads((ROOT / "examples" / "registered_users.json").read_text())
        doc["id"] = FLOW
        doc["tests"] = []
        assert client.post("/api/flows", json=doc).status_code == 201


def stored(server: ServerProcess) -> dict[str, Any]:
    got = httpx.get(f"{server.base_url}/api/flows/{FLOW}", headers=server.auth, timeout=30)
    return dict(got.json()["flow"])


def test_a_lookup_picks_a_server_table_and_says_when_a_name_is_neither(
    page: Page, server: ServerProcess
) -> None:
    setup(server)
    sign_in(page, server)
    page.goto(f"{server.base_url}/#/flow/{FLOW}")
    expect(page.get_by_test_id("canvas")).to_have_attribute("data-view-settled", "true")
    page.get_by_test_id("node-account").click()
    page.get_by_test_id("tab-properties").click()
    box = page.get_by_test_id("lookup-table")
    expect(box).to_have_value("registered")
    expect(page.get_by_test_id("table-editor")).to_contain_text("Table “registered” · 3 rows")
    # The suggestions hold the flow's table and the server's (once the server has listed them).
    options = page.locator("#tables-account option")
    expect(options).to_have_count(2)
    assert [options.nth(i).get_attribute("value") for i in range(2)] == ["registered", "vip"]
    expect(options.nth(1)).to_have_text("server table")

    box.fill("vipx")
    expect(page.get_by_test_id("lookup-table-unknown")).to_contain_text(
        "No table “vipx” in this flow or on the server."
    )
    expect(page.get_by_text("table 'vipx' does not exist").first).to_be_visible()  # the check says so too
    box.fill("vip")
    note = page.get_by_test_id("server-table-note")
    expect(note).to_contain_text("Table “vip” is kept on the server (columns name, agent)")
    expect(page.get_by_test_id("table-editor")).to_have_count(0)
    expect(page.get_by_test_id("lookup-table-unknown")).to_have_count(0)
    expect(page.get_by_text("does not exist")).to_have_count(0)
    shot(page, "lookup-server-table")
    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved")
    doc = stored(server)
    vip = doc["tables"]["vip"]
    assert vip["server"] is True and vip["columns"] == ["name", "agent"] and not vip.get("rows"), vip
    assert doc["tables"]["registered"]["rows"], "the flow's own table is kept"
    account = next(n for n in doc["nodes"] if n["id"] == "account")
    assert account["source"]["table"] == "vip"

    # Back to the flow's own table: its rows are there to edit again.
    box.fill("registered")
    expect(page.get_by_test_id("table-editor")).to_contain_text("Table “registered” · 3 rows")


def test_the_simulate_tab_reads_a_server_calendar_and_says_so(page: Page, server: ServerProcess) -> None:
    """A Republic Day call on a flow whose calendar is a server table: before the upload the
    Simulate tab notes the table is not on the server (open, the hours decide); after it, the
    call is closed for the holiday and the note names the version read."""
    doc = json.loads((ROOT / "examples" / "holiday_hours.json").read_text())
    doc["id"] = "sim_calendar"
    doc["tables"] = {"sim_holidays": {"server": True, "columns": ["name"]}}
    for node in doc["nodes"]:
        for case in node.get("cases", []):
            for kind in ("except", "only"):
                if kind in case["when"]:
                    case["when"][kind]["calendar"] = "sim_holidays"
    doc["tests"] = []
    with httpx.Client(base_url=server.base_url, headers=server.auth, timeout=30) as client:
        assert client.post("/api/flows", json=doc).status_code == 201
    sign_in(page, server)
    page.goto(f"{server.base_url}/#/flow/sim_calendar")
    expect(page.get_by_test_id("canvas")).to_have_attribute("data-view-settled", "true")
    page.get_by_test_id("tab-simulate").click()
    page.get_by_label("Caller number").fill("9000011111")
    page.locator("#sim-time").fill("2026-01-26T10:00")
    page.get_by_test_id("sim-start").click()
    notes = page.get_by_test_id("sim-notes")
    expect(notes).to_contain_text("server table 'sim_holidays' is not on this server")
    expect(page.get_by_test_id("sim-events")).not_to_contain_text("400391")

    with httpx.Client(base_url=server.base_url, headers=server.auth, timeout=30) as client:
        csv = (ROOT / "examples" / "calendars" / "india_fixed.csv").read_bytes()
        resp = client.put("/api/tables/sim_holidays", content=csv, headers={"Content-Type": "text/csv"})
        assert resp.status_code in (200, 201), resp.text
    page.get_by_test_id("sim-start").click()
    expect(notes).to_have_text("server table 'sim_holidays': read its live version 1")
    expect(page.get_by_test_id("sim-events")).to_contain_text("400391")
    shot(page, "simulate-server-calendar")
