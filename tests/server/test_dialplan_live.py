"""Live behaviour of the platform endpoint on a real server: broken lookup APIs answer with the
failover, publish / rollback / delete switch what calls hear at once, drafts never do."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest
from services import free_port, local_http
from test_dialplan_support import LiveServer, live_server

from flowgraph.store.calls import CallLog, count_calls
from flowgraph.store.db import make_engine

FAILOVER = b'[{"transfer":{"type":"department","data":["5001"]}}]'
CALL = {"uuid": "ab12", "call_id": "1775719461.306731", "caller_id_number": "+919876543210"}


class LookupAPI(BaseHTTPRequestHandler):
    """The business's API: /ok finds a row, /missing 404s, /fail 500s, /hang never answers in time."""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/hang":
            time.sleep(6)
        if path == "/ok":
            self._answer(200, {"agent": "9988776655"})
        elif path == "/missing":
            self._answer(404, {})
        else:
            self._answer(500, {"error": "boom"})

    def _answer(self, status: int, doc: dict[str, Any]) -> None:
        body = json.dumps(doc).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the server gave up waiting (the point of /hang)
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def lookup_api() -> Iterator[str]:
    with local_http(LookupAPI) as url:
        yield url


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("live")) as live:
        yield live


def lookup_flow(flow_id: str, url: str, timeout_ms: int = 300) -> dict[str, Any]:
    """An HTTP lookup whose error branch goes where the failover goes (department 5001)."""
    return {
        "id": flow_id,
        "entry": "fetch",
        "settings": {"failover": {"type": "department", "data": ["5001"]}},
        "nodes": [
            {
                "id": "fetch",
                "type": "lookup",
                "source": {"kind": "http", "url": url, "timeout_ms": timeout_ms},
                "branches": {"found": "agent", "not_found": "ivr", "error": "desk"},
            },
            {"id": "agent", "type": "transfer", "transfer": "number", "targets": ["{{fetch.agent}}"]},
            {"id": "ivr", "type": "transfer", "transfer": "ivr", "targets": ["22590"]},
            {"id": "desk", "type": "transfer", "transfer": "department", "targets": ["5001"]},
        ],
    }


def simple_flow(flow_id: str, ivr: str) -> dict[str, Any]:
    return {
        "id": flow_id,
        "entry": "go",
        "settings": {"failover": {"type": "department", "data": ["5001"]}},
        "nodes": [{"id": "go", "type": "transfer", "transfer": "ivr", "targets": [ivr]}],
    }


def api(server: LiveServer, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {**server.proc.auth, **kw.pop("headers", {})}
    resp = httpx.request(method, server.base + path, headers=headers, timeout=10, **kw)
    assert resp.status_code < 300, resp.text
    return resp


def create_and_publish(server: LiveServer, doc: dict[str, Any]) -> None:
    api(server, "POST", "/api/flows", json=doc)
    api(server, "POST", f"/api/flows/{doc['id']}/publish", json={"note": "test"})


@pytest.mark.parametrize(
    ("path", "timeout_ms", "expected"),
    [
        # Generous timeouts where the API answers, so a loaded test machine cannot flip the branch.
        ("/ok", 2500, b'[{"transfer":{"type":"number","data":["9988776655"]}}]'),
        ("/missing", 2500, b'[{"transfer":{"type":"ivr","data":["22590"]}}]'),
        ("/fail", 2500, FAILOVER),
        ("/hang", 300, FAILOVER),
    ],
)
def test_lookup_api_outcomes(
    server: LiveServer, lookup_api: str, path: str, timeout_ms: int, expected: bytes
) -> None:
    flow_id = "lookup" + path.replace("/", "_")
    create_and_publish(server, lookup_flow(flow_id, lookup_api + path, timeout_ms))
    call_id = f"{flow_id}-1"
    resp = server.platform(flow_id, json={**CALL, "call_id": call_id})
    assert resp.status_code == 200 and resp.content == expected
    (record,) = server.calls(flow_id, call_id)
    branch = {"/ok": "found", "/missing": "not_found"}.get(path, "error")
    assert record["trace"][0] == {"node": "fetch", "branch": branch}


def test_unreachable_lookup_api_takes_the_error_branch(server: LiveServer) -> None:
    create_and_publish(server, lookup_flow("lookup_refused", f"http://127.0.0.1:{free_port()}/x"))
    assert server.platform("lookup_refused", json=CALL).content == FAILOVER


def test_lookup_slower_than_the_answer_deadline_fails_over(server: LiveServer, lookup_api: str) -> None:
    # The node allows 5 s but the platform will not wait that long: the server's deadline answers.
    create_and_publish(server, lookup_flow("lookup_slow", lookup_api + "/hang", timeout_ms=5000))
    resp = server.platform("lookup_slow", json={**CALL, "call_id": "slow-1"})
    assert resp.status_code == 200 and resp.content == FAILOVER
    (record,) = server.calls("lookup_slow", "slow-1")
    assert record["failover_reason"].startswith("deadline")


def test_publish_and_rollback_switch_live_answers_at_once(server: LiveServer) -> None:
    create_and_publish(server, simple_flow("switchy", "1111"))
    assert b'"1111"' in server.platform("switchy", json=CALL).content
    etag = api(server, "GET", "/api/flows/switchy").headers["etag"]
    api(server, "PUT", "/api/flows/switchy", json=simple_flow("switchy", "2222"), headers={"If-Match": etag})
    # A saved draft does not touch live calls.
    assert b'"1111"' in server.platform("switchy", json=CALL).content
    api(server, "POST", "/api/flows/switchy/publish", json={})
    assert b'"2222"' in server.platform("switchy", json=CALL).content
    api(server, "POST", "/api/flows/switchy/rollback", json={"version": 1})
    assert b'"1111"' in server.platform("switchy", json=CALL).content
    api(server, "POST", "/api/flows/switchy/rollback", json={"version": 2})
    assert b'"2222"' in server.platform("switchy", json=CALL).content


def test_delete_and_restore_take_the_flow_off_and_on_the_air(server: LiveServer) -> None:
    create_and_publish(server, simple_flow("removable", "3333"))
    assert b'"3333"' in server.platform("removable", json=CALL).content
    api(server, "DELETE", "/api/flows/removable")
    assert server.platform("removable", json=CALL).json() == {"error": "unknown flow"}
    api(server, "POST", "/api/flows/removable/restore")
    assert b'"3333"' in server.platform("removable", json=CALL).content


def test_unpublished_flow_is_not_served(server: LiveServer) -> None:
    api(server, "POST", "/api/flows", json=simple_flow("draft_only", "4444"))
    assert server.platform("draft_only", json=CALL).json() == {"error": "unknown flow"}


def test_call_log_is_flushed_on_shutdown(tmp_path: Any) -> None:
    # Answer a burst and stop the server right away: what was still queued is written on the way out.
    with live_server(tmp_path) as live:
        secret = live.secret("registered_users")
        with httpx.Client(base_url=live.base, headers={"X-Flowgraph-Secret": secret}) as client:
            for i in range(300):
                client.post("/dialplan/registered_users", json={**CALL, "call_id": f"burst-{i}"})
        db_url = live.db_url
    engine = make_engine(db_url)
    try:
        assert count_calls(CallLog(engine), "registered_users") == 300
    finally:
        engine.dispose()
