"""The Tests tab edits a saved test: its keys (keys, keys then #, no input), what an HTTP lookup
answers and the expectation, with problems shown beside their field; the edited test is saved in
the draft and runs green. Every wait is on page state."""

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
SUPPORT = {"outcome": "transfer", "transfer": "department", "targets": ["5200"]}


def stored_tests(server: ServerProcess, flow_id: str) -> list[dict[str, object]]:
    return httpx.get(f"{server.base_url}/api/flows/{flow_id}", headers=server.auth).json()["flow"]["tests"]


def test_edit_a_saved_tests_keys_and_expectation_with_inline_problems(
    page: Page, server: ServerProcess
) -> None:
    doc = json.loads((ROOT / "examples" / "delivery_agents.json").read_text())
    doc["id"] = "edit_tests"
    doc["tests"] = [
        {
            "name": "unknown presses 2",
            "call": {"caller": "+919000012345"},
            "presses": ["2"],
            "expect": SUPPORT,
        }
    ]
    assert httpx.post(f"{server.base_url}/api/flows", json=doc, headers=server.auth).status_code == 201
    sign_in(page, server)
    page.get_by_test_id("open-edit_tests").click()
    page.get_by_test_id("tab-tests").click()
    expect(page.get_by_test_id("test-0")).to_have_attribute("data-state", "passed")

    page.get_by_test_id("test-0-edit").click()
    editor = page.get_by_test_id("test-editor")
    keys = editor.get_by_test_id("test-edit-press-0-digits")
    expect(keys).to_have_value("2")
    keys.fill("2a")
    expect(editor.get_by_test_id("test-edit-error-presses.0")).to_contain_text("Keys are the digits 0")
    expect(editor.get_by_test_id("test-edit-save")).to_be_disabled()
    # Option 1 for an unknown caller hangs up; said with a closing #, which ends the input.
    editor.get_by_test_id("test-edit-press-0-kind").select_option("hash")
    keys.fill("1")
    expect(editor.get_by_test_id("test-edit-error-presses.0")).to_have_count(0)
    editor.get_by_test_id("test-edit-targets").fill("")
    expect(editor.get_by_test_id("test-edit-error-expect.targets")).to_be_visible()
    editor.get_by_test_id("test-edit-outcome").select_option("hangup")
    expect(editor.get_by_test_id("test-edit-error-expect.targets")).to_have_count(0)
    shot(page, "test-edit-form")
    editor.get_by_test_id("test-edit-save").click()
    expect(page.get_by_test_id("test-editor")).to_have_count(0)
    expect(page.get_by_test_id("tests-status")).to_have_attribute("data-stale", "false")
    expect(page.get_by_test_id("test-0")).to_have_attribute("data-state", "passed")
    (saved,) = stored_tests(server, "edit_tests")
    expectation = {k: v for k, v in saved["expect"].items() if v is not None}  # type: ignore[attr-defined]
    assert saved["presses"] == ["1#"] and expectation == {"outcome": "hangup"}

    # No input at the prompt: the expectation that still says hangup now fails, with its difference.
    page.get_by_test_id("test-0-edit").click()
    page.get_by_test_id("test-edit-press-0-kind").select_option("none")
    expect(page.get_by_test_id("test-edit-press-0-digits")).to_have_count(0)
    page.get_by_test_id("test-edit-save").click()
    expect(page.get_by_test_id("tests-status")).to_have_attribute("data-stale", "false")
    expect(page.get_by_test_id("test-0")).to_have_attribute("data-state", "failed")
    expect(page.get_by_test_id("test-0-diff")).to_contain_text("outcome: expected hangup")
    assert stored_tests(server, "edit_tests")[0]["presses"] == [None]


def test_edit_a_saved_tests_name_caller_and_time_and_read_long_names_whole(
    page: Page, server: ServerProcess
) -> None:
    doc = json.loads((ROOT / "examples" / "delivery_agents.json").read_text())
    doc["id"] = "rename_tests"
    long_name = "unknown caller presses 2 on the first prompt → transfer to department 5200 " * 2
    doc["tests"] = [
        {"name": long_name.strip(), "call": {"caller": "+919000012345"}, "presses": ["2"], "expect": SUPPORT},
        {"name": "second", "call": {"caller": "+919000012345"}, "presses": ["2"], "expect": SUPPORT},
    ]
    assert httpx.post(f"{server.base_url}/api/flows", json=doc, headers=server.auth).status_code == 201
    sign_in(page, server)
    page.get_by_test_id("open-rename_tests").click()
    page.get_by_test_id("tab-tests").click()
    expect(page.get_by_test_id("test-0")).to_have_attribute("data-state", "passed")
    # The card's name wraps: nothing of it is hidden, and it spans more than one line.
    card_name = page.get_by_test_id("test-0-name")
    expect(card_name).to_have_value(long_name.strip())
    sizes = card_name.evaluate("e => [e.scrollHeight, e.clientHeight, e.scrollWidth, e.clientWidth]")
    assert sizes[0] <= sizes[1] and sizes[2] <= sizes[3], sizes
    line = page.get_by_test_id("test-1-name").evaluate("e => e.clientHeight")
    assert sizes[1] > line, (sizes, line)

    page.get_by_test_id("test-0-edit").click()
    editor = page.get_by_test_id("test-editor")
    name = editor.get_by_test_id("test-edit-name")
    expect(name).to_have_value(long_name.strip())
    expect(editor.get_by_test_id("test-edit-caller")).to_have_value("+919000012345")
    expect(editor.get_by_test_id("test-edit-at")).to_have_value("2026-01-05T10:00")
    name.fill("second")
    expect(editor.get_by_test_id("test-edit-error-name")).to_contain_text("Another test of this flow")
    expect(editor.get_by_test_id("test-edit-save")).to_be_disabled()
    name.fill("")
    expect(editor.get_by_test_id("test-edit-error-name")).to_contain_text("Give the test a name")
    name.fill("9000011111 presses 2 at 11:30 → department 5200")
    expect(editor.get_by_test_id("test-edit-error-name")).to_have_count(0)
    editor.get_by_test_id("test-edit-caller").fill("9000011111")
    editor.get_by_test_id("test-edit-at").fill("2026-01-27T11:30")
    editor.get_by_test_id("test-edit-save").click()
    expect(page.get_by_test_id("test-editor")).to_have_count(0)
    expect(card_name).to_have_value("9000011111 presses 2 at 11:30 → department 5200")
    expect(page.get_by_test_id("tests-status")).to_have_attribute("data-stale", "false")
    expect(page.get_by_test_id("test-0")).to_have_attribute("data-state", "passed")
    saved = stored_tests(server, "rename_tests")[0]
    assert saved["name"] == "9000011111 presses 2 at 11:30 → department 5200"
    assert saved["call"] == {"caller": "9000011111", "dialled": "+919000000000", "at": "2026-01-27 11:30"}
