"""The management API parts the editor leans on: a deployment sheet of the live version, steps of
a draft with errors (never a 409), and diagnostics carrying advice in the editor's words."""

from __future__ import annotations

from fastapi.testclient import TestClient
from server_support import example

from flowgraph.compile.deploy import unreachable_reason


def publish(client: TestClient, flow_id: str, note: str) -> int:
    out = client.post(f"/api/flows/{flow_id}/publish", json={"note": note})
    assert out.status_code in (200, 201), out.text
    return int(out.json()["version"]["number"])


def test_the_sheet_describes_the_live_version_after_a_rollback(client: TestClient) -> None:
    flow = example("delivery_agents")
    assert client.post("/api/flows", json=flow).status_code == 201
    assert client.get("/api/flows/delivery_agents/deployment").json()["source"] == "draft"
    v1 = publish(client, "delivery_agents", "first")
    flow["settings"]["failover"] = {"type": "department", "data": ["5999"]}
    current = client.get("/api/flows/delivery_agents")
    client.put("/api/flows/delivery_agents", json=flow, headers={"If-Match": current.headers["ETag"]})
    publish(client, "delivery_agents", "second")
    first_hash = client.get("/api/flows/delivery_agents/versions").json()[-1]["hash"]
    assert client.post("/api/flows/delivery_agents/rollback", json={"version": v1}).status_code == 200

    sheet = client.get("/api/flows/delivery_agents/deployment").json()
    assert (sheet["source"], sheet["published_version"]) == ("published", v1)
    assert sheet["version"] == first_hash
    assert sheet["dialplans"][0]["failover"] == {"type": "department", "data": ["5200"]}
    assert sheet["draft_differs"] is True
    draft = client.get("/api/flows/delivery_agents/deployment?source=draft").json()
    assert draft["dialplans"][0]["failover"]["data"] == ["5999"]
    # testserver has no dot: not an address the platform can call.
    assert sheet["warnings"] and "FLOWGRAPH_PUBLIC_URL" in sheet["warnings"][0]
    steps = sheet["portal_steps"]
    assert "after_help_menu" in steps[0] and steps[-1].startswith("Publish the flow again")
    assert any("My Numbers" in s for s in steps)


def test_unreachable_addresses_are_named() -> None:
    for url in ("http://127.0.0.1:8000", "http://localhost:8000", "http://192.168.1.20", "http://ivr"):
        assert "cannot reach" in unreachable_reason(url), url
    assert unreachable_reason("https://calls.example.com") == ""
    assert unreachable_reason("https://8.8.8.8") == ""


def test_check_with_steps_partitions_a_draft_with_errors(client: TestClient) -> None:
    flow = example("delivery_agents")
    assert client.post("/api/flows", json=flow).status_code == 201
    del flow["settings"]["failover"]
    for node in flow["nodes"]:
        node.get("branches", {}).pop("no_input", None)
    out = client.post("/api/flows/delivery_agents/check?steps=true", json=flow)
    assert out.status_code == 200
    body = out.json()
    assert body["errors"] > 0
    assert [(s["id"], s["depth"]) for s in body["steps"]] == [("entry", 0), ("after_help_menu", 1)]
    assert "help_menu" in body["steps"][0]["nodes"]
    assert body["nesting_limit"] == 3 and len(body["version"]) == 12
    # Without the flag the answer is as before.
    assert client.post("/api/flows/delivery_agents/check", json=flow).json()["steps"] is None
    advice = {d["code"]: d["advice"] for d in body["diagnostics"]}
    assert advice["FG401"].startswith("Choose a failover destination")
    assert "settings." not in advice["FG402"] and "`" not in advice["FG402"]
    assert "Platform assumptions" in advice["FG520"]
