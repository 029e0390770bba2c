"""Edits the server does not have yet are never dropped without a word (outside reviewer F4): leaving
the editor while a save fails asks first, and closing or reloading the tab with unsaved edits makes
the browser ask. Every wait is on page state."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Dialog, Page, Route, expect
from services import ServerProcess
from web_support import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
FLOW = "unsaved_edits"


def stored_name(server: ServerProcess, node_id: str) -> str:
    doc = httpx.get(f"{server.base_url}/api/flows/{FLOW}", headers=server.auth).json()
    flow = doc.get("flow", doc)
    return next(n["name"] for n in flow["nodes"] if n["id"] == node_id)


def test_leaving_with_a_failed_save_asks_and_staying_keeps_the_edit(
    page: Page, server: ServerProcess
) -> None:
    doc = json.loads((ROOT / "examples" / "delivery_agents.json").read_text())
    doc["id"], doc["tests"] = FLOW, []
    assert httpx.post(f"{server.base_url}/api/flows", json=doc, headers=server.auth).status_code == 201
    sign_in(page, server)
    page.get_by_test_id(f"open-{FLOW}").click()
    node = doc["nodes"][0]["id"]
    page.get_by_test_id(f"node-{node}").click()

    def refuse(route: Route) -> None:
        if route.request.method == "PUT":
            route.abort()
        else:
            route.continue_()

    page.route(f"**/api/flows/{FLOW}", refuse)
    page.get_by_test_id("node-name-input").fill("Renamed while the server is away")
    expect(page.get_by_test_id("save-state")).to_contain_text("failed")
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()  # stay

    page.once("dialog", answer)
    page.get_by_test_id("editor-back").click()
    expect(page.get_by_test_id("node-name-input")).to_have_value("Renamed while the server is away")
    assert asked and "not saved" in asked[0], asked
    assert "#/flow/" in page.url
    # The server is back: leaving saves first, without asking.
    page.unroute(f"**/api/flows/{FLOW}")
    page.get_by_test_id("editor-back").click()
    expect(page.get_by_test_id(f"open-{FLOW}")).to_be_visible()
    assert stored_name(server, node) == "Renamed while the server is away"


def test_closing_the_tab_with_unsaved_edits_makes_the_browser_ask(page: Page, server: ServerProcess) -> None:
    tab = page.context.new_page()  # closed below; the fixture's page stays for its screenshot
    sign_in(tab, server)  # (the first test stored the flow)
    tab.get_by_test_id(f"open-{FLOW}").click()

    def refuse(route: Route) -> None:
        if route.request.method == "PUT":
            route.abort()
        else:
            route.continue_()

    tab.route(f"**/api/flows/{FLOW}", refuse)
    node = json.loads((ROOT / "examples" / "delivery_agents.json").read_text())["nodes"][0]["id"]
    tab.get_by_test_id(f"node-{node}").click()
    tab.get_by_test_id("node-name-input").fill("Not saved yet")
    expect(tab.get_by_test_id("save-state")).to_contain_text("failed")
    kinds: list[str] = []

    def answer(dialog: Dialog) -> None:
        kinds.append(dialog.type)
        dialog.accept()  # leave: the tab closes

    tab.on("dialog", answer)
    with tab.expect_event("close"):
        tab.close(run_before_unload=True)
    assert kinds == ["beforeunload"], kinds
