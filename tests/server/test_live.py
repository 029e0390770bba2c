"""The management API through a real ``flowgraph serve`` (uvicorn on 127.0.0.1): what matters most —
auth, a stale save leaving data intact, publish blocked with diagnostics, and publish/rollback
switching what the platform endpoint answers."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_support import EXAMPLES, example, without_failover
from services import ServerProcess, flowgraph_server

from flowgraph.store.db import make_engine
from flowgraph.store.flows import FlowStore


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    db = tmp_path_factory.mktemp("live") / "flowgraph.db"
    with flowgraph_server(f"sqlite:///{db}") as server:
        yield server


@pytest.fixture
def api(live: ServerProcess) -> Iterator[httpx.Client]:
    with live.client() as c:
        c.headers.update(live.auth)
        yield c


def secret(live: ServerProcess, flow_id: str) -> str:
    """The flow's platform secret, read from the server's database file."""
    url = next(a for a in live.proc.args if isinstance(a, str) and a.startswith("sqlite:"))  # type: ignore[union-attr]
    engine = make_engine(url)
    try:
        return FlowStore(engine).secret(flow_id)
    finally:
        engine.dispose()


def platform_answer(live: ServerProcess, flow_id: str) -> str:
    """What the platform endpoint answers for a caller the flow does not know."""
    header = example(flow_id)["settings"].get("deployment", {}).get("secret_header", "X-Flowgraph-Secret")
    with live.client() as c:
        response = c.post(
            f"/dialplan/{flow_id}",
            json={"caller_id_number": "+919000011111", "call_id": "1775719461.306731", "uuid": "5f1e2d3c"},
            headers={header: secret(live, flow_id)},
        )
    assert response.status_code == 200
    return response.text


def test_auth_over_http(live: ServerProcess) -> None:
    with live.client() as c:
        assert c.get("/api/flows").status_code == 401
        assert c.get("/api/flows", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/flows", headers=live.auth).status_code == 200
        assert c.get("/healthz").json()["status"] == "ok"


def test_stale_save_over_http_leaves_the_flow_intact(api: httpx.Client) -> None:
    doc = example("regional_routing")
    etag = api.post("/api/flows", json=doc).headers["ETag"]
    assert api.put(
        "/api/flows/regional_routing", json=doc | {"name": "A"}, headers={"If-Match": etag}
    ).is_success
    stale = api.put("/api/flows/regional_routing", json=doc | {"name": "B"}, headers={"If-Match": etag})
    assert stale.status_code == 409
    kept = api.get("/api/flows/regional_routing")
    assert (kept.json()["name"], kept.headers["ETag"]) == ("A", '"2"')


def test_publish_with_errors_is_blocked_over_http(api: httpx.Client) -> None:
    api.post("/api/flows", json=without_failover(example("registered_users")))
    response = api.post("/api/flows/registered_users/publish", json={"note": "should not go live"})
    assert response.status_code == 409
    assert "FG401" in {d["code"] for d in response.json()["diagnostics"]}
    assert api.get("/api/flows/registered_users/versions").json() == []


def test_publish_and_rollback_switch_live_answers(live: ServerProcess, api: httpx.Client) -> None:
    doc = example("number_masking")
    etag = api.post("/api/flows", json=doc).headers["ETag"]
    assert api.post("/api/flows/number_masking/publish", json={"note": "v1"}).status_code == 201
    first = platform_answer(live, "number_masking")
    assert "200102" in first and "200103" not in first

    changed = example("number_masking")
    next(n for n in changed["nodes"] if n["id"] == "unknown_caller")["recording"]["data"] = "200103"
    assert api.put("/api/flows/number_masking", json=changed, headers={"If-Match": etag}).is_success
    assert platform_answer(live, "number_masking") == first  # a saved draft never goes live
    assert api.post("/api/flows/number_masking/publish", json={"note": "v2"}).json()["version"]["number"] == 2
    second = platform_answer(live, "number_masking")
    assert "200103" in second and "200102" not in second

    assert api.post("/api/flows/number_masking/rollback", json={"version": 1}).is_success
    assert platform_answer(live, "number_masking") == first


def test_first_start_seeds_examples_and_generates_a_token(tmp_path: Path) -> None:
    with flowgraph_server(
        "sqlite:///./flowgraph.db", token=None, args=("--seed-examples", str(EXAMPLES)), workdir=tmp_path
    ) as server:
        token_file = tmp_path / ".flowgraph" / "admin-token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        assert token not in server.log.read_text()
        with server.client() as c:
            flows = c.get("/api/flows", headers={"Authorization": f"Bearer {token}"}).json()
    expected = sorted(p.stem for p in EXAMPLES.glob("*.json"))
    assert [f["id"] for f in flows] == expected
    assert all(f["published_version"] == 1 for f in flows)
    assert (tmp_path / "flowgraph.db").exists()
