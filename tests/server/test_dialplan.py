"""The platform endpoint against a real ``flowgraph serve`` (uvicorn on 127.0.0.1, SQLite).

Every request shape NOTES.md lists must get the answer the compiled runtime gives for the same
call; every failure (secret, step, flow, size) gets the flow's failover answer, recorded with
its reason in the call log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from test_dialplan_support import LiveServer, compiled_example, live_server, oracle

from flowgraph.compile.emit import validate_response
from flowgraph.profile import PlatformProfile

BASE_VARS = {
    "uuid": "5f1e2d3c",
    "call_id": "1775719461.306731",
    "call_to_number": "+918069000000",
    "caller_id_number": "+919111111111",
    "start_stamp": "2026-04-09 11:24:21",
}
PROFILE = PlatformProfile()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("dialplan")) as live:
        yield live


def platform_ok(resp: Any) -> bytes:
    """Assert the platform contract: 200, application/json, one line, valid actions."""
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert b"\n" not in resp.content
    assert validate_response(resp.content, PROFILE) == []
    return bytes(resp.content)


def failover_body(name: str) -> bytes:
    return compiled_example(name).failover_body


# --- request shapes (NOTES.md "Request side") ----------------------------------------------

MENU_STEP = ("delivery_agents", "after_help_menu")


@pytest.mark.parametrize(
    ("last_dtmf", "branch_target"),
    [
        ("1", "order_status"),
        (["1"], "order_status"),
        ([1], "order_status"),
        (1, "order_status"),
        (" 2 ", "support"),
        ("", "support"),
        ([], "support"),
        (None, "support"),
        ("$last_dtmf", "support"),
        ("9", "support"),
    ],
)
def test_last_dtmf_variants(server: LiveServer, last_dtmf: Any, branch_target: str) -> None:
    variables = {**BASE_VARS, "last_dtmf": last_dtmf}
    body = platform_ok(server.platform(*MENU_STEP, json=variables))
    assert body == oracle(*MENU_STEP[:1], MENU_STEP[1], variables)
    expected = b"order-status.mp3" if branch_target == "order_status" else b'"department"'
    assert expected in body


def test_missing_last_dtmf_is_no_input(server: LiveServer) -> None:
    body = platform_ok(server.platform(*MENU_STEP, json=BASE_VARS))
    assert b'"department"' in body and b'"5200"' in body


@pytest.mark.parametrize(
    "caller",
    ["9876543210", "+919876543210", "919876543210", "+91-9876543210", "09876543210", " +91 98765 43210 "],
)
def test_number_forms_match_by_last_ten_digits(server: LiveServer, caller: str) -> None:
    variables = {**BASE_VARS, "caller_id_number": caller}
    body = platform_ok(server.platform("registered_users", json=variables))
    assert body == oracle("registered_users", "entry", variables)
    # Registered caller: a welcome recording then the account manager, not the IVR.
    assert b'"ivr"' not in body
    assert b"recording" in body


def test_unregistered_caller_goes_to_ivr(server: LiveServer) -> None:
    body = platform_ok(
        server.platform("registered_users", json={**BASE_VARS, "caller_id_number": "9000000001"})
    )
    assert body == b'[{"transfer":{"type":"ivr","data":["22590"]}}]'


def test_literal_placeholders_everywhere(server: LiveServer) -> None:
    variables = {name: f"${name}" for name in (*BASE_VARS, "last_dtmf", "call_flow")}
    body = platform_ok(server.platform(*MENU_STEP, json=variables))
    assert b'"department"' in body  # no input -> support


def test_form_body(server: LiveServer) -> None:
    form = {**BASE_VARS, "last_dtmf": "1"}
    body = platform_ok(server.platform(*MENU_STEP, data=form))
    assert b"order-status.mp3" in body


def test_multipart_form_body(server: LiveServer) -> None:
    files = {k: (None, v) for k, v in {**BASE_VARS, "last_dtmf": "1"}.items()}
    body = platform_ok(server.platform(*MENU_STEP, files=files))
    assert b"order-status.mp3" in body


def test_get_with_query_string(server: LiveServer) -> None:
    body = platform_ok(server.platform(*MENU_STEP, method="GET", params={**BASE_VARS, "last_dtmf": "1"}))
    assert b"order-status.mp3" in body


def test_query_string_and_body_are_merged(server: LiveServer) -> None:
    # Digits in the query string, call data in the body: the body does not erase the query.
    resp = server.platform(*MENU_STEP, params={"last_dtmf": "1"}, json=BASE_VARS)
    assert b"order-status.mp3" in platform_ok(resp)


def test_keys_with_stray_whitespace(server: LiveServer) -> None:
    variables = {" caller_id_number ": "9876543210", "last_dtmf ": "1", "uuid": "x"}
    assert b"recording" in platform_ok(server.platform("registered_users", json=variables))
    assert b"order-status.mp3" in platform_ok(server.platform(*MENU_STEP, json=variables))


@pytest.mark.parametrize(
    "call_flow",
    [
        '[{"type":"init","value":"1775967644.594011","time":"1775967648"},{"type":"hangup","time":1775967659}]',
        "",
        "$call_flow",
        "[broken",
    ],
)
def test_call_flow_variants(server: LiveServer, call_flow: str) -> None:
    variables = {**BASE_VARS, "last_dtmf": "1", "call_flow": call_flow}
    assert b"order-status.mp3" in platform_ok(server.platform(*MENU_STEP, json=variables))


def test_call_flow_as_real_array(server: LiveServer) -> None:
    flow = [{"type": "init", "value": "1775967644.594011", "time": "1775967648"}, {"dialst": "Dialed"}]
    variables = {**BASE_VARS, "last_dtmf": ["2"], "call_flow": flow}
    assert b'"department"' in platform_ok(server.platform(*MENU_STEP, json=variables))


@pytest.mark.parametrize(
    "raw",
    [
        # An unquoted placeholder the platform left unreplaced, and an empty unquoted value.
        b'{"uuid": "a1", "caller_id_number": "9876543210", "last_dtmf": "1", "call_flow": $call_flow}',
        b'{"uuid": "a1", "caller_id_number": "9876543210", "last_dtmf": "1", "call_flow": }',
        # Broken beyond repair: the readable "key": "text" pairs still count.
        b'{"uuid": "a1", "last_dtmf": "1", "call_flow": [{"type": "init",,,',
    ],
)
def test_json_broken_by_the_template_is_salvaged(server: LiveServer, raw: bytes) -> None:
    resp = server.platform(*MENU_STEP, content=raw, headers=_json_headers(server, "delivery_agents"))
    assert b"order-status.mp3" in platform_ok(resp)


def _json_headers(server: LiveServer, flow_id: str) -> dict[str, str]:
    return {"X-Flowgraph-Secret": server.secret(flow_id), "Content-Type": "application/json"}


def test_content_type_is_not_trusted(server: LiveServer) -> None:
    # JSON sent as text/plain, and a form sent without any content type.
    headers = {"X-Flowgraph-Secret": server.secret("delivery_agents"), "Content-Type": "text/plain"}
    resp = server.platform(*MENU_STEP, content=orjson.dumps({"last_dtmf": "1"}), headers=headers)
    assert b"order-status.mp3" in platform_ok(resp)
    headers = {"X-Flowgraph-Secret": server.secret("delivery_agents")}
    assert b"order-status.mp3" in platform_ok(
        server.platform(*MENU_STEP, content=b"last_dtmf=1", headers=headers)
    )


# --- failures: always the flow's failover, recorded with the reason -------------------------


def test_wrong_secret_gets_failover_and_is_logged(server: LiveServer) -> None:
    variables = {**BASE_VARS, "call_id": "bad-secret-1", "caller_id_number": "9876543210"}
    resp = server.platform("registered_users", json=variables, headers={"X-Flowgraph-Secret": "guess"})
    assert platform_ok(resp) == failover_body("registered_users")
    (record,) = server.calls("registered_users", "bad-secret-1")
    assert record["failover_reason"].startswith("bad_secret")
    assert record["response"] == failover_body("registered_users").decode()


def test_missing_secret_gets_failover(server: LiveServer) -> None:
    variables = {**BASE_VARS, "call_id": "no-secret-1", "caller_id_number": "9876543210"}
    resp = server.platform("registered_users", json=variables, headers={})
    assert platform_ok(resp) == failover_body("registered_users")
    (record,) = server.calls("registered_users", "no-secret-1")
    assert record["failover_reason"] == "bad_secret: missing header"


def test_secret_of_another_flow_is_refused(server: LiveServer) -> None:
    headers = {"X-Flowgraph-Secret": server.secret("delivery_agents")}
    resp = server.platform("registered_users", json=BASE_VARS, headers=headers)
    assert platform_ok(resp) == failover_body("registered_users")


@pytest.mark.parametrize("step", ["no_such_step", "after_help_menu/extra", "entry%00"])
def test_unknown_step_gets_failover(server: LiveServer, step: str) -> None:
    call_id = f"unknown-step-{abs(hash(step))}"
    resp = server.platform("delivery_agents", step, json={**BASE_VARS, "call_id": call_id})
    assert platform_ok(resp) == failover_body("delivery_agents")
    (record,) = server.calls("delivery_agents", call_id)
    assert record["failover_reason"].startswith("unknown_step")


def test_unknown_flow_is_200_json_for_the_platform_failover(server: LiveServer) -> None:
    resp = server.platform("no_such_flow", json=BASE_VARS, headers={})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    # Not an action list: the platform runs its own failover destination for this dialplan.
    assert resp.json() == {"error": "unknown flow"}


def test_oversized_body_is_cut_off_with_failover(server: LiveServer) -> None:
    huge = {**BASE_VARS, "call_id": "huge-1", "padding": "x" * (70 * 1024)}
    resp = server.platform("delivery_agents", json=huge)
    assert platform_ok(resp) == failover_body("delivery_agents")


def test_oversized_chunked_body_is_cut_off_with_failover(server: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 1024

    resp = server.platform("delivery_agents", content=chunks())
    assert platform_ok(resp) == failover_body("delivery_agents")


def test_every_answer_is_logged_with_trace(server: LiveServer) -> None:
    variables = {**BASE_VARS, "call_id": "logged-1", "caller_id_number": "9876543210"}
    body = platform_ok(server.platform("delivery_agents", json=variables))
    (record,) = server.calls("delivery_agents", "logged-1")
    assert record["response"] == body.decode()
    assert record["step"] == "entry"
    assert record["version"] == compiled_example("delivery_agents").version
    assert record["failover_reason"] is None
    assert record["trace"][0] == {"node": "order", "branch": "found"}
    assert record["variables"]["caller_id_number"] == "9876543210"
    assert record["latency_ms"] >= 0


def test_metrics_count_requests_and_failovers(server: LiveServer) -> None:
    server.platform("registered_users", json=BASE_VARS, headers={"X-Flowgraph-Secret": "nope"})
    text = server.proc.client().get("/metrics").text
    assert "# TYPE flowgraph_dialplan_latency_seconds histogram" in text
    assert 'flowgraph_dialplan_failovers_total{reason="bad_secret"}' in text
    assert (
        'flowgraph_dialplan_requests_total{flow="registered_users",step="entry",outcome="failover"}' in text
    )


# --- single-dialplan mode: the server keeps where each call is -----------------------------


def test_single_mode_resumes_each_call_from_its_record(server: LiveServer) -> None:
    flow = "nested_three_steps"
    call = {**BASE_VARS, "call_id": "single-1"}
    other = {**BASE_VARS, "call_id": "single-2"}
    first = platform_ok(server.platform(flow, json=call))
    assert b'"data":156848' in first and b"api_dialplan" in first
    # Another call starting in between does not disturb the first one's record.
    assert platform_ok(server.platform(flow, json=other)) == first
    second = platform_ok(server.platform(flow, json={**call, "last_dtmf": "1"}))
    assert b'"data":156849' in second
    third = platform_ok(server.platform(flow, json={**call, "last_dtmf": "1"}))
    assert b"api_dialplan" in third
    last = platform_ok(server.platform(flow, json={**call, "last_dtmf": "1"}))
    assert b"transfer" in last and b"api_dialplan" not in last
    # The call ended: its record is gone, so the same id starts again at the entry.
    assert platform_ok(server.platform(flow, json=call)) == first
    records = server.calls(flow, "single-1", want=5)
    assert [r["step"] for r in reversed(records)] == [
        "entry",
        "after_step1",
        "after_step2",
        "after_step3",
        "entry",
    ]


def test_single_mode_without_call_key_fails_over(server: LiveServer) -> None:
    resp = server.platform("nested_three_steps", json={"caller_id_number": "9876543210"})
    assert platform_ok(resp) == failover_body("nested_three_steps")


def test_per_step_url_works_for_a_single_mode_flow(server: LiveServer) -> None:
    variables = {**BASE_VARS, "call_id": "direct-1", "last_dtmf": "2"}
    body = platform_ok(server.platform("nested_three_steps", "after_step1", json=variables))
    assert body == oracle("nested_three_steps", "after_step1", variables)
