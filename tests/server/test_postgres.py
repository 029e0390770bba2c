"""The server on a private PostgreSQL 15: publish/rollback switching live answers through a real
uvicorn process, and concurrent writers (saves racing on one ETag, publishes racing each other)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from server_support import example, platform_answer, publish_rollback_scenario
from services import ServerProcess, flowgraph_server

from flowgraph.load import flow_from_data
from flowgraph.server.documents import document

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_live(postgres_db: str) -> Iterator[ServerProcess]:
    with flowgraph_server(postgres_db) as server:
        yield server


@pytest.fixture
def api(pg_live: ServerProcess) -> Iterator[httpx.Client]:
    with pg_live.client() as c:
        c.headers.update(pg_live.auth)
        yield c


def test_health_reports_postgresql(api: httpx.Client) -> None:
    health = api.get("/healthz").json()
    assert (health["status"], health["database"], health["backend"]) == ("ok", "ok", "postgresql")


def test_publish_and_rollback_on_postgresql(pg_live: ServerProcess, api: httpx.Client) -> None:
    publish_rollback_scenario(
        api, lambda: platform_answer(pg_live.base_url, pg_live.database_url, "number_masking")
    )


def test_saves_racing_on_one_etag_have_one_winner(pg_live: ServerProcess, api: httpx.Client) -> None:
    etag = api.post("/api/flows", json=example("number_masking")).headers["ETag"]

    def save(i: int) -> int:
        doc = example("number_masking") | {"name": f"writer {i}"}
        with pg_live.client() as c:
            return c.put(
                "/api/flows/number_masking", json=doc, headers={**pg_live.auth, "If-Match": etag}
            ).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(save, range(8)))
    assert statuses == [200] + [409] * 7
    stored = api.get("/api/flows/number_masking").json()
    assert stored["revision"] == 2 and stored["name"].startswith("writer ")


def test_publishes_racing_get_distinct_version_numbers(pg_live: ServerProcess, api: httpx.Client) -> None:
    api.post("/api/flows", json=example("number_masking"))

    def edit_and_publish(i: int) -> int:
        doc = example("number_masking") | {"name": f"edition {i}"}
        with pg_live.client() as c:
            c.headers.update(pg_live.auth)
            c.put("/api/flows/number_masking", json=doc, headers={"If-Match": "*"})
            return c.post("/api/flows/number_masking/publish", json={"note": f"edition {i}"}).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(edit_and_publish, range(6)))
    # A publish whose draft moved on between read and write is refused (409), never half-applied.
    assert set(statuses) <= {200, 201, 409} and 201 in statuses
    versions = api.get("/api/flows/number_masking/versions").json()
    numbers = [v["number"] for v in versions]
    assert numbers == list(range(len(numbers), 0, -1))
    assert sum(v["live"] for v in versions) == 1
    live = api.get("/api/flows/number_masking/published").json()
    # Every stored version, and so what is live, is one whole edition as it was saved.
    for v in versions:
        frozen = api.get(f"/api/flows/number_masking/versions/{v['number']}").json()["flow"]
        assert frozen == document(flow_from_data(example("number_masking") | {"name": frozen["name"]}))
    assert live["flow"]["name"].startswith("edition ")


def test_hostile_text_is_a_clean_answer_on_postgresql(api: httpx.Client) -> None:
    # PostgreSQL refuses NUL in text: such input must be a 404 or stored cleaned, never a 500.
    assert api.get("/api/flows/a%00b").status_code == 404
    assert api.get("/api/flows/a%00b/versions/1").status_code == 404
    doc = example("number_masking") | {"name": "nul\x00name"}
    assert api.post("/api/flows", json=doc).status_code == 201
    assert api.get("/api/flows/number_masking").json()["name"] == "nulname"
    published = api.post("/api/flows/number_masking/publish", json={"note": "n\x00", "author": "a\x00"})
    assert published.status_code == 201 and published.json()["version"]["note"] == "n"
    assert api.get("/api/flows/number_masking/calls", params={"call_id": "x\x00"}).json() == []
    assert api.get("/api/flows/number_masking/calls/x%00y").json() == []
    assert api.get("/api/flows/number_masking/versions/99999999999").status_code == 404
