"""Server tables through the management API and the platform endpoint (in-process app):
import, export round trip, validation that changes nothing, auth, the publish check, the live
answer and the call log's table version, and the two body limits."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from server_support import AUTH, TOKEN, flow_secret
from tables_support import FAILOVER_NUMBER, agent, caller, customers_csv, table_flow

from flowgraph.server.app import create_app
from flowgraph.settings import ServerSettings

FLOW = "registered_users"


def platform(client: TestClient, settings: ServerSettings, number: str, **kw: Any) -> str:
    secret = flow_secret(settings.database_url, FLOW)
    body = {"caller_id_number": number, "call_id": f"c{time.monotonic_ns()}", "uuid": "u1"}
    resp = client.post(f"/dialplan/{FLOW}", json=body, headers={"X-Flowgraph-Secret": secret}, **kw)
    assert resp.status_code == 200
    return resp.text


def published(client: TestClient) -> None:
    assert client.post("/api/flows", json=table_flow()).status_code == 201
    assert client.post(f"/api/flows/{FLOW}/publish", json={}).status_code == 201


def test_import_then_export_round_trips_and_a_second_import_changes_nothing(client: TestClient) -> None:
    put = client.put(
        "/api/tables/registered", content=customers_csv(100), headers={"Content-Type": "text/csv"}
    )
    assert put.status_code == 201
    table = put.json()["table"]
    assert (table["version"], table["rows"], table["columns"]) == (1, 100, ["number", "name", "agent_id"])
    exported = client.get("/api/tables/registered")
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert lines[0] == "number,name,agent_id" and lines[1] == f"{caller(0)},Customer 0,{agent(0)}"
    assert len(lines) == 101
    again = client.put("/api/tables/registered", content=exported.content)
    assert again.status_code == 200 and again.json() == {"table": table, "created": False}
    as_json = client.get("/api/tables/registered", headers={"Accept": "application/json"}).json()
    assert as_json["rows"][0] == [caller(0), "Customer 0", agent(0)] and as_json["version"] == 1
    assert client.put("/api/tables/registered", json=as_json).status_code == 200  # JSON in, same table
    listed = client.get("/api/tables").json()
    assert [(t["name"], t["version"], t["rows"]) for t in listed] == [("registered", 1, 100)]


def test_an_invalid_file_changes_nothing_and_names_line_and_column(client: TestClient) -> None:
    assert client.put("/api/tables/registered", content=customers_csv(3)).status_code == 201
    bad = b"number,name,agent_id\n9876543210,A,1\n+91 98765-43210,B,2\n9812345678,C\n"
    resp = client.put("/api/tables/registered", content=bad)
    assert resp.status_code == 422
    problems = resp.json()["problems"]
    assert problems == [
        {
            "path": "line 3, column 1 (number)",
            "message": "key '+91 98765-43210' repeats line 2 (both are 9876543210)",
        },
        {"path": "line 4", "message": "2 values, the first line names 3 columns"},
    ]
    table = client.get("/api/tables").json()[0]
    assert (table["version"], table["rows"]) == (1, 3)


def test_keys_must_be_numbers_once_a_published_flow_matches_callers_numbers(
    client: TestClient, settings: ServerSettings
) -> None:
    text_keys = b"number,name,agent_id\nVIP,A,05000011\n"
    assert client.put("/api/tables/registered", content=text_keys).status_code == 201  # nobody matches yet
    assert client.post("/api/flows", json=table_flow()).status_code == 201
    refused = client.post(f"/api/flows/{FLOW}/publish", json={})
    assert refused.status_code == 409
    assert [d["code"] for d in refused.json()["diagnostics"]] == ["FG542"]
    assert client.put("/api/tables/registered", content=customers_csv(2)).status_code == 201
    assert client.post(f"/api/flows/{FLOW}/publish", json={}).status_code == 201
    resp = client.put("/api/tables/registered", content=text_keys)
    assert resp.status_code == 422
    assert resp.json()["problems"][0]["path"] == "line 2, column 1 (number)"
    assert "flow 'registered_users' (node account)" in resp.json()["problems"][0]["message"]
    assert agent(1) in platform(client, settings, "+91" + caller(1))  # version 2 still serves


def test_a_file_without_rows_is_refused_while_a_published_flow_reads_the_table(
    client: TestClient, settings: ServerSettings
) -> None:
    """A header-only export (a CRM job that failed) must not wipe the table callers are routed by."""
    assert client.put("/api/tables/registered", content=customers_csv(3)).status_code == 201
    assert client.post("/api/flows", json=table_flow()).status_code == 201
    assert client.post(f"/api/flows/{FLOW}/publish", json={}).status_code == 201
    header_only = b"number,name,agent_id\n"
    refused = client.put("/api/tables/registered", content=header_only)
    assert refused.status_code == 422
    problem = refused.json()["problems"][0]
    assert problem["path"] == "line 2" and "registered_users" in problem["message"]
    assert "allow_empty=true" in problem["message"]
    assert agent(1) in platform(client, settings, "+91" + caller(1))  # version 1 still serves
    forced = client.put("/api/tables/registered", content=header_only, params={"allow_empty": "true"})
    assert forced.status_code == 201 and forced.json()["table"]["rows"] == 0


def test_publish_names_a_missing_server_table_and_the_live_answer_fails_over(
    client: TestClient, settings: ServerSettings
) -> None:
    assert client.post("/api/flows", json=table_flow()).status_code == 201
    refused = client.post(f"/api/flows/{FLOW}/publish", json={})
    assert refused.status_code == 409
    fg540 = refused.json()["diagnostics"][0]
    assert fg540["code"] == "FG540" and fg540["nodes"] == ["account"]
    assert "server table 'registered' does not exist" in fg540["message"]


def test_live_lookup_answers_from_the_new_version_at_once_and_the_call_log_names_it(
    client: TestClient, settings: ServerSettings
) -> None:
    assert client.put("/api/tables/registered", content=customers_csv(10)).status_code == 201
    published(client)
    assert agent(7) in platform(client, settings, "+91" + caller(7))
    assert client.put("/api/tables/registered", content=customers_csv(10, "b")).status_code == 201
    answer = platform(client, settings, "0" + caller(7))  # any form of the number finds the row
    assert agent(7, "b") in answer and agent(7) not in answer
    assert "22590" in platform(client, settings, "+919999999999")  # not found: the IVR branch
    deadline = time.monotonic() + 10
    while len(records := client.get(f"/api/flows/{FLOW}/calls").json()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r["tables"] for r in records] == [{"registered": 2}, {"registered": 2}, {"registered": 1}]


def test_a_table_the_process_lacks_fails_over_with_table_missing(
    client: TestClient, settings: ServerSettings
) -> None:
    assert client.put("/api/tables/registered", content=customers_csv(1)).status_code == 201
    published(client)
    hub = client.app.state.flowgraph.dialplan
    hub.tables.tables.drop("registered")  # as if this process could not load it
    assert FAILOVER_NUMBER in platform(client, settings, "+91" + caller(0))
    deadline = time.monotonic() + 10
    while not (records := client.get(f"/api/flows/{FLOW}/calls").json()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert records[0]["failover_reason"].startswith("table_missing: server table 'registered'")


def test_the_table_api_needs_the_token(anon: TestClient) -> None:
    assert anon.get("/api/tables").status_code == 401
    assert anon.get("/api/tables/registered").status_code == 401
    assert anon.put("/api/tables/registered", content=customers_csv(1)).status_code == 401
    assert (
        anon.put("/api/tables/registered", content=b"x", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )


def test_unknown_table_and_bad_name(client: TestClient) -> None:
    assert client.get("/api/tables/nothing").status_code == 404
    assert client.put("/api/tables/9bad", content=customers_csv(1)).status_code == 422


def test_the_management_limit_takes_a_table_the_platform_limit_refuses(
    client: TestClient, settings: ServerSettings
) -> None:
    big = customers_csv(30_000)  # about 1.2 MB: over the platform's 64 KiB, under the API's limit
    assert settings.max_body_bytes < len(big) < settings.max_api_bytes
    assert client.put("/api/tables/registered", content=big).status_code == 201
    published(client)
    secret = flow_secret(settings.database_url, FLOW)
    resp = client.post(f"/dialplan/{FLOW}", content=big, headers={"X-Flowgraph-Secret": secret})
    assert resp.status_code == 200 and FAILOVER_NUMBER in resp.text


@pytest.mark.parametrize("limit", [256 * 1024])
def test_a_table_over_the_management_limit_is_413(tmp_path: Any, limit: int) -> None:
    settings = ServerSettings(
        database_url=f"sqlite:///{tmp_path / 'f.db'}",
        admin_token=TOKEN,
        web_dist=tmp_path,
        max_api_bytes=limit,
    )
    with TestClient(create_app(settings), headers=AUTH) as client:
        resp = client.put("/api/tables/registered", content=customers_csv(10_000))
        assert resp.status_code == 413 and "FLOWGRAPH_MAX_API_BYTES" in resp.json()["detail"]
        assert client.get("/api/tables").json() == []


def test_stored_table_data_is_compressed_and_old_uncompressed_data_still_reads() -> None:
    from flowgraph.runtime.tables import MAGIC
    from flowgraph.store.tables import pack_stored, unpack_stored

    raw = MAGIC + b'{"columns":[]}\n' + b"9876543210" * 10_000
    stored = pack_stored(raw)
    assert len(stored) < len(raw) // 10 and not stored.startswith(MAGIC)
    assert unpack_stored(stored) == raw
    assert unpack_stored(raw) == raw  # written uncompressed before this release
