"""Server tables through a real ``flowgraph serve`` (uvicorn on 127.0.0.1) and the real CLI:
a 50,000-row CSV imported with ``flowgraph table import`` (over HTTP, and straight into the
database the server polls), then live lookups in both deployment modes; a refused bad CSV leaves
the previous version serving; export round-trips."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from services import VENV_BIN, ServerProcess, flowgraph_server
from tables_support import agent, caller, customers_csv, table_flow
from test_dialplan_support import LiveServer

ROWS = 50_000
FLOW = "registered_users"


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tables") / "customers.csv"
    path.write_bytes(customers_csv(ROWS))
    return path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    db = f"sqlite:///{tmp_path / 'flowgraph.db'}"
    with flowgraph_server(db, workdir=tmp_path) as proc:
        yield LiveServer(proc, db)


def cli(
    *args: str, server: ServerProcess, via: str = "url", stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    where = (
        ["--url", server.base_url, "--token", server.token] if via == "url" else ["--db", server.database_url]
    )
    return subprocess.run(
        [str(VENV_BIN / "flowgraph"), "table", *args, *where],
        input=stdin.decode() if stdin else None,
        capture_output=True,
        text=True,
        timeout=120,
    )


def answer(server: LiveServer, number: str, mode: str, call_id: str = "") -> str:
    body = {"caller_id_number": number, "call_id": call_id or f"c{time.monotonic_ns()}", "uuid": "u1"}
    step = None if mode == "single" else "entry"
    resp = server.platform(FLOW, step, json=body)
    assert resp.status_code == 200
    return resp.text


def wait_for(server: LiveServer, number: str, mode: str, want: str, timeout_s: float = 10.0) -> str:
    """The server sees an import made straight in the database at its next poll (0.5 s)."""
    deadline = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < deadline:
        text = answer(server, number, mode)
        if want in text:
            return text
        time.sleep(0.05)
    raise AssertionError(f"still answers {text!r}, wanted {want!r}")


@pytest.mark.parametrize(("mode", "via"), [("per_step", "url"), ("single", "db")])
def test_cli_import_of_50000_rows_then_live_lookups(
    server: LiveServer, csv_file: Path, mode: str, via: str
) -> None:
    imported = cli("import", "registered", str(csv_file), "--progress", server=server.proc, via=via)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == f"table 'registered': version 1, {ROWS:,} rows (live now)"
    assert "flowgraph: registered:" in imported.stderr  # progress lines
    with server.proc.client() as api:
        api.headers.update(server.proc.auth)
        assert api.post("/api/flows", json=table_flow(mode)).status_code == 201
        assert api.post(f"/api/flows/{FLOW}/publish", json={}).status_code == 201
    last = ROWS - 1
    assert agent(last) in wait_for(server, "+91" + caller(last), mode, agent(last))
    assert agent(0) in answer(server, caller(0), mode)
    assert "22590" in answer(server, "+919999999999", mode)  # not in the table: the IVR branch

    # A bad file is refused whole, named by line and column; version 1 keeps serving.
    bad = customers_csv(10).replace(b"+919100000003,", b"+91 91000 00003x,")
    refused = cli("import", "registered", "-", server=server.proc, via=via, stdin=bad)
    assert refused.returncode == 1
    assert "line 5, column 1 (number): key '+91 91000 00003x' is not one national number" in refused.stderr
    assert agent(last) in answer(server, "+91" + caller(last), mode)

    new = cli("import", "registered", "-", server=server.proc, via=via, stdin=customers_csv(ROWS, "b"))
    assert new.returncode == 0 and "version 2" in new.stdout
    assert agent(last, "b") in wait_for(server, "+91" + caller(last), mode, agent(last, "b"))
    answer(server, caller(5), mode, call_id="after-v2")
    assert server.calls(FLOW, "after-v2")[0]["tables"] == {"registered": 2}  # the version that answered


def test_export_and_list_over_http(server: LiveServer, csv_file: Path) -> None:
    assert cli("import", "registered", str(csv_file), server=server.proc).returncode == 0
    exported = cli("export", "registered", server=server.proc)
    assert exported.returncode == 0
    lines = exported.stdout.splitlines()
    assert len(lines) == ROWS + 1 and lines[1] == f"{caller(0)},Customer 0,{agent(0)}"
    again = cli("import", "registered", "-", server=server.proc, stdin=exported.stdout.encode())
    assert "version 1" in again.stdout and "unchanged" in again.stdout
    listed = cli("list", server=server.proc)
    assert listed.stdout.split()[:3] == ["registered", "v1", f"{ROWS:,}"]
    no_token = httpx.get(server.base + "/api/tables", timeout=10)
    assert no_token.status_code == 401
