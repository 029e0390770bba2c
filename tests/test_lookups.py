"""Table lookups, and the HTTP lookup client against a real local HTTP server."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import pytest
from services import local_http

from flowgraph.compile.compiler import compile_flow
from flowgraph.load import flow_from_data
from flowgraph.runtime.engine import Runtime
from flowgraph.runtime.lookups import HttpLookups, TableIndex, interpret_http, table_key


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("+91-98765 43210", "9876543210"),
        ("919876543210", "9876543210"),
        (" ORD-77 ", "ORD-77"),
        ("981", "981"),
        ("abc9876543210", "abc9876543210"),
    ],
)
def test_table_key(key: str, expected: str) -> None:
    assert table_key(key) == expected


def test_exact_lookup_by_national_number() -> None:
    index = TableIndex.build({"+919876543210": {"name": "A"}, "ORD-1": {"name": "B"}})
    assert index.find("09876543210") == {"name": "A"}
    assert index.find("ORD-1") == {"name": "B"}
    assert index.find("9876543211") is None


def test_prefix_lookup_takes_longest_prefix() -> None:
    index = TableIndex.build({"98": {"r": "a"}, "9840": {"r": "b"}, "984": {"r": "c"}}, "prefix")
    assert index.find("+919840123456") == {"r": "b"}
    assert index.find("9841000000") == {"r": "c"}
    assert index.find("9811111111") == {"r": "a"}
    assert index.find("7000000000") is None
    assert index.find("") is None


@pytest.mark.parametrize(
    ("status", "body", "outcome", "values"),
    [
        (200, b'{"agent": "9000000101", "n": 3, "ok": true, "x": null, "l": [1]}', "found", None),
        (200, b"{}", "not_found", {}),
        (404, b"", "not_found", {}),
        (500, b'{"a":"b"}', "error", {}),
        (200, b"[1,2]", "error", {}),
        (200, b"<html>", "error", {}),
    ],
)
def test_interpret_http(status: int, body: bytes, outcome: str, values: dict[str, str] | None) -> None:
    result = interpret_http(status, body)
    assert result.outcome == outcome
    if values is None:
        assert result.values == {"agent": "9000000101", "n": "3", "ok": "true", "x": "", "l": "[1]"}
    else:
        assert result.values == values


class _Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, dict[str, object]]] = []

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _reply(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout tests): expected

    def do_GET(self) -> None:
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.seen.append(("GET", url.path, params))
        self._route(url.path)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.seen.append(("POST", self.path, body))
        self._route(self.path)

    def _route(self, path: str) -> None:
        if path == "/agent":
            self._reply(200, b'{"number": "9000000101", "name": "Ravi"}')
        elif path == "/none":
            self._reply(404, b"")
        elif path == "/empty":
            self._reply(200, b"{}")
        elif path == "/broken":
            self._reply(503, b"down")
        elif path == "/slow":
            time.sleep(1.5)
            self._reply(200, b'{"number": "9000000101"}')
        else:
            self._reply(200, b"not json")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with local_http(_Handler) as url:
        yield url


@pytest.mark.parametrize(
    ("path", "outcome"),
    [
        ("/agent", "found"),
        ("/none", "not_found"),
        ("/empty", "not_found"),
        ("/broken", "error"),
        ("/junk", "error"),
    ],
)
async def test_http_outcomes(server: str, path: str, outcome: str) -> None:
    async with HttpLookups() as lookups:
        result = await lookups.fetch(server + path, "GET", 800, {"caller_id_number": "9876543210"})
    assert result.outcome == outcome
    if outcome == "found":
        assert result.values == {"number": "9000000101", "name": "Ravi"}


async def test_http_timeout_is_error(server: str) -> None:
    async with HttpLookups() as lookups:
        result = await lookups.fetch(server + "/slow", "GET", 100, {})
    assert result.outcome == "error"
    assert "timeout" in result.reason.lower()


async def test_unreachable_host_is_error() -> None:
    async with HttpLookups() as lookups:
        result = await lookups.fetch("http://127.0.0.1:9/x", "GET", 300, {})
    assert result.outcome == "error"


def http_flow(url: str, method: str = "GET", timeout_ms: int = 800) -> dict[str, object]:
    return {
        "id": "api_flow",
        "entry": "ask",
        "nodes": [
            {
                "id": "ask",
                "type": "lookup",
                "source": {"kind": "http", "url": url, "method": method, "timeout_ms": timeout_ms},
                "branches": {"found": "agent", "not_found": "desk", "error": "fallback"},
            },
            {"id": "agent", "type": "transfer", "transfer": "number", "targets": ["{{ask.number}}"]},
            {"id": "desk", "type": "transfer", "transfer": "ivr", "targets": ["1"]},
            {"id": "fallback", "type": "transfer", "transfer": "department", "targets": ["9"]},
        ],
        "settings": {"failover": {"type": "ivr", "data": ["999"]}},
    }


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_runtime_http_lookup_sends_call_variables(server: str, method: str) -> None:
    _Handler.seen.clear()
    compiled = compile_flow(flow_from_data(http_flow(server + "/agent", method)))
    answer = Runtime(compiled).answer_sync("entry", {"caller_id_number": "+919876543210", "uuid": "ab12"})
    assert answer.body == b'[{"transfer":{"type":"number","data":["9000000101"]}}]'
    assert answer.trace == [("ask", "found"), ("agent", "")]
    verb, path, params = _Handler.seen[-1]
    assert (verb, path) == (method, "/agent")
    assert params["caller_id_number"] == "+919876543210" and params["uuid"] == "ab12"


def test_runtime_slow_api_takes_error_branch(server: str) -> None:
    compiled = compile_flow(flow_from_data(http_flow(server + "/slow", timeout_ms=100)))
    answer = Runtime(compiled).answer_sync("entry", {})
    assert answer.trace == [("ask", "error"), ("fallback", "")]
    assert answer.failover_reason is None


def test_runtime_url_template(server: str) -> None:
    _Handler.seen.clear()
    compiled = compile_flow(flow_from_data(http_flow(server + "/none?from={{caller_id_number}}")))
    answer = Runtime(compiled).answer_sync("entry", {"caller_id_number": "9876543210"})
    assert answer.trace == [("ask", "not_found"), ("desk", "")]
    assert _Handler.seen[-1][2]["from"] == "9876543210"


def test_an_api_answer_giving_a_number_as_a_whole_float_is_read_exactly() -> None:
    """9876543210.0 (as some APIs and spreadsheets write numbers) is 9876543210; a fraction or a
    float too large to be exact is kept as written, so the number rule refuses it (bad_number)."""
    result = interpret_http(200, b'{"agent": 9876543210.0, "half": 1.5, "huge": 1e300}')
    assert result.values == {"agent": "9876543210", "half": "1.5", "huge": "1e+300"}
