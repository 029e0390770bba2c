"""What a telephony admin meets first in the editor, in real headless Chromium against a real server:
a readable first view of a bundled example, nodes added with the keyboard that never pile up,
problems that say which node and what is wrong (also when the draft cannot be saved, without
retrying the same refused save in a loop), and a simulator that shows only the requests the caller
has reached, with what the platform sends."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from services import ServerProcess
from web_support import add_by_keyboard, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def flow_box(page: Page, node: str) -> dict[str, float]:
    """A node's box in flow coordinates (unaffected by the view's zoom or a pan in progress)."""
    box = page.locator(f'.react-flow__node[data-id="{node}"]').evaluate(
        """el => {
            const m = /translate\\(([-\\d.]+)px, ([-\\d.]+)px\\)/.exec(el.style.transform);
            return {x: Number(m[1]), y: Number(m[2]), width: el.offsetWidth, height: el.offsetHeight};
        }"""
    )
    return {k: float(v) for k, v in box.items()}


def disjoint(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_a_bundled_example_opens_readable_at_its_entry(page: Page, server: ServerProcess) -> None:
    sign_in(page, server)
    page.get_by_test_id("open-delivery_agents").click()
    entry = page.get_by_test_id("node-order")
    expect(entry).to_be_visible()
    # Six nodes side by side would need ~0.5 zoom to fit: the editor starts readable at the entry.
    transform = page.locator(".react-flow__viewport").get_attribute("style") or ""
    zoom = float(re.search(r"scale\(([\d.]+)\)", transform).group(1))  # type: ignore[union-attr]
    assert zoom >= 0.75, transform
    canvas = page.get_by_test_id("canvas").bounding_box()
    box = entry.bounding_box()
    assert canvas and box
    assert canvas["x"] <= box["x"] and box["x"] + box["width"] <= canvas["x"] + canvas["width"]

    # Problems say how many of what, and which node each one is about.
    expect(page.get_by_test_id("problem-count")).to_have_text("1 warning")
    page.get_by_test_id("tab-problems").click()
    expect(page.get_by_test_id("problem-FG520")).to_contain_text("End the call (status_end)")
    page.get_by_test_id("problem-FG520").click()
    expect(page.get_by_test_id("node-id-input")).to_have_value("status_end")
    shot(page, "new-user-01-example-readable")


def test_a_new_flow_by_keyboard_names_what_blocks_publishing(page: Page, server: ServerProcess) -> None:
    sign_in(page, server)
    page.get_by_label("New flow id").fill("first_try")
    page.get_by_test_id("new-flow-create").click()
    expect(page.get_by_test_id("flow-settings")).to_be_visible()
    refused: list[str] = []
    page.on(
        "response",
        lambda r: refused.append(r.url) if r.request.method == "PUT" and r.status == 422 else None,
    )

    # A menu in a flow with no recordings yet: the draft still saves, and the problem is named
    # on the node (FG523) alongside everything else that blocks publishing.
    add_by_keyboard(page, "menu", "main")
    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved")
    page.get_by_test_id("tab-problems").click()
    missing = page.get_by_test_id("problem-FG523")
    expect(missing).to_contain_text("main")
    expect(missing).to_contain_text("recording is empty")
    assert refused == [], refused

    # Nodes added from the palette go beside the selected one, never on top of each other.
    add_by_keyboard(page, "transfer", "sales")
    add_by_keyboard(page, "transfer", "support")
    boxes = [flow_box(page, n) for n in ("main", "sales", "support")]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert disjoint(a, b), (a, b)
    shot(page, "new-user-02-keyboard-nodes")

    # Typing the recording fixes it and the draft saves; a flow-wide problem opens the settings.
    page.get_by_test_id("node-search").fill("main")
    page.get_by_test_id("node-search").press("Enter")
    page.get_by_test_id("recording-input").fill("500110")
    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved")
    page.get_by_test_id("tab-problems").click()
    # The menu's problem is gone; the two new transfers still have no targets.
    expect(page.get_by_test_id("problem-FG523")).to_have_count(2)
    expect(page.get_by_test_id("problem-FG523").filter(has_text="main")).to_have_count(0)
    page.get_by_test_id("problem-FG401").click()
    expect(page.get_by_test_id("failover-type")).to_be_visible()


def test_the_simulator_shows_only_the_requests_the_caller_reached(page: Page, server: ServerProcess) -> None:
    sign_in(page, server)
    page.goto(f"{server.base_url}/#/flow/delivery_agents")
    page.get_by_test_id("tab-simulate").click()
    page.get_by_label("Caller number").fill("9000000555")  # not in the flow's table: the help menu
    page.get_by_test_id("sim-start").click()
    events = page.get_by_test_id("sim-events")
    expect(events).to_contain_text(
        "Waiting: the caller hears “Press 1 for your order status, 2 for customer support” (500110)"
    )
    # The menu's request only: what happens after a key press is not shown before the key is pressed.
    expect(page.get_by_test_id("sim-json-0")).to_contain_text('"dtmf"')
    expect(page.get_by_test_id("sim-json-1")).to_have_count(0)
    expect(page.get_by_test_id("sim-request-0")).to_contain_text('"caller_id_number": "9000000555"')

    page.get_by_test_id("key-2").click()
    expect(events).to_contain_text("Transfer to department 5200")
    expect(page.get_by_test_id("sim-request-1")).to_contain_text('"last_dtmf": "2"')
    expect(page.get_by_test_id("sim-json-1")).to_contain_text(
        '[{"transfer":{"type":"department","data":["5200"]'
    )
    shot(page, "new-user-03-simulator")
