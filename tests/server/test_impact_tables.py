"""Publish impact with server tables and retried requests, on a real server; and the CLI's
refusal of a database that is not the server's (found by the outside tester, T2-T4)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from services import VENV_BIN, flowgraph_server
from tables_support import agent, caller, customers_csv, table_flow

from flowgraph.store.db import make_engine
from flowgraph.store.flows import FlowStore

FLOW = "registered_users"
SECRET_HEADER = "X-Flowgraph-Secret"


def test_impact_replays_server_tables_at_the_version_each_call_used(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'f.db'}"
    with flowgraph_server(db, workdir=tmp_path) as server:
        auth = server.auth
        with server.client() as api:
            api.put("/api/tables/registered", content=customers_csv(5), headers=auth).raise_for_status()
            api.post("/api/flows", json=table_flow(), headers=auth).raise_for_status()
            api.post(f"/api/flows/{FLOW}/publish", json={}, headers=auth).raise_for_status()
            engine = make_engine(db)
            secret = FlowStore(engine).secret(FLOW)
            engine.dispose()
            platform = {SECRET_HEADER: secret}
            # 4 registered callers (one call sent twice, as a platform retry), 2 unknown callers.
            calls = [(f"c{i}", "+91" + caller(i)) for i in range(4)] + [
                ("u1", "9999900001"),
                ("u2", "9999900002"),
            ]
            for call_id, number in calls:
                body = {
                    "call_id": call_id,
                    "uuid": "x",
                    "caller_id_number": number,
                    "call_to_number": "8069000000",
                }
                answer = api.post(f"/dialplan/{FLOW}", json=body, headers=platform)
                assert answer.status_code == 200
                if call_id == "c0":
                    assert (
                        api.post(f"/dialplan/{FLOW}", json=body, headers=platform).content == answer.content
                    )
            assert (
                agent(0).encode()
                in api.post(
                    f"/dialplan/{FLOW}",
                    json={"call_id": "c9", "caller_id_number": caller(0)},
                    headers=platform,
                ).content
            )
            # Version 2 of the table gives everyone a new agent: calls made before it used version 1.
            api.put("/api/tables/registered", content=customers_csv(5, "b"), headers=auth).raise_for_status()
            for _ in range(100):  # the call log is written in batches
                logged = api.get(f"/api/flows/{FLOW}/calls", params={"limit": 100}, headers=auth).json()
                if len(logged) >= 8:
                    break
                time.sleep(0.1)
            assert len(logged) == 8
            assert {r["tables"]["registered"] for r in logged if r.get("tables")} == {1}
            # The draft changes only the unknown callers' branch (the main IVR).
            draft = api.get(f"/api/flows/{FLOW}", headers=auth)
            doc = draft.json()["flow"] if "flow" in draft.json() else draft.json()
            for node in doc["nodes"]:
                if node["id"] == "main_ivr":
                    node["targets"] = ["22591"]
            headers = {**auth, "If-Match": draft.headers["etag"]}
            api.put(f"/api/flows/{FLOW}", json=doc, headers=headers).raise_for_status()
            report = api.post(f"/api/flows/{FLOW}/impact", params={"since": "1d"}, headers=auth).json()
        assert report["replayed"] == 7, report  # c0's retry is replayed once
        assert report["changed"] == 2, report  # exactly u1 and u2: found callers kept their agent
        (group,) = report["groups"]
        assert (group["old"], group["new"]) == ("transfer ivr 22590", "transfer ivr 22591")
        assert sorted(e["call"] for e in group["examples"]) == ["u1", "u2"]
        # The CLI reads the same database and its tables.
        draft_file = tmp_path / "draft.json"
        draft_file.write_text(json.dumps(doc))
        out = subprocess.run(
            [str(VENV_BIN / "flowgraph"), "impact", str(draft_file), "--db", db, "--since", "1d"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert "of 7 calls in the last 1d, 2 would now end differently" in out.stdout


def test_impact_cli_names_a_database_that_is_not_the_servers(tmp_path: Path) -> None:
    flow = Path(__file__).resolve().parents[2] / "examples" / "personal_agent.json"
    missing = tmp_path / "nope.db"
    for url, words in [
        (f"sqlite:///{missing}", f"no database file {missing}"),
        (
            "postgresql://nobody:secret@127.0.0.1:1/none",
            "cannot reach the database postgresql+psycopg://nobody:***@",
        ),
    ]:
        out = subprocess.run(
            [str(VENV_BIN / "flowgraph"), "impact", str(flow), "--db", url],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 2, out
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], out.stderr
        assert "secret" not in out.stderr
    assert not missing.exists()  # nothing created


def test_impact_reports_calls_that_end_the_same_but_hear_other_recordings(tmp_path: Path) -> None:
    """A split moved to 100/0: callers of the retired arm now hear the other greeting."""
    db = f"sqlite:///{tmp_path / 'h.db'}"
    examples = Path(__file__).resolve().parents[2] / "examples"
    flow = "greeting_ab_test"
    with flowgraph_server(db, args=("--seed-examples", str(examples)), workdir=tmp_path) as server:
        engine = make_engine(db)
        secret = FlowStore(engine).secret(flow)
        engine.dispose()
        arms: dict[str, str] = {}
        with server.client() as api:
            for i in range(20):
                body = {"call_id": f"g{i}", "caller_id_number": f"98{i:08d}", "call_to_number": "8069000000"}
                api.post(f"/dialplan/{flow}", json=body, headers={SECRET_HEADER: secret}).raise_for_status()
                last = {**body, "last_dtmf": "1"}
                api.post(f"/dialplan/{flow}/after_main_menu", json=last, headers={SECRET_HEADER: secret})
            for _ in range(100):
                logged = api.get(
                    f"/api/flows/{flow}/calls", params={"limit": 100}, headers=server.auth
                ).json()
                if len(logged) >= 40:
                    break
                time.sleep(0.1)
            for record in logged:
                for hop in record["trace"]:
                    if hop["node"] == "greeting_test":
                        arms[record["call_id"]] = hop["branch"]
            got = api.get(f"/api/flows/{flow}", headers=server.auth)
            doc = got.json()["flow"] if "flow" in got.json() else got.json()
            split = next(n for n in doc["nodes"] if n["type"] == "split")
            split["arms"] = [{"branch": "classic", "share": 100}, {"branch": "new", "share": 0}]
            doc["tests"] = []
            headers = {**server.auth, "If-Match": got.headers["etag"]}
            api.put(f"/api/flows/{flow}", json=doc, headers=headers).raise_for_status()
            report = api.post(f"/api/flows/{flow}/impact", params={"since": "1d"}, headers=server.auth).json()
        moved = sorted(c for c, arm in arms.items() if arm == "new")
        assert moved and len(moved) < 20  # both arms had callers
        assert report["replayed"] == 20 and report["changed"] == len(moved), report
        (group,) = report["groups"]
        assert "hearing" in group["old"] and "hearing" in group["new"] and group["old"] != group["new"]
        assert group["old"].split(",")[0] == group["new"].split(",")[0]  # the same transfer


def test_after_publishing_the_draft_nobody_is_affected(tmp_path: Path) -> None:
    """The report compares the draft with the live version (both replayed), so right after the
    draft is published it says no call would change, although the calls were answered before."""
    db = f"sqlite:///{tmp_path / 'p.db'}"
    examples = Path(__file__).resolve().parents[2] / "examples"
    flow = "personal_agent"
    with flowgraph_server(db, args=("--seed-examples", str(examples)), workdir=tmp_path) as server:
        engine = make_engine(db)
        secret = FlowStore(engine).secret(flow)
        engine.dispose()
        with server.client() as api:
            for i, known in enumerate(["+919876543210", "+919812345678", "+919876543210"]):  # in its table
                body = {
                    "call_id": f"p{i}",
                    "caller_id_number": known,
                    "call_to_number": "8069000000",
                }
                api.post(f"/dialplan/{flow}", json=body, headers={SECRET_HEADER: secret}).raise_for_status()
                api.post(
                    f"/dialplan/{flow}/after_menu",
                    json={**body, "last_dtmf": "2"},
                    headers={SECRET_HEADER: secret},
                ).raise_for_status()
            for _ in range(100):
                if (
                    len(
                        api.get(f"/api/flows/{flow}/calls", params={"limit": 100}, headers=server.auth).json()
                    )
                    >= 6
                ):
                    break
                time.sleep(0.1)
            got = api.get(f"/api/flows/{flow}", headers=server.auth)
            doc = got.json()["flow"] if "flow" in got.json() else got.json()
            support = next(n for n in doc["nodes"] if n["id"] == "support")
            support["targets"] = ["5399"]
            doc["tests"] = []
            headers = {**server.auth, "If-Match": got.headers["etag"]}
            api.put(f"/api/flows/{flow}", json=doc, headers=headers).raise_for_status()
            before = api.post(f"/api/flows/{flow}/impact", params={"since": "1d"}, headers=server.auth).json()
            api.post(f"/api/flows/{flow}/publish", json={}, headers=server.auth).raise_for_status()
            after = api.post(f"/api/flows/{flow}/impact", params={"since": "1d"}, headers=server.auth).json()
        assert before["replayed"] == 3 and before["changed"] == 3, before
        assert after["replayed"] == 3 and after["changed"] == 0, after
