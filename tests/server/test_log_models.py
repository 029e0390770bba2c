"""The call log's and the traffic stats' models (``flowgraph/server/log_models.py``): they describe
exactly what the store and the traffic counts produce, the routes send those answers byte for byte
as they did untyped, and the OpenAPI schema types ``/calls``, ``/calls/{call_id}`` and ``/stats``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, get_args

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError
from server_support import example
from test_dialplan_support import LiveServer, live_server

from flowgraph.pictures import traffic
from flowgraph.pictures.arms import ARM_COUNTS
from flowgraph.server.log_models import ArmCountsOut, CallRecordOut, NodeCountsOut, StatsOut
from flowgraph.store.calls import RECORD_FIELDS, CallLog, calls_for_call, iter_calls, list_calls
from flowgraph.store.db import make_engine

RECORDS = TypeAdapter(list[CallRecordOut])


def as_starlette_writes(value: Any) -> bytes:
    """JSON as the routes wrote an untyped answer (starlette's JSONResponse)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def kinds_of(name: str) -> dict[str, str]:
    return {n["id"]: n["type"] for n in example(name)["nodes"]}


#: A request with every optional field the call log keeps (as the server queues it).
FULL = {
    "call_id": "c-1",
    "uuid": "u-1",
    "flow_id": "number_masking",
    "version": "0123456789ab",
    "step": "entry",
    # The platform's values as sent, including a float json and pydantic would spell differently.
    "variables": {"caller_id_number": "9812345678", "weight": 1e-05, "big": 1e16, "name": "Zoë"},
    "response": '[{"transfer":{"type":"number","data":["9812345678"]}}]',
    "latency_ms": 1.25,
    "failover_reason": None,
    "trace": [("find_pair", "found"), ("connect", "")],
    "end": "connect",
    "lookups": {"crm": {"tier": "gold", "score": 0.5}, "backup": "not_found"},
    "retry": True,
    "decisions": [
        {"node": "hours", "took": "closed", "case": "open", "rule": "excluded_date", "day": "2026-01-26"},
        {
            "node": "hours",
            "took": "open",
            "case": "open",
            "rule": "in_hours",
            "day": "2026-01-27",
            "name": "x",
        },
    ],
    "tables": {"registered": 7},
}
#: One that fell to the failover and left every optional field out.
BARE = FULL | {
    "call_id": "c-2",
    "uuid": "",
    "failover_reason": "server: boom",
    "end": None,
    "lookups": None,
    "retry": False,
    "decisions": None,
    "tables": None,
}


@pytest.fixture
def logged(client: TestClient) -> CallLog:
    assert client.post("/api/flows", json=example("number_masking")).status_code == 201
    log = CallLog(client.app.state.flowgraph.engine)
    now = time.time()
    log.insert_many([FULL | {"time": now - 10}, BARE | {"time": now - 5}])
    return log


def test_call_records_are_sent_as_before(client: TestClient, logged: CallLog) -> None:
    page = client.get("/api/flows/number_masking/calls")
    stored = list_calls(logged, "number_masking")
    assert [r["call_id"] for r in stored] == ["c-2", "c-1"]
    assert page.content == as_starlette_writes(stored)
    one = client.get("/api/flows/number_masking/calls/c-1")
    assert one.content == as_starlette_writes(calls_for_call(logged, "c-1", "number_masking"))
    assert one.json()[0]["variables"]["weight"] == 1e-05 and b'"weight":1e-05' in one.content
    assert RECORDS.dump_python(RECORDS.validate_python(stored), mode="json") == stored


def test_stats_are_sent_as_before(client: TestClient, logged: CallLog) -> None:
    since = datetime.fromtimestamp(time.time() - 60, UTC)
    got = client.get("/api/flows/number_masking/stats", params={"since": since.isoformat()})
    records = iter_calls(logged, "number_masking", since=since.timestamp())
    counted = traffic.traffic_stats(records, since=since, kinds=kinds_of("number_masking"), window=None)
    assert counted["calls"] == 1 and counted["edges"]  # the retried request is not counted again
    assert got.content == as_starlette_writes(counted)


def test_the_models_name_the_counts_and_fields_of_the_modules() -> None:
    """A count or field added to the store or the traffic counts must be added to the model."""
    assert tuple(CallRecordOut.model_fields) == RECORD_FIELDS
    assert tuple(NodeCountsOut.model_fields) == tuple(traffic.NodeTraffic().to_json())
    assert tuple(ArmCountsOut.model_fields) == ("source", "branch", *ARM_COUNTS)
    assert tuple(StatsOut.model_fields) == tuple(traffic.Traffic().to_stats())
    assert get_args(StatsOut.model_fields["format"].annotation) == (traffic.STATS_FORMAT,)


def test_a_changed_record_or_stats_document_is_refused() -> None:
    record = (
        {"id": 1, "time": 1.0} | {k: v for k, v in BARE.items()} | {"trace": [{"node": "a", "branch": ""}]}
    )
    CallRecordOut.model_validate(record)
    with pytest.raises(ValidationError, match="extra"):
        CallRecordOut.model_validate(record | {"caller_name": "x"})
    with pytest.raises(ValidationError, match="tables"):
        CallRecordOut.model_validate({k: v for k, v in record.items() if k != "tables"})
    with pytest.raises(ValidationError, match="extra"):
        CallRecordOut.model_validate(
            record | {"decisions": [{"node": "s", "took": "a", "case": "a", "rule": "r", "why": ""}]}
        )
    stats = traffic.Traffic().to_stats()
    assert StatsOut.model_validate(stats).model_dump(mode="json") == stats
    with pytest.raises(ValidationError, match="format"):
        StatsOut.model_validate(stats | {"format": "flowgraph.traffic/1"})
    with pytest.raises(ValidationError, match="extra"):
        StatsOut.model_validate(stats | {"arms": [{"source": "s", "branch": "a", "calls": 1, "won": 1}]})


def test_openapi_types_the_call_log_and_stats(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    def answer(path: str) -> dict[str, Any]:
        return spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    records = {"type": "array", "items": {"$ref": "#/components/schemas/CallRecordOut"}}
    assert answer("/api/flows/{flow_id}/calls") | {"title": ""} == records | {"title": ""}
    assert answer("/api/flows/{flow_id}/calls/{call_id}")["items"] == records["items"]
    assert answer("/api/flows/{flow_id}/stats") == {"$ref": "#/components/schemas/StatsOut"}
    schemas = spec["components"]["schemas"]
    assert schemas["StatsOut"]["properties"]["arms"]["items"] == {"$ref": "#/components/schemas/ArmCountsOut"}
    # A key the runtime leaves out of a decision is optional, never null.
    assert "name" not in schemas["DecisionOut"]["required"]
    assert schemas["DecisionOut"]["properties"]["name"] == {
        "type": "string",
        "title": "Name",
        "description": "The calendar's name for the date (a holiday)",
    }


# --- on a real server, with records the runtime wrote --------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("log_models")) as live:
        yield live


def play(server: LiveServer, flow: str, call_id: str, steps: list[tuple[str | None, dict[str, str]]]) -> None:
    base = {"call_id": call_id, "uuid": f"u-{call_id}", "caller_id_number": "9812345678"}
    for step, extra in steps:
        assert (
            server.platform(flow, step, json=base | {"call_to_number": "8069000000"} | extra).status_code
            == 200
        )


@pytest.mark.parametrize(
    ("flow", "steps", "want"),
    [
        ("greeting_ab_test", [(None, {}), ("after_main_menu", {"last_dtmf": "1"})], 2),  # a split's arm
        ("holiday_hours", [(None, {})], 1),  # a dated time case: decisions
        ("registered_users", [(None, {})], 1),  # a server-side table lookup
        ("greeting_ab_test", [("no_such_step", {})], 1),  # the failover
    ],
)
def test_the_runtimes_records_and_stats_are_sent_as_before(
    server: LiveServer, flow: str, steps: list[tuple[str | None, dict[str, str]]], want: int
) -> None:
    call_id = f"{flow}-{len(steps)}-{steps[0][0]}"
    play(server, flow, call_id, steps)
    server.calls(flow, call_id, want=want)  # written behind: wait for them
    auth = server.proc.auth
    engine = make_engine(server.db_url)
    try:
        log = CallLog(engine)
        journey = httpx.get(f"{server.base}/api/flows/{flow}/calls/{call_id}", headers=auth, timeout=10)
        assert journey.content == as_starlette_writes(calls_for_call(log, call_id, flow))
        page = httpx.get(f"{server.base}/api/flows/{flow}/calls", headers=auth, timeout=10)
        assert page.content == as_starlette_writes(list_calls(log, flow))
        since = datetime.fromtimestamp(time.time() - 3600, UTC)
        stats = httpx.get(
            f"{server.base}/api/flows/{flow}/stats",
            params={"since": since.isoformat()},
            headers=auth,
            timeout=10,
        )
        records = iter_calls(log, flow, since=since.timestamp())
        counted = traffic.traffic_stats(records, since=since, kinds=kinds_of(flow), window=None)
        assert stats.content == as_starlette_writes(counted)
    finally:
        engine.dispose()
    if flow == "holiday_hours":
        assert journey.json()[0]["decisions"] and stats.json()["rules"]
    if steps[0][0] is None and flow == "greeting_ab_test":
        assert stats.json()["arms"]
