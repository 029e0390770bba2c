"""Helpers for server tests: the admin token and example flow documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx

from flowgraph.store.db import make_engine
from flowgraph.store.flows import FlowStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TOKEN = "test-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def example(name: str) -> dict[str, Any]:
    """An example flow document (a fresh copy)."""
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def without_failover(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with its failover destination removed: error FG401, so it cannot be published."""
    broken = copy.deepcopy(doc)
    broken["settings"].pop("failover", None)
    return broken


def flow_secret(database_url: str, flow_id: str) -> str:
    """A flow's platform secret, read straight from a server's database."""
    engine = make_engine(database_url)
    try:
        return FlowStore(engine).secret(flow_id)
    finally:
        engine.dispose()


def platform_answer(
    base_url: str, database_url: str, flow_id: str, secret_header: str = "X-Flowgraph-Secret"
) -> str:
    """What a server's platform endpoint answers for a caller the flow does not know."""
    response = httpx.post(
        f"{base_url}/dialplan/{flow_id}",
        json={"caller_id_number": "+919000011111", "call_id": "1775719461.306731", "uuid": "5f1e2d3c"},
        headers={secret_header: flow_secret(database_url, flow_id)},
        timeout=10,
    )
    assert response.status_code == 200
    return response.text


def publish_rollback_scenario(api: httpx.Client, answer: Any) -> None:
    """Publish v1, save and publish v2, roll back to v1; ``answer()`` returns the live platform answer
    for number_masking's unknown-caller path after each step."""
    etag = api.post("/api/flows", json=example("number_masking")).headers["ETag"]
    assert api.post("/api/flows/number_masking/publish", json={"note": "v1"}).status_code == 201
    first = answer()
    assert "200102" in first and "200103" not in first

    changed = example("number_masking")
    next(n for n in changed["nodes"] if n["id"] == "unknown_caller")["recording"]["data"] = "200103"
    changed["tests"] = []  # the example's tests expect 200102 and would block the publish
    assert api.put("/api/flows/number_masking", json=changed, headers={"If-Match": etag}).is_success
    assert answer() == first  # a saved draft never goes live
    assert api.post("/api/flows/number_masking/publish", json={"note": "v2"}).json()["version"]["number"] == 2
    second = answer()
    assert "200103" in second and "200102" not in second

    assert api.post("/api/flows/number_masking/rollback", json={"version": 1}).is_success
    assert answer() == first
    versions = api.get("/api/flows/number_masking/versions").json()
    assert [(v["number"], v["live"], v["note"]) for v in versions] == [(2, False, "v2"), (1, True, "v1")]
