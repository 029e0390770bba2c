"""The per-call context on a real ``flowgraph serve`` (uvicorn on 127.0.0.1, SQLite), both modes.

``personal_agent`` looks the caller up before its menu and transfers to the agent found after it:
the lookup's columns must cross the menu in the call's context. Contexts are keyed by call_id
and uuid together, survive a restart between two requests, and expire into the failover.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from test_dialplan_support import EXAMPLES, LiveServer, live_server

FLOW = "personal_agent"
SINGLE = "personal_agent_single"
ASHA, VIKRAM = "+919876543210", "+919812345678"  # agents 05000021 and 05000022 in the table
FAILOVER = b'[{"transfer":{"type":"department","data":["5300"]}}]'


def publish_single_copy(server: LiveServer) -> None:
    """The same flow deployed in single-dialplan mode, under another id."""
    doc = json.loads((EXAMPLES / f"{FLOW}.json").read_text())
    doc["id"] = SINGLE
    doc["settings"]["deployment"]["mode"] = "single"
    with server.proc.client() as api:
        api.post("/api/flows", json=doc, headers=server.proc.auth).raise_for_status()
        api.post(f"/api/flows/{SINGLE}/publish", json={}, headers=server.proc.auth).raise_for_status()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("context")) as live:
        publish_single_copy(live)
        yield live


def call_vars(call_id: str, uuid: str, caller: str, **extra: Any) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "uuid": uuid,
        "caller_id_number": caller,
        "call_to_number": "+918069000000",
        **extra,
    }


def request(server: LiveServer, flow: str, variables: dict[str, Any], step: str | None = None) -> bytes:
    resp = server.platform(flow, step, json=variables)
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    return bytes(resp.content)


def second_step(flow: str) -> str | None:
    """Per-step mode names the continuation in the URL; single mode re-enters the one dialplan."""
    return "after_menu" if flow == FLOW else None


@pytest.mark.parametrize("flow", [FLOW, SINGLE])
def test_a_lookup_before_the_menu_feeds_the_transfer_after_it(server: LiveServer, flow: str) -> None:
    first = request(server, flow, call_vars(f"{flow}-1", "a1", VIKRAM))
    assert b'"data":400101' in first and b'"dtmf"' in first  # the menu's prompt
    body = request(server, flow, call_vars(f"{flow}-1", "a1", VIKRAM, last_dtmf="1"), second_step(flow))
    assert orjson.loads(body)[0] == [{"transfer": {"type": "agent", "data": ["05000022"], "moh": "400199"}}]
    records = server.calls(flow, f"{flow}-1", want=2)
    assert sorted(r["step"] for r in records) == ["after_menu", "entry"]
    assert all(r["failover_reason"] is None for r in records)


@pytest.mark.parametrize("flow", [FLOW, SINGLE])
def test_calls_sharing_a_call_id_never_mix(server: LiveServer, flow: str) -> None:
    """Same call_id, different uuids, requests interleaved: each call keeps its own context."""
    shared = f"{flow}-shared.1"
    assert b"400101" in request(server, flow, call_vars(shared, "u-asha", ASHA))
    assert b"400101" in request(server, flow, call_vars(shared, "u-vikram", VIKRAM))
    vikram = request(server, flow, call_vars(shared, "u-vikram", VIKRAM, last_dtmf="1"), second_step(flow))
    asha = request(server, flow, call_vars(shared, "u-asha", ASHA, last_dtmf="1#"), second_step(flow))
    assert b'"05000022"' in vikram and b'"05000021"' not in vikram
    assert b'"05000021"' in asha and b'"05000022"' not in asha
    if flow == SINGLE:
        # Both calls ended: a new call with the same ids starts at the entry, not mid-flow.
        assert b"400101" in request(server, flow, call_vars(shared, "u-asha", ASHA))


def test_per_step_continuation_without_a_context_fails_over(server: LiveServer) -> None:
    body = request(server, FLOW, call_vars("never-started", "x1", ASHA, last_dtmf="1"), "after_menu")
    assert body == FAILOVER
    (record,) = server.calls(FLOW, "never-started")
    assert record["failover_reason"].startswith("context_missing:")
    metrics = httpx.get(server.base + "/metrics", timeout=10).text
    assert 'reason="context_missing"' in metrics


def test_a_restart_between_two_requests_keeps_the_call(tmp_path: Path) -> None:
    with live_server(tmp_path) as first:
        publish_single_copy(first)
        for flow in (FLOW, SINGLE):
            assert b"400101" in request(first, flow, call_vars(f"{flow}-restart", "r1", VIKRAM))
    with live_server(tmp_path) as second:  # same database file; the first process exited cleanly
        for flow in (FLOW, SINGLE):
            body = request(
                second, flow, call_vars(f"{flow}-restart", "r1", VIKRAM, last_dtmf="1"), second_step(flow)
            )
            assert b'"05000022"' in body, (flow, body)


def test_a_context_older_than_its_ttl_gives_the_failover(tmp_path: Path) -> None:
    with live_server(tmp_path, env={"FLOWGRAPH_CONTEXT_TTL_S": "0"}) as server:
        publish_single_copy(server)
        for flow in (FLOW, SINGLE):
            assert b"400101" in request(server, flow, call_vars(f"{flow}-old", "t1", VIKRAM))
            body = request(
                server, flow, call_vars(f"{flow}-old", "t1", VIKRAM, last_dtmf="1"), second_step(flow)
            )
            assert body == FAILOVER, flow
            # Remembered as expired: a second late request is told the same, not started anew.
            late = call_vars(f"{flow}-old", "t1", VIKRAM, last_dtmf="1")
            assert request(server, flow, late, second_step(flow)) == FAILOVER, flow
            records = server.calls(flow, f"{flow}-old", want=3)
            reasons = [r["failover_reason"] for r in records]
            assert any(r and r.startswith("context_expired:") for r in reasons), reasons


def test_a_call_finishes_in_the_version_it_started_in(server: LiveServer) -> None:
    """A publish between a call's two requests does not change what that call hears."""
    assert b"400101" in request(server, SINGLE, call_vars("during-publish", "p1", VIKRAM))
    with server.proc.client() as api:
        got = api.get(f"/api/flows/{SINGLE}", headers=server.proc.auth)
        doc = got.json()["flow"] if "flow" in got.json() else got.json()
        for node in doc["nodes"]:
            if node["id"] == "own_agent":
                node["targets"] = ["05000099"]
        doc["tests"] = []  # the example's own tests expect 05000022 and would block the publish
        headers = {**server.proc.auth, "If-Match": got.headers["etag"]}
        api.put(f"/api/flows/{SINGLE}", json=doc, headers=headers).raise_for_status()
        api.post(f"/api/flows/{SINGLE}/publish", json={}, headers=server.proc.auth).raise_for_status()
    old = request(server, SINGLE, call_vars("during-publish", "p1", VIKRAM, last_dtmf="1"))
    assert b'"05000022"' in old and b"05000099" not in old
    assert b"400101" in request(server, SINGLE, call_vars("after-publish", "p2", VIKRAM))
    new = request(server, SINGLE, call_vars("after-publish", "p2", VIKRAM, last_dtmf="1"))
    assert b'"05000099"' in new


def test_a_second_server_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    """Contexts live in one process's memory on SQLite: a second process would split calls."""
    import subprocess

    from services import VENV_BIN, free_port

    with live_server(tmp_path) as first:
        second = subprocess.run(
            [str(VENV_BIN / "flowgraph"), "serve", "--port", str(free_port()), "--db", first.db_url],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env={"FLOWGRAPH_ADMIN_TOKEN": "x", "PATH": "/usr/bin:/bin"},
        )
        assert second.returncode != 0
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and "another flowgraph server already serves" in lines[0], second.stderr
        assert b"400101" in request(first, FLOW, call_vars("still-served", "s1", VIKRAM))


def test_a_retried_last_request_gets_the_same_answer_in_per_step_mode(server: LiveServer) -> None:
    """The platform may retry a request (NOTES.md): the context outlives the call's last step."""
    assert b"400101" in request(server, FLOW, call_vars("retried", "r1", VIKRAM))
    once = request(server, FLOW, call_vars("retried", "r1", VIKRAM, last_dtmf="1"), "after_menu")
    again = request(server, FLOW, call_vars("retried", "r1", VIKRAM, last_dtmf="1"), "after_menu")
    assert b'"05000022"' in once and again == once


def publish_retry_copy(server: LiveServer, flow_id: str, window_ms: int | None) -> None:
    """The flow in single-dialplan mode under ``flow_id``, with the profile's retry window."""
    doc = json.loads((EXAMPLES / f"{FLOW}.json").read_text())
    doc["id"] = flow_id
    doc["settings"]["deployment"]["mode"] = "single"
    if window_ms is not None:
        doc["settings"].setdefault("profile", {})["retry_window_ms"] = window_ms
    with server.proc.client() as api:
        api.post("/api/flows", json=doc, headers=server.proc.auth).raise_for_status()
        api.post(f"/api/flows/{flow_id}/publish", json={}, headers=server.proc.auth).raise_for_status()


def test_a_retried_request_gets_the_same_answer_in_single_mode(server: LiveServer) -> None:
    """With a retry window, a repeat of the call's previous request (the platform retrying it,
    NOTES.md) does not move the call on, in the middle of the call or after its end."""
    flow = "personal_agent_retry"
    publish_retry_copy(server, flow, 60_000)
    first = call_vars("single-retry", "sr1", VIKRAM)
    prompt = request(server, flow, first)
    assert b"400101" in prompt
    assert request(server, flow, first) == prompt  # not taken as "no input" at the menu
    pressed = call_vars("single-retry", "sr1", VIKRAM, last_dtmf="1")
    transfer = request(server, flow, pressed)
    assert b'"05000022"' in transfer
    assert request(server, flow, pressed) == transfer  # the last answer again, not the greeting
    records = server.calls(flow, "single-retry", want=4)
    records.sort(key=lambda r: r["id"])
    assert [bool(r["retry"]) for r in records] == [False, True, False, True]
    assert [r["step"] for r in records] == ["entry", "entry", "after_menu", "after_menu"]
    assert all(r["failover_reason"] is None for r in records)
    # Anything else with these ids after the call ended starts a new call.
    assert b"400101" in request(server, flow, call_vars("single-retry", "sr1", VIKRAM, last_dtmf=""))
    # Traffic counts each request once: the retries add no visits.
    stats = httpx.get(f"{server.base}/api/flows/{flow}/stats", headers=server.proc.auth, timeout=10)
    assert stats.json()["calls"] >= 1


def test_by_default_an_identical_request_is_the_callers_next_move(server: LiveServer) -> None:
    """retry_window_ms 0 (the default): pressing nothing at the menu is an identical request."""
    flow = "personal_agent_noretry"
    publish_retry_copy(server, flow, None)
    first = call_vars("no-retry", "nr1", VIKRAM)
    prompt = request(server, flow, first)
    again = request(server, flow, first)
    assert b"400101" in prompt and again != prompt
    records = server.calls(flow, "no-retry", want=2)
    assert sorted(r["step"] for r in records) == ["after_menu", "entry"]
    assert not any(r["retry"] for r in records)


def test_a_call_finishes_in_its_version_across_a_restart(tmp_path: Path) -> None:
    """Published versions before the live one are loaded at start, not only those seen live."""
    with live_server(tmp_path) as first:
        publish_single_copy(first)
        assert b"400101" in request(first, SINGLE, call_vars("across-restart", "ar1", VIKRAM))
        with first.proc.client() as api:
            got = api.get(f"/api/flows/{SINGLE}", headers=first.proc.auth)
            doc = got.json()["flow"] if "flow" in got.json() else got.json()
            for node in doc["nodes"]:
                if node["id"] == "own_agent":
                    node["targets"] = ["05000099"]
            doc["tests"] = []
            headers = {**first.proc.auth, "If-Match": got.headers["etag"]}
            api.put(f"/api/flows/{SINGLE}", json=doc, headers=headers).raise_for_status()
            api.post(f"/api/flows/{SINGLE}/publish", json={}, headers=first.proc.auth).raise_for_status()
    with live_server(tmp_path) as second:
        body = request(second, SINGLE, call_vars("across-restart", "ar1", VIKRAM, last_dtmf="1"))
        assert b'"05000022"' in body and b"05000099" not in body, body
        records = second.calls(SINGLE, "across-restart", want=2)
        assert len({r["version"] for r in records}) == 1  # both answered by the version it began in
        fresh = call_vars("after-restart", "ar2", VIKRAM)
        assert b"400101" in request(second, SINGLE, fresh)
        assert b'"05000099"' in request(second, SINGLE, {**fresh, "last_dtmf": "1"})
