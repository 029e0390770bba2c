"""The pictures API: GET /api/flows/{id}/image.svg|png and /diff.svg (flowgraph/server/routers/images.py)."""

from __future__ import annotations

import struct
import time
import xml.etree.ElementTree as ET
from typing import Any

from fastapi.testclient import TestClient
from server_support import example

from flowgraph.store.calls import CallLog

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def publish(client: TestClient, doc: dict[str, Any]) -> None:
    created = client.post("/api/flows", json=doc)
    assert created.status_code == 201, created.text
    published = client.post(f"/api/flows/{doc['id']}/publish", json={})
    assert published.status_code == 201, published.text


def save_draft(client: TestClient, doc: dict[str, Any]) -> None:
    saved = client.put(f"/api/flows/{doc['id']}", json=doc, headers={"If-Match": "*"})
    assert saved.status_code == 200, saved.text


def test_image_svg_and_png_of_draft_and_version(client: TestClient) -> None:
    publish(client, example("delivery_agents"))
    draft = client.get("/api/flows/delivery_agents/image.svg")
    assert draft.status_code == 200
    assert draft.headers["content-type"] == "image/svg+xml"
    words = texts(draft.content)
    assert any("draft (revision 1)" in t for t in words)
    assert "FG520" in words  # the hangup warning is marked by default
    version = client.get("/api/flows/delivery_agents/image.svg?version=1&diagnostics=0")
    assert any("version v1" in t for t in texts(version.content))
    assert b"FG520" not in version.content
    png = client.get("/api/flows/delivery_agents/image.png")
    assert png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png.content[16:24])
    assert width > 200 and height > 200
    assert client.get("/api/flows/delivery_agents/image.svg?version=9").status_code == 404
    assert client.get("/api/flows/nope/image.svg").status_code == 404


def test_traffic_overlay_from_the_call_log(client: TestClient) -> None:
    publish(client, example("delivery_agents"))
    now = time.time()
    log = CallLog(client.app.state.flowgraph.engine)
    base = {"flow_id": "delivery_agents", "version": "v", "step": "entry", "variables": {}, "response": "[]"}
    log.insert_many(
        [
            {**base, "time": now - 60, "call_id": "a", "latency_ms": 1.0, "end": "delivery_agent",
             "trace": [{"node": "order", "branch": "found"}, {"node": "connect_agent", "branch": "next"}]},
            {**base, "time": now - 30, "call_id": "b", "latency_ms": 1.0, "end": "delivery_agent",
             "trace": [{"node": "order", "branch": "found"}, {"node": "connect_agent", "branch": "next"}]},
            {**base, "time": now - 3 * 86400, "call_id": "old", "latency_ms": 1.0, "end": None,
             "trace": [{"node": "order", "branch": "not_found"}]},
        ]
    )  # fmt: skip
    svg = client.get("/api/flows/delivery_agents/image.svg?traffic=24h").content
    words = texts(svg)
    assert "found · 2" in words
    assert "not_found · 0" in words  # the three-day-old call is outside the window
    assert "2 calls · 2 ended" in words
    assert "traffic · last 24 h · 2 calls · 0 failovers" in words
    week = texts(client.get("/api/flows/delivery_agents/image.svg?traffic=7d").content)
    assert "not_found · 1" in week
    bad = client.get("/api/flows/delivery_agents/image.svg?traffic=yesterday")
    assert bad.status_code == 400 and "traffic window" in bad.json()["detail"]


def test_diff_svg_between_versions_and_draft(client: TestClient) -> None:
    doc = example("delivery_agents")
    publish(client, doc)
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] != "status_end"]
    next(n for n in doc["nodes"] if n["id"] == "order_status")["branches"]["next"] = "support"
    doc["tests"] = []  # the example's tests follow the removed node and would block the publish
    save_draft(client, doc)
    to_draft = client.get("/api/flows/delivery_agents/diff.svg")
    assert to_draft.status_code == 200 and to_draft.headers["content-type"] == "image/svg+xml"
    words = texts(to_draft.content)
    assert "removed" in words
    assert any("v1 → draft (revision 2)" in t for t in words)
    assert client.post("/api/flows/delivery_agents/publish", json={}).status_code == 201
    between = texts(client.get("/api/flows/delivery_agents/diff.svg?from=1&to=2").content)
    assert any("v1 → v2" in t for t in between) and "removed" in between
    assert client.get("/api/flows/delivery_agents/diff.svg?from=1&to=7").status_code == 404


def test_diff_needs_a_base_when_unpublished(client: TestClient) -> None:
    assert client.post("/api/flows", json=example("number_masking")).status_code == 201
    answer = client.get("/api/flows/number_masking/diff.svg")
    assert answer.status_code == 400 and "not published" in answer.json()["detail"]


def test_images_need_the_admin_token(client: TestClient, anon: TestClient) -> None:
    publish(client, example("number_masking"))
    assert anon.get("/api/flows/number_masking/image.svg").status_code == 401


def test_readme_image_query_and_traffic_of_one_version(client: TestClient) -> None:
    publish(client, example("delivery_agents"))
    # The README's example, exactly as written: an empty version means the draft.
    png = client.get("/api/flows/delivery_agents/image.png?version=&traffic=24h&diagnostics=0")
    assert png.status_code == 200, png.text
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    served = client.get("/api/flows/delivery_agents/versions/1").json()["hash"]
    now = time.time()
    base = {
        "flow_id": "delivery_agents",
        "step": "entry",
        "variables": {},
        "response": "[]",
        "latency_ms": 1.0,
    }
    answered = [
        {"node": "order", "branch": "found"},
        {"node": "connect_agent", "branch": "next"},
        {"node": "delivery_agent", "branch": "no_answer"},
        {"node": "support", "branch": ""},
    ]
    CallLog(client.app.state.flowgraph.engine).insert_many(
        [
            {**base, "time": now - 60, "call_id": "a", "uuid": "1", "version": served, "trace": answered, "end": "support"},
            {**base, "time": now - 50, "call_id": "b", "uuid": "2", "version": served, "trace": answered, "end": "support"},
            {**base, "time": now - 40, "call_id": "c", "uuid": "3", "version": "other", "trace": answered[:1], "end": None},
        ]
    )  # fmt: skip
    words = texts(client.get("/api/flows/delivery_agents/image.svg?version=1&traffic=24h").content)
    assert f"traffic · last 24 h · version {served[:12]} · 2 calls · 0 failovers" in words
    # Both transfers may have been answered: the no-answer branch is sent, not proven taken.
    assert "no_answer · 0 + 2 sent, outcome unknown" in words
    assert "2 calls · 0 ended · 2 outcome unknown" in words  # the agent's transfer
    # The support transfer, drawn in each step that reaches it: this step's counts.
    assert "in this step: 0 calls · 0 ended · 2 sent, outcome unknown" in words
    assert "sent, outcome unknown" in words  # the legend explains the dotted style
