"""Pieces of the platform endpoint in isolation: request reading and body parsing, metrics."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from flowgraph.compile.deploy import request_template
from flowgraph.profile import PlatformProfile
from flowgraph.runtime.callvars import parse_call_vars, zone
from flowgraph.server.metrics import Metrics, reason_code
from flowgraph.server.platform_request import DRAIN_CAP_BYTES, parse_body, read_request


@pytest.mark.parametrize(
    ("body", "ctype", "expected"),
    [
        (b'{"uuid": "a", "last_dtmf": ["1"]}', b"application/json", {"uuid": "a", "last_dtmf": ["1"]}),
        (b'  {"uuid": "a"}', b"text/plain", {"uuid": "a"}),
        (
            b"uuid=a&last_dtmf=&caller_id_number=%2B919876543210",
            b"",
            {"uuid": "a", "last_dtmf": "", "caller_id_number": "+919876543210"},
        ),
        (
            b'{"uuid": "a", "call_flow": $call_flow}',
            b"application/json",
            {"uuid": "a", "call_flow": "$call_flow"},
        ),
        (
            b'{"uuid": "a", "last_dtmf": , "x": "y"}',
            b"application/json",
            {"uuid": "a", "last_dtmf": None, "x": "y"},
        ),
        (b'{"uuid": "a", "last_dtmf": "1", "call_flow": [{"type": ', b"", {"uuid": "a", "last_dtmf": "1"}),
        (b'{"say": "he said \\"hi\\"", "n": [', b"", {"say": 'he said "hi"'}),
        (b"[1, 2]", b"application/json", {}),
        (b"\xff\xfe\x00garbage", b"application/json", {}),
        (b"", b"", {}),
    ],
)
def test_parse_body(body: bytes, ctype: bytes, expected: dict[str, Any]) -> None:
    assert parse_body(body, ctype) == expected


def test_parse_multipart_body() -> None:
    boundary = b"XyZ"
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="uuid"\r\n\r\nab12\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="last_dtmf"\r\n\r\n2\r\n--XyZ--\r\n'
    )
    assert parse_body(body, b"multipart/form-data; boundary=" + boundary) == {
        "uuid": "ab12",
        "last_dtmf": "2",
    }


def run_read(path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]], limit: int = 100) -> Any:
    received: list[int] = []

    async def receive() -> dict[str, Any]:
        i = len(received)
        received.append(i)
        return {"type": "http.request", "body": chunks[i], "more_body": i + 1 < len(chunks)}

    scope = {"type": "http", "path": path, "query_string": b"last_dtmf=9&x=1", "headers": headers}
    return asyncio.run(read_request(scope, receive, limit)), len(received)


def test_read_request_merges_query_then_body() -> None:
    req, reads = run_read("/dialplan/f/after_m", [b'{"x": "2",', b' "uuid": "u"}'], [(b"x-secret", b"s")])
    assert (req.flow_id, req.step, req.too_large) == ("f", "after_m", False)
    assert req.variables == {"last_dtmf": "9", "x": "2", "uuid": "u"}
    assert req.headers == {b"x-secret": b"s"} and reads == 2


def test_declared_oversize_body_is_read_to_its_end_and_discarded() -> None:
    # Clients that send everything before reading (no Expect header) must get the answer, not
    # a reset: the body is drained (up to the hard cap), never kept.
    req, reads = run_read(
        "/dialplan/f", [b"{" + b" " * 500, b" " * 498 + b"}"], [(b"content-length", b"1000")]
    )
    assert req.too_large and reads == 2 and req.step is None
    assert req.variables == {"last_dtmf": "9", "x": "1"}  # the query string still counts


def test_body_declared_over_the_hard_cap_is_not_read() -> None:
    declared = str(DRAIN_CAP_BYTES + 1).encode()
    req, reads = run_read("/dialplan/f", [b"{}"], [(b"content-length", declared)])
    assert req.too_large and reads == 0


def test_streamed_oversize_body_is_drained() -> None:
    req, reads = run_read("/dialplan/f/", [b"x" * 60, b"x" * 60, b"x" * 60], [])
    assert req.too_large and reads == 3 and req.step is None


def test_extra_path_segments_name_no_step() -> None:
    req, _ = run_read("/dialplan/f/a/b", [b""], [])
    assert req.step == "a/b"


def test_metrics_text_format() -> None:
    m = Metrics()
    m.observe("f", "entry", None, 0.0004)
    m.observe("f", "entry", None, 0.003)
    m.observe("f", "after_m", "bad_secret: wrong value", 0.02)
    m.observe('we"ird', "entry", "lookup_timeout: fetch", 3.0)
    text = m.render().decode()
    assert 'flowgraph_dialplan_requests_total{flow="f",step="entry",outcome="ok"} 2' in text
    assert 'flowgraph_dialplan_requests_total{flow="f",step="after_m",outcome="failover"} 1' in text
    assert 'flow="we\\"ird"' in text
    assert 'flowgraph_dialplan_failovers_total{reason="bad_secret"} 1' in text
    assert 'flowgraph_dialplan_latency_seconds_bucket{le="0.0005"} 1' in text
    assert 'flowgraph_dialplan_latency_seconds_bucket{le="0.005"} 2' in text  # cumulative
    assert 'flowgraph_dialplan_latency_seconds_bucket{le="2.5"} 3' in text
    assert 'flowgraph_dialplan_latency_seconds_bucket{le="+Inf"} 4' in text
    assert "flowgraph_dialplan_latency_seconds_count 4" in text
    assert text.endswith("\n")


def test_failover_reasons_cannot_grow_without_bound() -> None:
    m = Metrics()
    for i in range(200):
        m.observe("f", "entry", f"reason{i}: detail", 0.001)
    assert len(m.failovers) == 65 and m.failovers["other"] == 136
    assert reason_code("unknown_step: x:y") == "unknown_step"
    assert reason_code(": nothing") == "unspecified"


REAL_CALL_FLOW = (
    '[{"type":"init","value":"1775967644.594011","time":"1775967648"},'
    '{"type":"Agent","dialst":"Dialed","time":1775967650.5},{"type":"hangup","time":1775967659}]'
)
REAL_VALUES = {
    "uuid": "7611a9f0",
    "call_id": "h11.08-1770532638.2135633",
    "call_to_number": "+91-8069XXXXXX",
    "caller_id_number": "918287842425",
    "start_stamp": "2026-04-09 11:24:21",
    "last_dtmf": "12#",
    "call_flow": REAL_CALL_FLOW,
}


@pytest.mark.parametrize("continuation", [False, True])
@pytest.mark.parametrize("quote_escaping", [False, True])
def test_the_sheets_template_filled_by_the_platform(continuation: bool, quote_escaping: bool) -> None:
    # The deployment sheet's body, with $placeholders replaced by plain text substitution the way
    # the portal may do it: either escaping quotes, or pasting the call journey's JSON array
    # verbatim inside the template's quotes (which leaves invalid JSON). Every call variable
    # must still be read exactly.
    text = json.dumps(request_template(continuation))
    for name, value in REAL_VALUES.items():
        text = text.replace(f"${name}", value.replace('"', '\\"') if quote_escaping else value)
    variables = parse_body(text.encode(), b"application/json")
    call = parse_call_vars(variables, PlatformProfile())
    assert (call.uuid, call.call_id, call.caller, call.dialled) == (
        "7611a9f0",
        "h11.08-1770532638.2135633",
        "8287842425",
        "918069",
    )
    assert call.stamp_text(zone("Asia/Kolkata")) == "2026-04-09 11:24:21"
    assert call.last_dtmf == ("12#" if continuation else None)
    if quote_escaping:
        assert [step.get("type") for step in call.call_flow] == ["init", "Agent", "hangup"]
