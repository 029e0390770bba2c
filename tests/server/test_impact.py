"""Publish impact on a real server: calls recorded with ``flowgraph call``, then a draft that
changes one branch; the report counts exactly the calls that took that branch (API and CLI)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from services import VENV_BIN, flowgraph_server

from flowgraph.store.calls import CallLog, iter_calls
from flowgraph.store.db import make_engine

FLOW = "personal_agent"


def call(server_url: str, token: str, caller: str, dtmf: str) -> None:
    cmd = [
        str(VENV_BIN / "flowgraph"),
        "call",
        server_url,
        "--flow",
        FLOW,
        "--caller",
        caller,
        "--token",
        token,
    ]
    if dtmf:
        cmd += ["--dtmf", dtmf]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


def test_impact_counts_exactly_the_calls_that_took_the_changed_branch(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'f.db'}"
    examples = Path(__file__).resolve().parents[2] / "examples"
    with flowgraph_server(db, args=("--seed-examples", str(examples)), workdir=tmp_path) as server:
        # 3 callers press 2 (support), 2 press 1 (their own agent), 1 is unknown (main IVR).
        for caller, dtmf in [
            ("+919876543210", "2"),
            ("+919812345678", "2"),
            ("+919876543210", "2"),
            ("+919812345678", "1"),
            ("+919876543210", "1"),
            ("+919000012345", ""),
        ]:
            call(server.base_url, server.token, caller, dtmf)
        engine = make_engine(db)
        try:
            until_logged = 0
            for _ in range(200):  # the call log is written in batches: wait until all 11 are in
                until_logged = sum(1 for _ in iter_calls(CallLog(engine), FLOW))
                if until_logged >= 11:
                    break
                time.sleep(0.1)
        finally:
            engine.dispose()
        assert until_logged == 11
        with server.client() as api:
            got = api.get(f"/api/flows/{FLOW}", headers=server.auth)
            doc = got.json()["draft"] if "draft" in got.json() else got.json()["flow"]
            menu = next(n for n in doc["nodes"] if n["id"] == "menu")
            menu["branches"]["2"] = "main_ivr"  # option 2 now goes to the IVR instead of support
            headers = {**server.auth, "If-Match": got.headers["etag"]}
            api.put(f"/api/flows/{FLOW}", json=doc, headers=headers).raise_for_status()
            report = api.post(f"/api/flows/{FLOW}/impact", params={"since": "1d"}, headers=server.auth)
            assert report.status_code == 200, report.text
            body = report.json()
        assert body["replayed"] == 6 and body["changed"] == 3 and body["not_replayed"] == []
        (group,) = body["groups"]
        assert (group["old"], group["new"], group["calls"]) == (
            "transfer department 5300",
            "transfer ivr 22590",
            3,
        )
        assert len(group["examples"]) == 3
        draft = tmp_path / "draft.json"
        draft.write_text(json.dumps(doc))
        out = subprocess.run(
            [str(VENV_BIN / "flowgraph"), "impact", str(draft), "--db", db, "--since", "1d"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "of 6 calls in the last 1d, 3 would now end differently" in out
        assert "transfer department 5300  ->  transfer ivr 22590" in out


def test_calls_filter_by_version_and_old_databases_gain_the_lookups_column(tmp_path: Path) -> None:
    """An older call_log without ``lookups`` gets the column on start; /calls?version= filters."""
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE call_log (id INTEGER PRIMARY KEY, time FLOAT NOT NULL, call_id VARCHAR(200) NOT NULL,"
            " uuid VARCHAR(200) NOT NULL, flow_id VARCHAR(64) NOT NULL, version VARCHAR(64) NOT NULL,"
            " step VARCHAR(200) NOT NULL, variables TEXT NOT NULL, response TEXT NOT NULL,"
            ' latency_ms FLOAT NOT NULL, failover_reason VARCHAR(500), trace TEXT NOT NULL, "end" VARCHAR(64))'
        )
    examples = Path(__file__).resolve().parents[2] / "examples"
    db = f"sqlite:///{path}"
    with flowgraph_server(db, args=("--seed-examples", str(examples)), workdir=tmp_path) as server:
        call(server.base_url, server.token, "+919876543210", "1")
        with server.client() as api:
            version = api.get(f"/api/flows/{FLOW}/versions", headers=server.auth).json()[0]["hash"]
            for _ in range(200):
                rows = api.get(
                    f"/api/flows/{FLOW}/calls", params={"version": version}, headers=server.auth
                ).json()
                if len(rows) == 2:
                    break
                time.sleep(0.1)
            assert len(rows) == 2 and {r["version"] for r in rows} == {version}
            other = api.get(
                f"/api/flows/{FLOW}/calls", params={"version": "000000000000"}, headers=server.auth
            )
            assert other.json() == []
    with sqlite3.connect(path) as conn:
        assert "lookups" in {row[1] for row in conn.execute("PRAGMA table_info(call_log)")}
