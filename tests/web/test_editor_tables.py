"""The Tables page in the browser, on a real server: reached from the flows list and from the
editor; a new table from a CSV of 3,000 rows (file picker), a second version dropped on the page
(drag and drop), the row count and version changing, paging without the table in the page, a
search for a key written another way, a bad CSV refused with its problems located by line and
column while the previous version stays live (checked through the API), and the CSV download.
The flow's own in-document table editor keeps working, and a server table's lookup leads here.
Every wait is on page state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from services import ServerProcess
from web_support import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TABLE = "customers"
DASH = "\u2013"  # the pager writes a range with an en dash


def number(i: int) -> str:
    return str(9_100_000_000 + i)


def customers(rows: int, version: str) -> bytes:
    """A CRM-style export: numbers written +91..., a name and an agent id per caller."""
    lines = ["number,name,agent_id", *(f"+91{number(i)},Customer {i},{version}{i:07d}" for i in range(rows))]
    return ("\n".join(lines) + "\n").encode()


def live(server: ServerProcess) -> dict[str, Any]:
    with httpx.Client(base_url=server.base_url, headers=server.auth, timeout=30) as client:
        return next(t for t in client.get("/api/tables").json() if t["name"] == TABLE)


def drop_file(page: Page, test_id: str, name: str, data: bytes) -> None:
    """Drop a file on an element as a user dragging it from the desktop does (a real DataTransfer)."""
    transfer = page.evaluate_handle(
        """([name, text]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], name, { type: "text/csv" }));
            return dt;
        }""",
        [name, data.decode()],
    )
    target = page.get_by_test_id(test_id)
    target.dispatch_event("dragover", {"dataTransfer": transfer})
    target.dispatch_event("drop", {"dataTransfer": transfer})


def record_progress(page: Page) -> None:
    """Keep every text the upload's progress line shows (it may last less than a frame)."""
    page.evaluate(
        """() => {
            window.__progress = [];
            new MutationObserver(() => {
                const el = document.querySelector('[data-testid="upload-progress"]');
                if (el && window.__progress.at(-1) !== el.textContent) window.__progress.push(el.textContent);
            }).observe(document.body, { subtree: true, childList: true, characterData: true });
        }"""
    )


def test_upload_search_refuse_and_download_a_server_table(
    page: Page, server: ServerProcess, tmp_path: Path
) -> None:
    sign_in(page, server)
    page.get_by_test_id("open-tables").click()
    expect(page).to_have_url(f"{server.base_url}/#/tables")

    # A new table: name it, pick its first CSV.
    page.get_by_test_id("new-table-name").fill(TABLE)
    record_progress(page)
    page.get_by_test_id("new-table-upload").set_input_files(
        {"name": "customers.csv", "mimeType": "text/csv", "buffer": customers(3000, "a")}
    )
    expect(page.get_by_test_id("upload-done")).to_contain_text("Version 1 is live: 3,000 rows")
    expect(page).to_have_url(f"{server.base_url}/#/tables/{TABLE}")
    seen = page.evaluate("window.__progress")
    assert seen and seen[0].startswith("Sending customers.csv: ") and "of 107.3 KB" in seen[0], seen
    expect(page.get_by_test_id(f"version-{TABLE}")).to_have_text("v1")
    expect(page.get_by_test_id(f"rows-{TABLE}")).to_have_text("3,000")
    expect(page.get_by_test_id("open-rows")).to_have_text("3,000 rows")
    expect(page.get_by_test_id("rows-label")).to_have_text(f"Rows 1{DASH}50 of 3,000")
    expect(page.get_by_test_id("table-row")).to_have_count(50)  # a page, not the table, in the DOM

    # A second version, dropped on the open table's upload box.
    drop_file(page, "open-table-drop", "customers-b.csv", customers(3500, "b"))
    expect(page.get_by_test_id("upload-done")).to_contain_text(
        "Version 2 is live: 3,500 rows (was version 1, 3,000 rows)"
    )
    expect(page.get_by_test_id(f"version-{TABLE}")).to_have_text("v2")
    expect(page.get_by_test_id("open-rows")).to_have_text("3,500 rows")
    expect(page.get_by_test_id("rows-label")).to_have_text(f"Rows 1{DASH}50 of 3,500")
    expect(page.get_by_test_id("rows-table")).to_have_attribute("data-version", "2")
    page.get_by_test_id("rows-next").click()
    expect(page.get_by_test_id("rows-label")).to_have_text(f"Rows 51{DASH}100 of 3,500")
    expect(page.get_by_test_id("table-row").first.locator("th")).to_have_text(number(50))

    # Search for a key, written as a caller's number is (the server matches its lookup form).
    page.get_by_test_id("table-search").fill("+91 91000 01234")
    expect(page.get_by_test_id("rows-label")).to_have_text(f"Rows 1{DASH}1 of 1 matching “+91 91000 01234”")
    row = page.get_by_test_id("table-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(number(1234))
    expect(row).to_contain_text("b0001234")
    page.get_by_test_id("table-search").fill("customer 349")
    expect(page.get_by_test_id("rows-label")).to_have_text(f"Rows 1{DASH}11 of 11 matching “customer 349”")
    shot(page, "tables-search")

    # A bad file: a key repeated in another form (line 3) and a short line (line 5).
    bad = b"number,name,agent_id\n9100000001,A,1\n+91 91000-00001,B,2\n9100000003,C,3\n9100000004,D\n"
    page.get_by_test_id("open-table-upload").set_input_files(
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}
    )
    refused = page.get_by_test_id("upload-refused")
    expect(refused).to_contain_text("bad.csv was not imported.")
    expect(refused).to_contain_text("Nothing changed: version 2 (3,500 rows) is still live.")
    problems = page.get_by_test_id("upload-problems").locator("tbody tr")
    expect(problems).to_have_count(2)
    first, second = (problems.nth(i).locator("td") for i in (0, 1))
    expect(first).to_have_text(
        ["3", "1 (number)", "key '+91 91000-00001' repeats line 2 (both are 9100000001)"]
    )
    expect(second).to_have_text(["5", "", "2 values, the first line names 3 columns"])
    shot(page, "tables-refused")
    assert (live(server)["version"], live(server)["rows"]) == (2, 3500)
    expect(page.get_by_test_id(f"version-{TABLE}")).to_have_text("v2")
    expect(page.get_by_test_id("open-rows")).to_have_text("3,500 rows")

    # Download the live version.
    with page.expect_download() as got:
        page.get_by_test_id("table-download").click()
    download = got.value
    assert download.suggested_filename == f"{TABLE}.csv"
    path = tmp_path / "customers.csv"
    download.save_as(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "number,name,agent_id" and len(lines) == 3501
    assert f"{number(1234)},Customer 1234,b0001234" in lines


def test_the_editor_reaches_tables_and_the_flows_own_table_editor_still_works(
    page: Page, server: ServerProcess
) -> None:
    sign_in(page, server)
    page.get_by_test_id("open-registered_users").click()
    expect(page.get_by_test_id("canvas")).to_have_attribute("data-view-settled", "true")
    page.get_by_test_id("node-account").click()
    page.get_by_test_id("tab-properties").click()
    editor = page.get_by_test_id("table-editor")
    expect(editor).to_contain_text("Table “registered” · 3 rows")  # rows in the document
    editor.get_by_label("9876543210 name").fill("Asha R.")
    expect(page.get_by_test_id("save-state")).to_have_text("All changes saved")

    # The same flow with its table moved to the server: the lookup leads to the Tables page.
    with httpx.Client(base_url=server.base_url, headers=server.auth, timeout=30) as client:
        got = client.get("/api/flows/registered_users")
        doc = got.json()["flow"]
        doc["tables"] = {"registered": {"server": True, "columns": ["name", "agent_id"]}}
        saved = client.put("/api/flows/registered_users", json=doc, headers={"If-Match": got.headers["etag"]})
        assert saved.status_code == 200, saved.text
    page.reload()
    expect(page.get_by_test_id("canvas")).to_have_attribute("data-view-settled", "true")
    page.get_by_test_id("node-account").click()
    page.get_by_test_id("tab-properties").click()
    expect(page.get_by_test_id("server-table-note")).to_contain_text("kept on the server")
    expect(page.get_by_test_id("table-editor")).to_have_count(0)
    page.get_by_test_id("open-server-table").click()
    expect(page).to_have_url(f"{server.base_url}/#/tables/registered")
    expect(page.get_by_test_id("no-such-table")).to_contain_text("No table 'registered' on the server")
    page.get_by_test_id("tables-to-flow").click()
    expect(page.get_by_test_id("canvas")).to_be_visible()
    page.get_by_test_id("editor-tables").click()
    expect(page).to_have_url(f"{server.base_url}/#/tables")
