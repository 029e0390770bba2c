"""Issue 12 in the browser: a simulated call saved as a flow test in one click, green; an edit
that changes how the call ends turns it red and blocks publishing; untested branches shaded on
the canvas. Every wait is on page state (test rows carry ``data-state``, the status ``data-stale``)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from services import ServerProcess
from web_support import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def open_copy(page: Page, server: ServerProcess, flow_id: str) -> None:
    """Store delivery_agents without its shipped tests under ``flow_id`` and open it."""
    doc = json.loads((ROOT / "examples" / "delivery_agents.json").read_text())
    doc["id"] = flow_id
    doc["tests"] = []
    created = httpx.post(f"{server.base_url}/api/flows", json=doc, headers=server.auth)
    assert created.status_code == 201, created.text
    sign_in(page, server)
    page.get_by_test_id(f"open-{flow_id}").click()
    expect(page.get_by_test_id("node-help_menu")).to_be_visible()


def results_shown(page: Page) -> None:
    """The Tests tab shows the results of the document on screen (saved and run)."""
    expect(page.get_by_test_id("tests-status")).to_have_attribute("data-stale", "false")


def test_save_a_simulation_as_a_test_then_an_edit_turns_it_red_and_blocks_publish(
    page: Page, server: ServerProcess
) -> None:
    open_copy(page, server, "tests_flow")
    page.get_by_test_id("tab-tests").click()
    expect(page.get_by_test_id("tests-status")).to_have_text("No tests yet.")

    # A known caller's delivery agent does not answer: the call goes on to support (5200).
    page.get_by_test_id("tab-simulate").click()
    expect(page.get_by_text("Asia/Kolkata, the flow's time zone")).to_be_visible()
    page.get_by_label("Caller number").fill("9812345678")
    page.get_by_test_id("sim-start").click()
    events = page.get_by_test_id("sim-events")
    expect(events).to_contain_text("Transfer to number 9000000102 (answered)")
    expect(events).to_contain_text("“Connecting you to your delivery partner” (500101)")
    page.get_by_test_id("sim-no-answer").click()
    expect(events).to_contain_text("Transfer to number 9000000102 (not answered)")
    expect(events).to_contain_text("5200 (answered)")
    page.get_by_test_id("sim-save-test").click()
    expect(page.get_by_test_id("sim-saved")).to_contain_text("Saved as test “9812345678 presses nothing")

    # An unknown caller presses 2 at the menu: support.
    page.get_by_label("Caller number").fill("9000012345")
    page.get_by_test_id("sim-start").click()
    expect(page.get_by_test_id("sim-save-test")).to_be_disabled()
    page.get_by_test_id("key-2").click()
    expect(events).to_contain_text("pressed 2")
    page.get_by_test_id("sim-save-test").click()
    expect(page.get_by_test_id("sim-saved")).to_contain_text("9000012345 presses 2")

    page.get_by_test_id("tab-tests").click()
    results_shown(page)
    expect(page.get_by_test_id("tests-status")).to_have_text("All 2 tests pass")
    expect(page.get_by_test_id("test-0")).to_have_attribute("data-state", "passed")
    expect(page.get_by_test_id("test-1")).to_have_attribute("data-state", "passed")
    expect(page.get_by_test_id("tests-count")).to_have_text("2 ✓")
    stored = httpx.get(f"{server.base_url}/api/flows/tests_flow", headers=server.auth).json()["flow"]
    assert [t["answers"] for t in stored["tests"]] == [[False], []]
    assert stored["tests"][1]["presses"] == ["2"]

    # Coverage: option 1 and no input were never taken; shading marks them on the canvas.
    expect(page.get_by_test_id("test-coverage")).to_contain_text("Branch coverage:")
    expect(page.get_by_test_id("untested-list")).to_contain_text("help_menu 1")
    expect(page.get_by_test_id("handle-help_menu-1")).not_to_have_attribute("data-untested", "true")
    page.get_by_test_id("shade-untested").check()
    expect(page.get_by_test_id("handle-help_menu-1")).to_have_attribute("data-untested", "true")
    expect(page.get_by_test_id("handle-help_menu-2")).not_to_have_attribute("data-untested", "true")
    expect(page.locator(".react-flow__edge.edge-untested").first).to_be_attached()
    shot(page, "12-tests-green-untested")

    # Support moves to another number: both tests now end elsewhere.
    page.get_by_test_id("node-search").fill("support")
    page.get_by_test_id("node-search").press("Enter")
    expect(page.get_by_test_id("node-id-input")).to_have_value("support")
    page.get_by_test_id("transfer-targets-0").fill("5300")
    page.get_by_test_id("tab-tests").click()
    results_shown(page)
    expect(page.get_by_test_id("test-1")).to_have_attribute("data-state", "failed")
    expect(page.get_by_test_id("test-1-diff")).to_have_text("targets: expected [5200], got [5300]")
    expect(page.get_by_test_id("tests-status")).to_have_text("2 tests failing, 0 passing")
    expect(page.get_by_test_id("tests-count")).to_have_text("2 failing")
    shot(page, "12-tests-red")

    page.get_by_test_id("tab-versions").click()
    page.get_by_test_id("publish-note").fill("support moved")
    page.get_by_test_id("publish-button").click()
    expect(page.get_by_test_id("publish-message")).to_have_text(
        "Publishing is blocked: 2 of 2 flow tests fail."
    )
    failing = page.get_by_test_id("publish-failing-tests")
    expect(failing).to_contain_text("9000012345 presses 2")
    expect(failing).to_contain_text("targets: expected [5200], got [5300]")
    shot(page, "12-publish-blocked")
    versions = httpx.get(f"{server.base_url}/api/flows/tests_flow/versions", headers=server.auth).json()
    assert versions == []

    # Deleting the failing tests lets the flow publish.
    page.get_by_test_id("tab-tests").click()
    page.get_by_test_id("test-1-delete").click()
    page.get_by_test_id("test-0-delete").click()
    results_shown(page)
    expect(page.get_by_test_id("tests-status")).to_have_text("No tests yet.")
    page.get_by_test_id("tab-versions").click()
    page.get_by_test_id("publish-button").click()
    expect(page.get_by_test_id("publish-message")).to_have_text("Published version 1.")


def inside(box: dict[str, float], frame: dict[str, float]) -> bool:
    return (
        box["x"] >= frame["x"] - 1
        and box["y"] >= frame["y"] - 1
        and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
        and box["y"] + box["height"] <= frame["y"] + frame["height"] + 1
    )


def test_delivery_agents_opens_whole_and_readable_and_commands_confirm(page: Page, server: ServerProcess) -> None:
    sign_in(page, server)
    page.get_by_test_id("open-delivery_agents").click()
    canvas = page.get_by_test_id("canvas")
    expect(canvas).to_have_attribute("data-view-settled", "true")
    frame = canvas.bounding_box()
    assert frame is not None
    ids = ["order", "connect_agent", "delivery_agent", "help_menu", "order_status", "status_end", "support"]
    for node in ids:
        box = page.get_by_test_id(f"node-{node}").bounding_box()
        assert box is not None and inside(box, frame), (node, box, frame)
    # Readable: a node title is drawn at 10 px or more (the reviewer measured about 6 px).
    title = page.get_by_test_id("node-help_menu").locator(".fg-node-title")
    size = title.evaluate("el => el.getBoundingClientRect().height")
    assert size >= 10, size
    shot(page, "11-delivery-agents-open")

    # Ctrl+S and the JSON button say what they did.
    canvas.locator(".react-flow__pane").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("toolbar-notice")).to_have_text("Nothing to save: all changes are saved")
    with page.expect_download() as download:
        page.get_by_test_id("export-json").click()
    assert download.value.suggested_filename == "delivery_agents.json"
    expect(page.get_by_test_id("toolbar-notice")).to_have_text("Downloaded delivery_agents.json")
