"""A holiday calendar kept as a server table, on a real ``flowgraph serve`` (uvicorn on
127.0.0.1, SQLite) and the real ``flowgraph table import``, in both deployment modes.

``examples/holiday_hours.json`` with its calendar moved to the server (``tables: {"india":
{"server": true}}``): published before the calendar exists it warns (FG533) and fails open;
once imported a holiday routes closed; re-imported without that date it routes open at once (no
restart, no publish); a bad calendar CSV is refused with its line and column and the version
before keeps serving. The call log records the calendar version each request read.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from services import VENV_BIN, ServerProcess, flowgraph_server
from test_dialplan_support import EXAMPLES, LiveServer
from test_holidays_live import DESK, HOLIDAY, answer_at

CALENDAR = "india"
REPUBLIC_DAY = "2026-01-26 10:00:00"
FIXED = (EXAMPLES / "calendars" / "india_fixed.csv").read_bytes()


def server_calendar_flow(mode: str) -> dict[str, Any]:
    """holiday_hours in ``mode`` reading its holidays from the server table ``india``."""
    doc = json.loads((EXAMPLES / "holiday_hours.json").read_text())
    doc["id"] = f"holiday_server_{mode}"
    doc["settings"]["deployment"]["mode"] = mode
    doc["tables"] = {CALENDAR: {"server": True, "columns": ["name"]}}
    for node in doc["nodes"]:
        for case in node.get("cases", []):
            for kind in ("except", "only"):
                if kind in case["when"]:
                    case["when"][kind]["calendar"] = CALENDAR
    doc["tests"] = []  # the shipped tests read the document's own calendar
    return doc


def cli(server: ServerProcess, via: str, stdin: bytes) -> subprocess.CompletedProcess[str]:
    """``flowgraph table import india -`` over HTTP (``url``) or into the database (``db``)."""
    where = (
        ["--url", server.base_url, "--token", server.token] if via == "url" else ["--db", server.database_url]
    )
    return subprocess.run(
        [str(VENV_BIN / "flowgraph"), "table", "import", CALENDAR, "-", *where],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    db = f"sqlite:///{tmp_path / 'flowgraph.db'}"
    with flowgraph_server(db, workdir=tmp_path) as proc:
        yield LiveServer(proc, db)


def publish(server: LiveServer, doc: dict[str, Any]) -> dict[str, Any]:
    with server.proc.client() as api:
        api.headers.update(server.proc.auth)
        assert api.post("/api/flows", json=doc).status_code == 201
        resp = api.post(f"/api/flows/{doc['id']}/publish", json={})
        assert resp.status_code == 201, resp.text
        return dict(resp.json())


def routes(server: LiveServer, flow: str, want: Any, call: str) -> dict[str, Any]:
    """Ask Republic Day until the answer is ``want`` (an import into the database is seen at the
    server's next poll; one over HTTP is live before the CLI returns), then its call-log record."""
    deadline = time.monotonic() + 10
    n = 0
    while True:
        n += 1
        got = answer_at(server, flow, f"{call}-{n}", REPUBLIC_DAY)
        if got == want:
            (record,) = server.calls(flow, f"{call}-{n}")
            return record
        assert time.monotonic() < deadline, f"still answers {got}, wanted {want}"
        time.sleep(0.05)


@pytest.mark.parametrize(("mode", "via"), [("per_step", "url"), ("single", "db"), ("single", "url")])
def test_a_server_calendar_is_read_live(server: LiveServer, mode: str, via: str) -> None:
    doc = server_calendar_flow(mode)
    flow = doc["id"]
    # Published before the calendar is uploaded: a warning, not an error, and callers get the hours.
    published = publish(server, doc)
    warned = [
        (d["nodes"], d["severity"], d["message"]) for d in published["diagnostics"] if d["code"] == "FG533"
    ]
    assert [w[:2] for w in warned] == [(["hours"], "warning"), (["why_closed"], "warning")]
    assert "calendar 'india' is not on this server" in warned[0][2]
    missing = routes(server, flow, DESK, "missing")
    assert missing["failover_reason"] is None
    assert missing["decisions"][0]["note"] == "calendar 'india' is not on this server"
    assert missing["tables"] is None

    imported = cli(server.proc, via, FIXED)
    assert imported.returncode == 0, imported.stderr
    holiday = routes(server, flow, HOLIDAY, "v1")
    assert [(d["node"], d["rule"], d.get("name")) for d in holiday["decisions"]] == [
        ("hours", "excluded_date", "Republic Day"),
        ("why_closed", "in_hours", "Republic Day"),
    ]
    assert holiday["tables"] == {CALENDAR: 1}

    # Re-imported without Republic Day: the next call is open, with no restart and no publish.
    without = b"".join(line for line in FIXED.splitlines(keepends=True) if not line.startswith(b"2026-01-26"))
    assert cli(server.proc, via, without).returncode == 0
    opened = routes(server, flow, DESK, "v2")
    assert [(d["rule"], d.get("note")) for d in opened["decisions"]] == [("in_hours", None)]
    assert opened["tables"] == {CALENDAR: 2}

    # A bad calendar is refused whole, by line and column; version 2 keeps serving.
    bad = without.replace(b"2026-08-15,", b"2026-02-30,", 1)
    refused = cli(server.proc, via, bad)
    assert refused.returncode == 1
    line = bad.splitlines().index(b"2026-02-30,Independence Day") + 1
    assert f"line {line}, column 1 (date): key '2026-02-30' is not a real date YYYY-MM-DD" in refused.stderr
    nameless = cli(server.proc, via, b"date,holiday\n2026-01-26,Republic Day\n")
    assert nameless.returncode == 1 and "line 1: a calendar (key column 'date') needs a 'name' column" in (
        nameless.stderr
    )
    assert routes(server, flow, DESK, "after-bad")["tables"] == {CALENDAR: 2}
