"""Holiday calendars in the editor, in real headless Chromium against a real server: the switch
panel's time case gets an ``except`` rule naming a calendar the server holds (picked from the
server's tables, which declares it in the flow as a server table) plus a listed date (a date that
is not real is refused while typed and never saved); the canvas shows the rule in words
("Mon-Sat 09:00-18:00 except holidays and 2026-03-14", with en dashes), the stored draft holds it, and it
publishes without a calendar warning. Every wait is on page state."""

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
FLOW = "office_hours_calendar"
CALENDAR = "india_server"


def api(server: ServerProcess) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers=server.auth, timeout=30)


def setup(server: ServerProcess) -> None:
    """A server calendar, and holiday_hours with no date rule on its 'hours' case."""
    with api(server) as client:
        csv = (ROOT / "examples" / "calendars" / "india_fixed.csv").read_bytes()
        resp = client.put(f"/api/tables/{CALENDAR}", content=csv, headers={"Content-Type": "text/csv"})
        assert resp.status_code in (200, 201), resp.text
        doc = json.loads((ROOT / "examples" / "holiday_hours.json").read_text())
        doc["id"] = FLOW
        del doc["nodes"][0]["cases"][0]["when"]["except"]
        doc["tests"] = []
        assert client.post("/api/flows", json=doc).status_code == 201


def stored(server: ServerProcess) -> dict[str, Any]:
    with api(server) as client:
        return dict(client.get(f"/api/flows/{FLOW}").json()["flow"])


def test_an_except_calendar_from_the_switch_panel_shows_on_the_canvas(
    page: Page, server: ServerProcess
) -> None:
    setup(server)
    sign_in(page, server)
    page.goto(f"{server.base_url}/#/flow/{FLOW}")
    label = page.get_by_test_id("node-hours").get_by_test_id("case-label-open")
    rule = label.get_by_test_id("case-rule-open")
    expect(label).to_have_text("open: Mon\u2013Sat 09:00\u201318:00")
    expect(page.get_by_test_id("canvas")).to_have_attribute("data-view-settled", "true")
    page.get_by_test_id("node-hours").click()
    page.get_by_test_id("tab-properties").click()
    expect(page.get_by_test_id("node-id-input")).to_have_value("hours")

    page.get_by_test_id("case-0-except-on").check()
    calendar = page.get_by_test_id("case-0-except-calendar")
    expect(calendar.locator(f'option[value="{CALENDAR}"]')).to_have_text(f"{CALENDAR} (server table)")
    expect(calendar.locator('option[value="india_fixed"]')).to_have_text("india_fixed (in this flow)")
    calendar.select_option(CALENDAR)
    expect(rule).to_have_text("Mon\u2013Sat 09:00\u201318:00 except holidays")
    expect(label.locator(".fg-case-calendar")).to_have_text(f"calendar {CALENDAR}")

    # A listed date: one that is not real is refused as typed and not saved; fixed, it is.
    page.get_by_test_id("case-0-except-dates-add").click()
    page.get_by_test_id("case-0-except-dates-0").fill("2026-02-30")
    expect(page.get_by_test_id("case-0-except-dates-problems")).to_contain_text(
        "dates[0] '2026-02-30' is not a date YYYY-MM-DD"
    )
    expect(rule).to_have_text("Mon\u2013Sat 09:00\u201318:00 except holidays")
    page.get_by_test_id("case-0-except-dates-0").fill("2026-03-14")
    expect(page.get_by_test_id("case-0-except-dates-problems")).to_have_count(0)
    expect(rule).to_have_text("Mon\u2013Sat 09:00\u201318:00 except holidays and 2026-03-14")
    page.get_by_test_id("case-0-except-unavailable").select_option("no_match")
    expect(label.locator(".fg-case-calendar")).to_have_text(f"calendar {CALENDAR} (unreadable: no match)")
    shot(page, "switch-except-calendar")

    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved")
    flow = stored(server)
    assert flow["nodes"][0]["cases"][0]["when"]["except"] == {
        "calendar": CALENDAR,
        "dates": ["2026-03-14"],
        "unavailable": "no_match",
    }
    declared = flow["tables"][CALENDAR]
    assert declared["server"] is True and declared["columns"] == ["name"] and not declared.get("rows")
    with api(server) as client:
        published = client.post(f"/api/flows/{FLOW}/publish", json={})
    assert published.status_code == 201, published.text
    warned = [d for d in published.json()["diagnostics"] if d["code"] == "FG533"]
    assert warned == []  # the server holds the calendar: nothing to warn about
