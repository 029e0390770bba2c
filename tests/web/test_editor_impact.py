"""Issue 12's acceptance test in the browser: calls recorded with ``flowgraph call`` on a real
server, then a draft that changes one branch. The impact report counts exactly the calls that took
that branch, in the API and on the editor's Publish tab (with its window, examples, the diff
picture shaded by calls); the Calls tab shows the version that answered each request; a flow
with no calls and a draft with errors get their own states. Every wait is on page state."""

from __future__ import annotations

import copy
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from services import VENV_BIN, ServerProcess
from web_support import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
FLOW = "personal_agent"
#: 3 calls press 2 (support 5300), 2 press 1 (the caller's own agent), 1 is unknown (the IVR).
CALLS = [
    ("+919876543210", "2"),
    ("+919812345678", "2"),
    ("+919876543210", "2"),
    ("+919812345678", "1"),
    ("+919876543210", "1"),
    ("+919000012345", ""),
]


def place_call(server: ServerProcess, caller: str, dtmf: str) -> None:
    cmd = [str(VENV_BIN / "flowgraph"), "call", server.base_url, "--flow", FLOW, "--caller", caller]
    cmd += ["--token", server.token, *(["--dtmf", dtmf] if dtmf else [])]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


def api(server: ServerProcess) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers=server.auth, timeout=30)


@pytest.fixture(scope="module")
def recorded(server: ServerProcess) -> Iterator[dict[str, Any]]:
    """The calls placed and logged (11 requests), then a draft whose option 2 goes to the IVR."""
    for caller, dtmf in CALLS:
        place_call(server, caller, dtmf)
    with api(server) as client:
        rows: list[Any] = []
        for _ in range(200):  # the call log is written behind: wait until all 11 requests are in
            rows = client.get(f"/api/flows/{FLOW}/calls", params={"limit": 100}).json()
            if len(rows) >= 11:
                break
            time.sleep(0.05)
        assert len(rows) == 11
        got = client.get(f"/api/flows/{FLOW}")
        doc = got.json()["flow"]
        draft = copy.deepcopy(doc)
        next(n for n in draft["nodes"] if n["id"] == "menu")["branches"]["2"] = "main_ivr"
        saved = client.put(f"/api/flows/{FLOW}", json=draft, headers={"If-Match": got.headers["etag"]})
        assert saved.status_code == 200, saved.text
        yield {"rows": rows, "draft": draft}


def test_the_publish_tab_counts_exactly_the_calls_that_took_the_changed_branch(
    page: Page, server: ServerProcess, recorded: dict[str, Any]
) -> None:
    with api(server) as client:
        report = client.post(f"/api/flows/{FLOW}/impact", params={"since": "7d"}).json()
        version = client.get(f"/api/flows/{FLOW}/versions").json()[0]
        diff = client.get(f"/api/flows/{FLOW}/diff.svg", params={"traffic": "7d"})
    assert (report["replayed"], report["changed"], report["not_replayed"]) == (6, 3, [])
    (group,) = report["groups"]
    assert (group["old"], group["new"], group["calls"]) == (
        "transfer department 5300",
        "transfer ivr 22590",
        3,
    )
    assert sorted(e["caller"] for e in group["examples"]) == [
        "+919812345678",
        "+919876543210",
        "+919876543210",
    ]
    assert (
        diff.status_code == 200
        and "+ 2 · 3 calls" in diff.text
        and "3 calls took a changed branch" in diff.text
    )

    sign_in(page, server)
    page.get_by_test_id(f"open-{FLOW}").click()
    expect(page.get_by_test_id("node-menu")).to_be_visible()
    page.get_by_test_id("tab-versions").click()
    impact = page.get_by_test_id("impact")
    expect(impact).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("impact-headline")).to_have_text(
        "Of 6 calls in the last 7 days, 3 would now go to the IVR 22590 instead of department 5300."
    )
    groups = page.get_by_test_id("impact-group")
    expect(groups).to_have_count(1)
    expect(groups.first).to_have_attribute("data-calls", "3")
    expect(page.get_by_test_id("impact-example")).to_have_count(3)
    shot(page, "impact-publish-tab")

    # Another window replays again; the calls were all placed just now, so it counts the same.
    page.get_by_test_id("impact-window").select_option("1d")
    expect(impact).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("impact-headline")).to_contain_text("Of 6 calls in the last 1 day, 3 would")

    # The diff from the live version, its changed branch shaded by the 3 calls that took it.
    page.get_by_test_id("impact-diff").click()
    expect(page.get_by_test_id("diff-overlay")).to_be_visible()
    expect(page.get_by_test_id("diff-image-large")).to_have_js_property("complete", True)
    shot(page, "impact-shaded-diff")
    page.get_by_test_id("diff-close").click()

    # An example opens that call's journey: each request says the version that answered it.
    page.get_by_test_id("impact-example").first.click()
    expect(page.get_by_test_id("calls-panel")).to_be_visible()
    journey = page.get_by_test_id("call-journey")
    expect(journey.get_by_test_id("journey-request")).to_have_count(2)
    expect(journey.get_by_test_id("journey-version").first).to_have_text(f"v{version['number']}")
    expect(journey.get_by_test_id("call-version").first).to_have_attribute(
        "title", f"flow version {version['hash']}"
    )
    expect(page.locator('[data-testid^="call-"][aria-current="true"]')).to_have_count(1)
    shot(page, "impact-call-journey")


def test_a_flow_without_calls_and_a_draft_with_errors_say_so(
    page: Page, server: ServerProcess, recorded: dict[str, Any]
) -> None:
    quiet = json.loads((ROOT / "examples" / "delivery_agents.json").read_text())
    quiet["id"], quiet["tests"] = "quiet_flow", []
    broken = copy.deepcopy(quiet)
    broken["id"] = "broken_flow"
    broken["settings"].pop("failover", None)  # FG401: an error, so nothing can be replayed
    with api(server) as client:
        for doc in (quiet, broken):
            assert client.post("/api/flows", json=doc).status_code == 201
    sign_in(page, server)
    page.get_by_test_id("open-quiet_flow").click()
    page.get_by_test_id("tab-versions").click()
    expect(page.get_by_test_id("impact")).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("impact-headline")).to_have_text("No calls were recorded in the last 7 days.")
    expect(page.get_by_test_id("impact-empty")).to_be_visible()
    page.get_by_test_id("tab-calls").click()
    expect(page.get_by_test_id("calls-empty")).to_be_visible()

    page.goto(server.base_url + "/")
    page.get_by_test_id("open-broken_flow").click()
    page.get_by_test_id("tab-versions").click()
    expect(page.get_by_test_id("impact")).to_have_attribute("data-status", "error")
    expect(page.get_by_test_id("impact-error")).to_contain_text("The draft has errors")
