"""GET /api/tables/{name}/rows: the editor's page of a server table, searched, from the version
this process serves (or the database when it has not loaded it), with its auth and limits."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tables_support import agent, caller, customers_csv


def test_pages_every_row_then_a_search_then_the_next_version(client: TestClient) -> None:
    assert client.put("/api/tables/registered", content=customers_csv(120)).status_code == 201
    first = client.get("/api/tables/registered/rows", params={"limit": 50}).json()
    assert (first["version"], first["total"], first["more"], first["offset"]) == (1, 120, False, 0)
    assert first["columns"] == ["number", "name", "agent_id"]
    assert first["rows"][0] == [caller(0), "Customer 0", agent(0)] and len(first["rows"]) == 50
    last = client.get("/api/tables/registered/rows", params={"offset": 100, "limit": 50}).json()
    assert [r[0] for r in last["rows"]] == [caller(i) for i in range(100, 120)]
    found = client.get("/api/tables/registered/rows", params={"q": "+91 " + caller(42)}).json()
    assert found["total"] == 1 and found["rows"] == [[caller(42), "Customer 42", agent(42)]]
    by_value = client.get("/api/tables/registered/rows", params={"q": "CUSTOMER 11"}).json()
    assert [r[1] for r in by_value["rows"]] == ["Customer 11", *(f"Customer {i}" for i in range(110, 120))]
    assert client.put("/api/tables/registered", content=customers_csv(3, "b")).status_code == 201
    second = client.get("/api/tables/registered/rows", params={"q": agent(2, "b")}).json()
    assert (second["version"], second["total"], second["rows"][0][0]) == (2, 1, caller(2))


def test_reads_the_database_when_the_process_has_not_loaded_the_version(client: TestClient) -> None:
    assert client.put("/api/tables/registered", content=customers_csv(5)).status_code == 201
    client.app.state.flowgraph.dialplan.tables.tables.drop("registered")  # type: ignore[attr-defined]
    got = client.get("/api/tables/registered/rows", params={"q": "customer 4"}).json()
    assert got["rows"] == [[caller(4), "Customer 4", agent(4)]]


def test_unknown_table_limits_and_auth(client: TestClient, anon: TestClient) -> None:
    assert client.get("/api/tables/nothing/rows").status_code == 404
    assert client.put("/api/tables/registered", content=customers_csv(2)).status_code == 201
    assert client.get("/api/tables/registered/rows", params={"limit": 501}).status_code == 422
    assert client.get("/api/tables/registered/rows", params={"offset": -1}).status_code == 422
    assert client.get("/api/tables/registered/rows", params={"q": "x" * 201}).status_code == 422
    assert anon.get("/api/tables/registered/rows").status_code == 401
