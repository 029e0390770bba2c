"""The editor in real headless Chromium against a real server (issue 5's end-to-end list)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect
from services import ServerProcess
from web_support import add_by_keyboard, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def drag_connect(page: Page, source: str, branch: str, target: str) -> None:
    """Wire a branch with the mouse: from the branch's handle to the target's input handle."""
    start = page.get_by_test_id(f"handle-{source}-{branch}").locator(".react-flow__handle").bounding_box()
    end = page.locator(f'.react-flow__node[data-id="{target}"] .fg-handle-in').bounding_box()
    assert start and end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + 40, end["y"] + 40, steps=8)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def select_node(page: Page, node: str) -> None:
    # Click only once the view has settled (first fit done, no pan animation running): a click
    # during the animation lands where the node was, not where it is.
    expect(page.get_by_test_id("canvas")).to_have_attribute("data-view-settled", "true")
    page.get_by_test_id(f"node-{node}").click()
    page.get_by_test_id("tab-properties").click()
    expect(page.get_by_test_id("node-id-input")).to_have_value(node)


def test_build_a_flow_from_an_empty_canvas(page: Page, server: ServerProcess) -> None:
    sign_in(page, server)
    shot(page, "01-flows-list")
    page.get_by_label("New flow id").fill("e2e_support")
    page.get_by_label("Name", exact=True).fill("E2E support line")
    page.get_by_test_id("new-flow-create").click()
    expect(page.get_by_test_id("flow-settings")).to_be_visible()
    expect(page.locator(".react-flow__node")).to_have_count(0)

    # Flow settings: the failover destination and a recording in the catalogue.
    page.get_by_test_id("failover-type").select_option("department")
    page.get_by_test_id("failover-targets-0").fill("5001")
    page.get_by_test_id("recording-add").click()
    page.get_by_test_id("recording-id-0").fill("500110")

    # A menu dragged from the palette with the mouse; two transfers added with the keyboard.
    page.get_by_test_id("palette-menu").drag_to(
        page.get_by_test_id("canvas"), target_position={"x": 260, "y": 300}
    )
    expect(page.get_by_test_id("node-menu")).to_be_visible()
    expect(page.get_by_test_id("recording-input")).to_have_value("500110")
    expect(page.get_by_test_id("menu-options-1")).to_have_value("2")
    add_by_keyboard(page, "transfer", "sales")
    page.get_by_test_id("transfer-targets-0").fill("9876543210")
    add_by_keyboard(page, "transfer", "support")
    page.get_by_test_id("transfer-targets-0").fill("9123456789")
    page.get_by_test_id("auto-layout").click()

    # Wire option 1 with the mouse and option 2 with the keyboard (the Branches list).
    drag_connect(page, "menu", "1", "sales")
    expect(page.locator('.react-flow__edge[data-id="menu|1"]')).to_have_count(1)
    select_node(page, "menu")
    page.get_by_test_id("wire-menu-2").select_option("support")

    # no_input / invalid are still unwired: the server's FG402 shows on the node and in Problems.
    menu = page.get_by_test_id("node-menu")
    expect(menu).to_have_attribute("data-severity", "error")
    page.get_by_test_id("tab-problems").click()
    expect(page.get_by_test_id("problem-FG402").first).to_be_visible()
    shot(page, "02-missing-branch-error")
    page.get_by_test_id("problem-FG402").first.click()
    page.get_by_test_id("wire-menu-no_input").select_option("support")
    page.get_by_test_id("wire-menu-invalid").select_option("support")
    expect(menu).not_to_have_attribute("data-severity", "error")
    page.get_by_test_id("tab-problems").click()
    expect(page.get_by_test_id("problem-FG402")).to_have_count(0)

    # Saved by autosave; a reload finds it intact (on screen and in the store).
    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved")
    page.reload()
    for node in ("menu", "sales", "support"):
        expect(page.get_by_test_id(f"node-{node}")).to_be_visible()
    expect(page.locator(".react-flow__edge")).to_have_count(4)
    stored = httpx.get(f"{server.base_url}/api/flows/e2e_support", headers=server.auth).json()["flow"]
    nodes = {n["id"]: n for n in stored["nodes"]}
    assert nodes["menu"]["branches"] == {
        "1": "sales",
        "2": "support",
        "no_input": "support",
        "invalid": "support",
    }
    assert nodes["sales"]["targets"] == ["9876543210"]
    assert stored["settings"]["failover"] == {"type": "department", "data": ["5001"]}
    assert set(stored["layout"]["positions"]) == {"menu", "sales", "support"}
    shot(page, "03-reloaded")

    # Publish with a note.
    page.get_by_test_id("tab-versions").click()
    page.get_by_test_id("publish-note").fill("first version")
    page.get_by_test_id("publish-button").click()
    expect(page.get_by_test_id("publish-message")).to_have_text("Published version 1.")
    expect(page.get_by_test_id("version-1")).to_contain_text("first version")

    # Simulate a call pressing 2: the support transfer, lit on the canvas.
    page.get_by_test_id("tab-simulate").click()
    page.get_by_test_id("sim-start").click()
    expect(page.get_by_test_id("key-2")).to_be_enabled()
    page.get_by_test_id("key-2").click()
    events = page.get_by_test_id("sim-events")
    expect(events).to_contain_text("pressed 2")
    expect(events).to_contain_text("Transfer to number 9123456789")
    expect(events).not_to_contain_text("9876543210")
    expect(page.get_by_test_id("node-support")).to_have_attribute("data-lit", "true")
    expect(page.get_by_test_id("node-sales")).not_to_have_attribute("data-lit", "true")
    # The exact JSON the platform receives: the menu prompt, then the transfer after pressing 2.
    expect(page.get_by_test_id("sim-json-0")).to_contain_text('"dtmf"')
    expect(page.get_by_test_id("sim-json-1")).to_contain_text(
        '[{"transfer":{"type":"number","data":["9123456789"]'
    )
    shot(page, "04-simulated-press-2")

    # The deployment sheet: portal values, and the portal id pasted back into the flow.
    page.get_by_test_id("tab-deploy").click()
    expect(page.get_by_test_id("deploy-step-entry")).to_contain_text("/dialplan/e2e_support")
    page.get_by_test_id("dialplan-id-after_menu").fill("66ab41c183715fc7da")
    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved")
    stored = httpx.get(f"{server.base_url}/api/flows/e2e_support", headers=server.auth).json()["flow"]
    assert stored["settings"]["deployment"]["dialplan_ids"] == {"after_menu": "66ab41c183715fc7da"}
    shot(page, "05-deployment-sheet")

    # Export the picture as SVG through the server's renderer.
    with page.expect_download() as download:
        page.get_by_test_id("export-svg").click()
    svg = download.value.path().read_text()
    assert "<svg" in svg and "support" in svg and "9123456789" in svg


def test_conflicting_save_from_another_tab_is_offered_not_lost(page: Page, server: ServerProcess) -> None:
    sign_in(page, server)
    page.get_by_test_id("duplicate-number_masking").click()
    expect(page.get_by_test_id("flow-row-number_masking_copy")).to_be_visible()
    page.goto(f"{server.base_url}/#/flow/number_masking_copy")
    other = page.context.new_page()
    other.add_init_script(f"sessionStorage.setItem('flowgraph.token', {server.token!r})")
    other.goto(f"{server.base_url}/#/flow/number_masking_copy")
    for tab in (page, other):
        expect(tab.get_by_test_id("flow-settings")).to_be_visible()

    page.get_by_label("Name", exact=True).fill("Saved in tab one")
    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved")
    other.get_by_label("Name", exact=True).fill("Edited in tab two")
    expect(other.get_by_test_id("conflict")).to_be_visible()
    expect(other.get_by_test_id("save-state")).to_contain_text("Conflict")
    shot(other, "06-conflict")
    stored = httpx.get(f"{server.base_url}/api/flows/number_masking_copy", headers=server.auth).json()
    assert stored["flow"]["name"] == "Saved in tab one"

    other.get_by_test_id("conflict-overwrite").click()
    expect(other.get_by_test_id("save-state")).to_have_text("All changes saved")
    stored = httpx.get(f"{server.base_url}/api/flows/number_masking_copy", headers=server.auth).json()
    assert stored["flow"]["name"] == "Edited in tab two"
    other.close()


def test_copy_paste_undo_search_and_delete_with_undo(page: Page, server: ServerProcess) -> None:
    sign_in(page, server)
    page.goto(f"{server.base_url}/#/flow/delivery_agents")
    expect(page.get_by_test_id("node-support")).to_be_visible()
    count = page.locator(".react-flow__node").count()

    select_node(page, "support")
    page.get_by_test_id("canvas").locator(".react-flow__pane").focus()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(page.get_by_test_id("node-support_2")).to_be_visible()
    expect(page.locator(".react-flow__node")).to_have_count(count + 1)
    page.keyboard.press("Control+z")
    expect(page.get_by_test_id("node-support_2")).to_have_count(0)
    page.keyboard.press("Control+Shift+z")
    expect(page.get_by_test_id("node-support_2")).to_be_visible()
    page.get_by_test_id("undo").click()

    # Search and jump: the node is selected and its properties shown.
    page.keyboard.press("Control+f")
    page.keyboard.type("order status")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("node-id-input")).to_have_value("order_status")

    # Delete a flow from the list and undo it.
    page.get_by_role("button", name="Back to flows").click()
    page.get_by_test_id("delete-regional_routing").click()
    expect(page.get_by_test_id("flow-row-regional_routing")).to_have_count(0)
    page.get_by_test_id("undo-delete").click()
    expect(page.get_by_test_id("flow-row-regional_routing")).to_be_visible()
