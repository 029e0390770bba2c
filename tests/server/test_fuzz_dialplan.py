"""Fuzz the platform endpoint of a real server: whatever arrives -- any method, path, encoding,
content type, broken or huge body -- the answer is 200, application/json, one line, and (for a
known flow) a valid platform response."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_dialplan_support import LiveServer, live_server

from flowgraph.compile.emit import validate_response
from flowgraph.profile import PlatformProfile

PROFILE = PlatformProfile()
FLOWS = ("delivery_agents", "nested_three_steps", "registered_users", "regional_routing")
KNOWN_KEYS = (
    "uuid",
    "call_id",
    "call_to_number",
    "caller_id_number",
    "start_stamp",
    "last_dtmf",
    "call_flow",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("fuzz")) as live:
        yield live


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=15) as client:
        yield client


@pytest.fixture(scope="module")
def secrets(server: LiveServer) -> dict[str, str]:
    return {flow: server.secret(flow) for flow in FLOWS}


scalars = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["$last_dtmf", "$call_flow", "$uuid", "", " ", "+91-98XXXXXXXX", "12#", "[]", "null"]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
keys = st.one_of(
    st.sampled_from(KNOWN_KEYS),
    st.sampled_from(KNOWN_KEYS).map(lambda k: f" {k} "),
    st.text(max_size=12),
)
documents = st.dictionaries(keys, values, max_size=10)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """A request body and the content type it claims (often a lie)."""
    kind = draw(
        st.sampled_from(
            ["json", "form", "broken", "bytes", "huge", "empty", "array", "text", "deep", "giant"]
        )
    )
    doc = draw(documents)
    if kind == "json":
        raw = json.dumps(doc).encode(draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), "replace")
    elif kind == "form":
        raw = "&".join(f"{quote(str(k))}={quote(str(v))}" for k, v in doc.items()).encode()
    elif kind == "broken":
        text = json.dumps(doc).encode()
        raw = text[: draw(st.integers(0, len(text)))] + draw(
            st.sampled_from([b"", b",", b": $call_flow}", b"\xff"])
        )
    elif kind == "huge":
        raw = json.dumps({"last_dtmf": "1", "padding": "9" * draw(st.integers(60_000, 80_000))}).encode()
    elif kind == "giant":  # far over the limit: read to its end and discarded, still answered
        raw = b'{"last_dtmf":"1","padding":"' + b"9" * draw(st.integers(1_000_000, 3_000_000)) + b'"}'
    elif kind == "deep":  # deeper than orjson can write back (255): must not stop the call log
        depth = draw(st.integers(200, 1000))
        opener, closer = draw(st.sampled_from([(b'{"a":', b"}"), (b"[", b"]")]))
        raw = b'{"uuid":"deep","a":' + opener * depth + b"1" + closer * depth + b"}"
    elif kind == "array":
        raw = json.dumps([doc, doc]).encode()
    elif kind == "text":
        raw = draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")
    elif kind == "bytes":
        raw = draw(st.binary(max_size=300))
    else:
        raw = b""
    ctype = draw(
        st.sampled_from(
            [
                None,
                "application/json",
                "application/x-www-form-urlencoded",
                "text/plain",
                "multipart/form-data; boundary=x",
                "application/json; charset=utf-16",
                "garbage/\u00e9",
            ]
        )
    )
    return raw, ctype


@given(
    flow=st.sampled_from(FLOWS),
    step=st.one_of(
        st.none(),
        st.sampled_from(["entry", "after_help_menu", "after_step1", "after_step3"]),
        st.text(min_size=1, max_size=20),
    ),
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    body=bodies(),
    query=st.dictionaries(keys, st.text(max_size=20), max_size=4),
    secret_ok=st.booleans(),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_platform_endpoint_always_answers_validly(
    http: httpx.Client,
    secrets: dict[str, str],
    flow: str,
    step: str | None,
    method: str,
    body: tuple[bytes, str | None],
    query: dict[str, str],
    secret_ok: bool,
) -> None:
    raw, ctype = body
    headers: dict[str, str | bytes] = {"X-Flowgraph-Secret": secrets[flow] if secret_ok else "wrong"}
    if ctype is not None:
        headers["Content-Type"] = ctype.encode("utf-8")  # raw bytes: non-ASCII header values too
    path = f"/dialplan/{flow}" + (f"/{quote(step, safe='')}" if step is not None else "")
    resp = http.request(method, path, params=query, content=raw, headers=headers)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert validate_response(resp.content, PROFILE) == [], resp.content


@given(path=st.text(max_size=60), body=bodies())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_unknown_flows_still_get_200_json(
    http: httpx.Client, path: str, body: tuple[bytes, str | None]
) -> None:
    resp = http.post("/dialplan/" + quote(path, safe="/"), content=body[0])
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    doc: Any = resp.json()
    # A known flow answers actions; anything else the JSON object that makes the platform fail over.
    assert doc == {"error": "unknown flow"} or validate_response(resp.content, PROFILE) == []


def test_call_log_still_records_a_normal_call_after_the_fuzzing(
    server: LiveServer, http: httpx.Client
) -> None:
    # Runs after the fuzzing above (same module server), deep nesting and giant bodies included.
    call = {"caller_id_number": "+919876543210", "call_id": "after-fuzz", "uuid": "after-fuzz-u"}
    resp = http.post(
        "/dialplan/delivery_agents",
        json=call,
        headers={"X-Flowgraph-Secret": server.secret("delivery_agents")},
    )
    assert resp.status_code == 200
    (record,) = server.calls("delivery_agents", "after-fuzz")
    assert record["uuid"] == "after-fuzz-u" and record["failover_reason"] is None
    health = http.get("/healthz").json()["call_log"]
    assert health["state"] == "ok" and health["dropped"] == {"queue_full": 0, "rejected": 0, "shutdown": 0}


def test_no_request_above_raised_inside_the_server(server: LiveServer, http: httpx.Client) -> None:
    # Runs after the fuzzing above (same module server): a failover hides errors from the
    # platform, so the server's own log is where a swallowed exception would show.
    http.post("/dialplan/delivery_agents", content=b"{}")
    log = server.proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
