"""Management API through the ASGI app (TestClient, lifespan run): breadth of routes and statuses."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from server_support import AUTH, TOKEN, example, without_failover

from flowgraph.server.app import create_app
from flowgraph.settings import ServerSettings
from flowgraph.store.calls import CallLog


def created(client: TestClient, name: str = "number_masking") -> str:
    response = client.post("/api/flows", json=example(name))
    assert response.status_code == 201, response.text
    return response.headers["ETag"]


def secret_of(client: TestClient, flow_id: str) -> str:
    return str(client.app.state.flowgraph.flows.secret(flow_id))


# --- auth ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/flows"),
        ("POST", "/api/flows"),
        ("GET", "/api/flows/x"),
        ("PUT", "/api/flows/x"),
        ("DELETE", "/api/flows/x"),
        ("POST", "/api/flows/x/publish"),
        ("POST", "/api/flows/x/rollback"),
        ("GET", "/api/flows/x/versions"),
        ("GET", "/api/flows/x/deployment"),
        ("GET", "/api/flows/x/calls"),
        ("GET", "/api/flows/x/stats"),
    ],
)
def test_every_api_route_needs_the_token(anon: TestClient, method: str, path: str) -> None:
    response = anon.request(method, path, json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "admin token" in response.json()["detail"]


def test_wrong_token_is_refused_and_right_one_accepted(anon: TestClient) -> None:
    assert anon.get("/api/flows", headers={"Authorization": "Bearer " + TOKEN + "x"}).status_code == 401
    assert anon.get("/api/flows", headers={"Authorization": "Basic " + TOKEN}).status_code == 401
    assert anon.get("/api/flows", headers=AUTH).status_code == 200


def test_healthz_needs_no_token_and_pings_the_database(anon: TestClient) -> None:
    health = anon.get("/healthz").json()
    assert (health["status"], health["database"], health["backend"]) == ("ok", "ok", "sqlite")
    assert health["problems"] == {} and health["call_log"]["state"] == "ok"


# --- flows CRUD ------------------------------------------------------------------------------


def test_create_read_list(client: TestClient) -> None:
    etag = created(client)
    assert etag == '"1"'
    read = client.get("/api/flows/number_masking")
    assert read.headers["ETag"] == etag
    body = read.json()
    assert body["flow"]["entry"] == example("number_masking")["entry"]
    assert body["published_version"] is None
    assert secret_of(client, "number_masking") not in read.text
    listing = client.get("/api/flows").json()
    assert [f["id"] for f in listing] == ["number_masking"] and "flow" not in listing[0]


def test_create_existing_id_is_409(client: TestClient) -> None:
    created(client)
    response = client.post("/api/flows", json=example("number_masking"))
    assert response.status_code == 409 and "exists" in response.json()["detail"]


def test_invalid_flow_is_422_with_located_problems(client: TestClient) -> None:
    doc = example("number_masking")
    doc["nodes"][1]["recording"] = {"type": "tape", "data": "1"}
    doc["colour"] = "blue"
    response = client.post("/api/flows", json=doc)
    assert response.status_code == 422
    problems = {p["path"]: p["message"] for p in response.json()["problems"]}
    node_id = doc["nodes"][1]["id"]
    assert problems[f"node '{node_id}' nodes[1].recording.type"] == "Input should be 'system' or 'url'"
    assert "unknown key" in problems["colour"]
    assert client.get("/api/flows").json() == []


def test_update_with_current_etag(client: TestClient) -> None:
    etag = created(client)
    doc = example("number_masking") | {"name": "Renamed"}
    response = client.put("/api/flows/number_masking", json=doc, headers={"If-Match": etag})
    assert response.status_code == 200
    assert (response.headers["ETag"], response.json()["name"]) == ('"2"', "Renamed")


def test_stale_update_is_409_and_leaves_the_flow_untouched(client: TestClient) -> None:
    etag = created(client)
    client.put(
        "/api/flows/number_masking",
        json=example("number_masking") | {"name": "Theirs"},
        headers={"If-Match": etag},
    )
    response = client.put(
        "/api/flows/number_masking",
        json=example("number_masking") | {"name": "Mine"},
        headers={"If-Match": etag},
    )
    assert response.status_code == 409
    assert response.json()["etag"] == '"2"'
    assert client.get("/api/flows/number_masking").json()["name"] == "Theirs"


def test_update_needs_if_match_and_matching_id(client: TestClient) -> None:
    created(client)
    doc = example("number_masking")
    assert client.put("/api/flows/number_masking", json=doc).status_code == 428
    response = client.put("/api/flows/other", json=doc, headers={"If-Match": "*"})
    assert response.status_code == 422
    assert response.json()["problems"][0]["path"] == "id"


def test_soft_delete_and_restore(client: TestClient) -> None:
    created(client)
    assert client.delete("/api/flows/number_masking").json()["deleted_at"] is not None
    assert client.get("/api/flows/number_masking").status_code == 404
    assert client.get("/api/flows").json() == []
    assert [f["id"] for f in client.get("/api/flows?include_deleted=true").json()] == ["number_masking"]
    assert client.post("/api/flows/number_masking/restore").status_code == 200
    assert client.get("/api/flows/number_masking").status_code == 200


def test_export_then_import_round_trips(client: TestClient) -> None:
    created(client)
    exported = client.get("/api/flows/number_masking/export")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="number_masking.json"'
    doc = exported.json()
    assert doc["id"] == "number_masking"
    assert secret_of(client, "number_masking") not in exported.text
    doc["name"] = "Imported"
    assert client.post("/api/flows/import", json=doc).status_code == 409
    response = client.post("/api/flows/import?overwrite=true", json=[doc, example("regional_routing")])
    assert response.json() == {"created": ["regional_routing"], "updated": ["number_masking"]}
    assert client.get("/api/flows/number_masking").json()["name"] == "Imported"


def test_import_refuses_repeated_ids(client: TestClient) -> None:
    doc = example("number_masking")
    response = client.post("/api/flows/import", json=[doc, doc])
    assert response.status_code == 422 and "repeated" in response.json()["problems"][0]["message"]
    assert client.get("/api/flows").json() == []


# --- body size ---------------------------------------------------------------------------------


def test_declared_oversized_body_is_413(client: TestClient, settings: ServerSettings) -> None:
    response = client.post("/api/flows", content=b"{" + b" " * settings.max_api_bytes + b"}")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_streamed_oversized_body_is_413(client: TestClient, settings: ServerSettings) -> None:
    def chunks():  # no Content-Length: chunked transfer
        for _ in range(settings.max_api_bytes // 8192 + 2):
            yield b" " * 8192

    response = client.post("/api/flows", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert client.get("/api/flows").json() == []


# --- check, compile, publish, versions -----------------------------------------------------------


def test_check_draft_and_unsaved_document(client: TestClient) -> None:
    created(client)
    saved = client.get("/api/flows/number_masking/check").json()
    assert saved["errors"] == 0
    unsaved = client.post("/api/flows/number_masking/check", json=without_failover(example("number_masking")))
    body = unsaved.json()
    assert body["errors"] >= 1
    assert any(d["code"] == "FG401" and d["severity"] == "error" for d in body["diagnostics"])
    assert client.get("/api/flows/number_masking").json()["flow"]["settings"]["failover"]  # not stored


def test_an_unfinished_draft_saves_and_gets_every_diagnostic(client: TestClient) -> None:
    # A new menu has no recording yet: that is a diagnostic on the node, not a rejected document.
    draft = {
        "id": "fresh",
        "entry": "m",
        "nodes": [{"id": "m", "type": "menu", "recording": {"type": "system", "data": ""}, "options": ["1"]}],
    }
    assert client.post("/api/flows", json=draft).status_code == 201
    response = client.get("/api/flows/fresh/check")
    assert response.status_code == 200, response.text
    found = {(d["code"], tuple(d["nodes"]), d["field"]) for d in response.json()["diagnostics"]}
    assert ("FG523", ("m",), "recording.data") in found
    assert {"FG401", "FG402"} <= {code for code, _nodes, _field in found}  # the other problems too
    assert client.post("/api/flows/fresh/publish", json={"note": "too early"}).status_code == 409


def test_compile_returns_plan_and_version(client: TestClient) -> None:
    created(client)
    body = client.get("/api/flows/number_masking/compile").json()
    assert body["plan"]["flow"] == "number_masking"
    assert body["plan"]["version"] == body["version"] and len(body["version"]) == 12
    assert body["plan"]["steps"][0]["id"] == "entry"


def test_publish_with_errors_is_409_with_diagnostics(client: TestClient) -> None:
    client.post("/api/flows", json=without_failover(example("number_masking")))
    response = client.post("/api/flows/number_masking/publish", json={"note": "try"})
    assert response.status_code == 409
    assert "FG401" in [d["code"] for d in response.json()["diagnostics"]]
    assert client.get("/api/flows/number_masking/versions").json() == []
    assert client.get("/api/flows/number_masking/compile").status_code == 409


def test_publish_versions_and_rollback(client: TestClient) -> None:
    etag = created(client)
    first = client.post("/api/flows/number_masking/publish", json={"note": "v1", "author": "asha"})
    assert first.status_code == 201
    v1 = first.json()["version"]
    assert (v1["number"], v1["note"], v1["author"], v1["live"]) == (1, "v1", "asha", True)
    same = client.post("/api/flows/number_masking/publish", json={"note": "again"})
    assert (same.status_code, same.json()["created"]) == (200, False)

    doc = example("number_masking") | {"name": "Second"}
    client.put("/api/flows/number_masking", json=doc, headers={"If-Match": etag})
    v2 = client.post("/api/flows/number_masking/publish", json={"note": "v2"}).json()["version"]
    assert v2["number"] == 2 and v2["hash"] != v1["hash"]
    versions = client.get("/api/flows/number_masking/versions").json()
    assert [(v["number"], v["live"]) for v in versions] == [(2, True), (1, False)]

    back = client.post("/api/flows/number_masking/rollback", json={"version": 1})
    assert back.json()["hash"] == v1["hash"]
    live = client.get("/api/flows/number_masking/published").json()
    assert (live["number"], live["flow"]["name"]) == (1, example("number_masking")["name"])
    assert client.get("/api/flows/number_masking/versions/2").json()["flow"]["name"] == "Second"
    assert client.get("/api/flows/number_masking").json()["flow"]["name"] == "Second"  # draft kept
    assert client.post("/api/flows/number_masking/rollback", json={"version": 9}).status_code == 404


def test_publish_pinned_to_an_old_etag_is_409(client: TestClient) -> None:
    etag = created(client)
    client.put("/api/flows/number_masking", json=example("number_masking"), headers={"If-Match": etag})
    response = client.post("/api/flows/number_masking/publish", json={}, headers={"If-Match": etag})
    assert response.status_code == 409
    assert client.get("/api/flows/number_masking/versions").json() == []


# --- simulate, deployment, calls, stats --------------------------------------------------------


def test_simulate_a_scripted_call(client: TestClient) -> None:
    created(client, "regional_routing")
    doc = example("regional_routing")
    response = client.post("/api/flows/regional_routing/simulate", json={"caller": "+919812345678"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["path"][0] == doc["entry"]
    assert body["events"] and len(body["describe"]) == len(body["events"])
    nested = "nested_three_steps"
    created(client, nested)
    call = client.post(f"/api/flows/{nested}/simulate", json={"caller": "9812345678", "presses": ["1", "2"]})
    exchanges = call.json()["exchanges"]
    assert [x["step"] for x in exchanges] == ["entry", "after_step1", "after_step2"]
    assert exchanges[0]["response"] == (
        '[[{"recording":{"type":"system","data":156848,"dtmf":{"timeout":6000,"maxLength":4,"retry":2}}}],'
        '[{"api_dialplan":{"data":"6733074ecbb570864f06bc14"}}]]'
    )
    assert exchanges[2]["response"] == '[{"transfer":{"type":"ivr","data":["22590"]}}]'
    assert exchanges[1]["variables"]["last_dtmf"] == "1"
    unpublished = client.post(
        "/api/flows/regional_routing/simulate", json={"caller": "9812345678", "source": "published"}
    )
    assert unpublished.status_code == 404


def test_deployment_sheet_carries_the_secret_and_base_url(client: TestClient) -> None:
    created(client, "nested_three_steps")
    sheet = client.get("/api/flows/nested_three_steps/deployment").json()
    secret = secret_of(client, "nested_three_steps")
    # Hex: never starts with "-", which `flowgraph call --secret VALUE` would read as an option.
    assert len(secret) == 64 and all(c in "0123456789abcdef" for c in secret)
    assert sheet["header"]["value"] == secret
    assert all(d["header"]["value"] == secret for d in sheet["dialplans"])
    assert sheet["dialplans"][0]["url"] == "http://testserver/dialplan/nested_three_steps"
    single = client.get("/api/flows/nested_three_steps/deployment?mode=single").json()
    assert single["mode"] == "single" and len(single["dialplans"]) == 1
    assert client.get("/api/flows/nested_three_steps/deployment?mode=other").status_code == 422


def test_deployment_uses_the_public_url(settings: ServerSettings) -> None:
    public = settings.model_copy(update={"public_url": "https://calls.example.com/"})
    with TestClient(create_app(public), headers=AUTH) as c:
        c.post("/api/flows", json=example("number_masking"))
        sheet = c.get("/api/flows/number_masking/deployment").json()
    assert sheet["dialplans"][0]["url"] == "https://calls.example.com/dialplan/number_masking"


def test_calls_and_stats_read_the_call_log(client: TestClient) -> None:
    created(client)
    now = time.time()
    record = {
        "call_id": "1775719461.306731",
        "uuid": "5f1e2d3c",
        "flow_id": "number_masking",
        "version": "abc",
        "step": "entry",
        "variables": {"caller_id_number": "9812345678"},
        "response": '[{"transfer":{}}]',
        "latency_ms": 1.5,
        "failover_reason": None,
        "trace": [{"node": "find_pair", "branch": "not_found"}, {"node": "unknown_caller", "branch": "next"}],
        "end": "support",
    }
    CallLog(client.app.state.flowgraph.engine).insert_many(
        [record | {"time": now - 10}, record | {"time": now - 5, "call_id": "other"}]
    )
    calls = client.get("/api/flows/number_masking/calls").json()
    assert [c["call_id"] for c in calls] == ["other", "1775719461.306731"]
    one = client.get("/api/flows/number_masking/calls/1775719461.306731").json()
    assert len(one) == 1 and one[0]["trace"][0] == {"node": "find_pair", "branch": "not_found"}
    stats = client.get("/api/flows/number_masking/stats?window=1h").json()
    assert (stats["calls"], stats["requests"]) == (2, 2)
    assert {"source": "find_pair", "branch": "not_found", "count": 2} in stats["edges"]
    assert client.get("/api/flows/number_masking/stats?window=soon").status_code == 400
    assert client.get("/api/flows/nope/calls").status_code == 404


# --- the editor's files ----------------------------------------------------------------------


def test_editor_is_served_with_spa_fallback_and_api_first(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>editor</html>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    settings = ServerSettings(database_url="sqlite:///:memory:", admin_token=TOKEN, web_dist=dist)
    with TestClient(create_app(settings)) as c:
        assert c.get("/").text == "<html>editor</html>"
        assert c.get("/assets/app.js").text == "console.log(1)"
        assert c.get("/flows/number_masking").text == "<html>editor</html>"
        assert c.get("/api/nothing", headers=AUTH).status_code == 404
        assert c.get("/api/nothing", headers=AUTH).headers["content-type"] == "application/json"
        assert c.get("/healthz").json()["status"] == "ok"
        assert c.get("/openapi.json").json()["info"]["title"] == "flowgraph"


def test_unexpected_errors_are_500_without_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = client.app.state.flowgraph.flows

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(store, "list_flows", boom)
    failing = TestClient(client.app, headers=AUTH, raise_server_exceptions=False)
    response = failing.get("/api/flows")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error (see the server log)"}
