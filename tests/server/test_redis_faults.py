"""Call contexts in Redis under faults, on a real ``flowgraph serve`` and a private redis-server.

A frozen Redis (SIGSTOP) must not hold answers past the answer deadline: single-mode calls get
the failover and ``/healthz`` says 503 (this process cannot answer calls correctly), then both
recover once Redis runs again. A Redis restart leaves the server's pooled connections broken: the
next request retries once on a fresh connection instead of failing over.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from services import free_port, redis_process
from test_dialplan_support import EXAMPLES, LiveServer, live_server

pytestmark = pytest.mark.redis

FLOW = "personal_agent_single"
VIKRAM = "+919812345678"  # agent 05000022 in the example's table
FAILOVER = b'[{"transfer":{"type":"department","data":["5300"]}}]'


def publish_single(server: LiveServer) -> None:
    doc = json.loads((EXAMPLES / "personal_agent.json").read_text())
    doc["id"] = FLOW
    doc["settings"]["deployment"]["mode"] = "single"
    with server.proc.client() as api:
        api.post("/api/flows", json=doc, headers=server.proc.auth).raise_for_status()
        api.post(f"/api/flows/{FLOW}/publish", json={}, headers=server.proc.auth).raise_for_status()


def whole_call(server: LiveServer, call_id: str) -> list[bytes]:
    base = {"call_id": call_id, "uuid": "f1", "caller_id_number": VIKRAM}
    first = server.platform(FLOW, json=base).content
    second = server.platform(FLOW, json={**base, "last_dtmf": "1"}).content
    return [first, second]


def until(predicate: Callable[[], bool], what: str, timeout_s: float = 20.0) -> None:
    """Wait for a state (bounded, so a broken server fails the test instead of hanging it)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def health(server: LiveServer) -> int:
    return httpx.get(server.base + "/healthz", timeout=10).status_code


def test_frozen_redis_fails_over_within_the_deadline_and_recovers(tmp_path: Path) -> None:
    with redis_process() as (url, redis_proc):
        env = {"FLOWGRAPH_REDIS_URL": url, "FLOWGRAPH_ANSWER_DEADLINE_MS": "300"}
        with live_server(tmp_path, env=env) as server:
            publish_single(server)
            assert b'"05000022"' in whole_call(server, "before")[1]
            redis_proc.send_signal(signal.SIGSTOP)
            try:
                frozen = server.platform(
                    FLOW, json={"call_id": "frozen", "uuid": "f1", "caller_id_number": VIKRAM}
                )
                assert frozen.status_code == 200 and frozen.content == FAILOVER
                until(lambda: health(server) == 503, "/healthz to report the frozen Redis")
                body = httpx.get(server.base + "/healthz", timeout=10).json()
                assert "contexts" in body["problems"]
            finally:
                redis_proc.send_signal(signal.SIGCONT)
            until(lambda: health(server) == 200, "/healthz to recover")
            assert b'"05000022"' in whole_call(server, "after")[1]
            (record,) = server.calls(FLOW, "frozen")
            assert record["failover_reason"].startswith("deadline:")


def test_a_redis_restart_is_retried_on_a_fresh_connection(tmp_path: Path) -> None:
    port = free_port()
    with (
        redis_process(port) as (url, proc),
        live_server(tmp_path, env={"FLOWGRAPH_REDIS_URL": url}) as server,
    ):
        publish_single(server)
        for i in range(4):  # several pooled connections open
            assert b'"05000022"' in whole_call(server, f"warm-{i}")[1]
        # Same port, new process: every pooled connection is now broken.
        proc.terminate()
        proc.wait(10)
        with redis_process(port):
            for i in range(5):
                answers = whole_call(server, f"restart-{i}")
                assert b"400101" in answers[0] and b'"05000022"' in answers[1], (i, answers)
