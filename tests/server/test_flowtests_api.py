"""Flow tests through the management API of a real ``flowgraph serve``: ``POST /test`` runs the
draft's tests, and a failing test refuses the publish (409 with every test's result)."""

from __future__ import annotations

import json
from pathlib import Path

from services import flowgraph_server

ROOT = Path(__file__).resolve().parents[2]


def test_a_failing_flow_test_blocks_publish_until_it_passes(tmp_path: Path) -> None:
    doc = json.loads((ROOT / "examples" / "personal_agent.json").read_text())
    doc["id"] = "tested"
    own = next(t for t in doc["tests"] if t["expect"].get("targets") == ["05000022"])
    own["expect"]["targets"] = ["05000099"]  # the table says 05000022: this test fails
    with (
        flowgraph_server(f"sqlite:///{tmp_path / 'f.db'}", workdir=tmp_path) as server,
        server.client() as api,
    ):
        auth = server.auth
        created = api.post("/api/flows", json=doc, headers=auth)
        assert created.status_code == 201
        run = api.post("/api/flows/tested/test", headers=auth).json()
        assert run["failed"] == 1 and run["passed"] == len(doc["tests"]) - 1
        (bad,) = [r for r in run["results"] if not r["passed"]]
        assert bad["name"] == own["name"]
        assert bad["differences"] == ["targets: expected [05000099], got [05000022]"]
        assert run["coverage"]["percent"] == 100.0
        refused = api.post("/api/flows/tested/publish", json={}, headers=auth)
        assert refused.status_code == 409
        body = refused.json()
        assert "1 of" in body["detail"] and own["name"] in body["detail"]
        assert [t["passed"] for t in body["tests"]].count(False) == 1
        assert api.get("/api/flows/tested/versions", headers=auth).json() == []  # nothing published
        own["expect"]["targets"] = ["05000022"]
        etag = api.get("/api/flows/tested", headers=auth).headers["etag"]
        api.put("/api/flows/tested", json=doc, headers={**auth, "If-Match": etag}).raise_for_status()
        published = api.post("/api/flows/tested/publish", json={}, headers=auth)
        assert published.status_code == 201, published.text
