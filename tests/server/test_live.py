"""The management API through a real ``flowgraph serve`` (uvicorn on 127.0.0.1): what matters most —
auth, a stale save leaving data intact, publish blocked with diagnostics, and publish/rollback
switching what the platform endpoint answers."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_support import EXAMPLES, example, platform_answer, publish_rollback_scenario, without_failover
from services import ServerProcess, flowgraph_server


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
    publish_rollback_scenario(
        api, lambda: platform_answer(live.base_url, live.database_url, "number_masking")
    )


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
