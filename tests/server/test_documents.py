"""Stored documents at the API's edges (``flowgraph/server/documents.py`` and the ``DraftDep`` /
``FlowDep`` / ``PublishedDep`` dependencies in ``deps.py``), through a real ``flowgraph serve``:
every route that reads a stored flow fails the same way, and answers the same plan and journey
as the stages themselves. Also: routers do not import each other."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_support import EXAMPLES, example
from services import ServerProcess, flowgraph_server

from flowgraph.compile.compiler import compile_flow
from flowgraph.load import load_flow
from flowgraph.simulate.simulator import simulate
from flowgraph.store.db import make_engine
from flowgraph.store.flows import FlowStore
from tests.test_simulate import script_from

ROOT = Path(__file__).resolve().parents[2]
ROUTERS = ROOT / "flowgraph" / "server" / "routers"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))

#: Every route that reads the stored draft, and how to call it.
DRAFT_ROUTES = [
    ("GET", "/check", None),
    ("GET", "/compile", None),
    ("POST", "/simulate", {"caller": "9812345678"}),
    ("GET", "/deployment?source=draft", None),
    ("POST", "/test", None),
    ("POST", "/impact", None),
    ("GET", "/image.svg", None),
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("documents")
    url = f"sqlite:///{tmp / 'flowgraph.db'}"
    with flowgraph_server(url, args=("--seed-examples", str(EXAMPLES)), workdir=tmp) as server:
        yield server


@pytest.fixture
def api(live: ServerProcess) -> Iterator[httpx.Client]:
    with live.client() as c:
        c.headers.update(live.auth)
        yield c


def test_routers_do_not_import_each_other() -> None:
    for path in ROUTERS.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("flowgraph.server.routers"), (path.name, node.module)


@pytest.mark.parametrize("name", NAMES)
def test_compile_answers_the_compilers_plan(api: httpx.Client, name: str) -> None:
    expected = compile_flow(load_flow(EXAMPLES / f"{name}.json")).plan()
    response = api.get(f"/api/flows/{name}/compile")
    assert response.status_code == 200, response.text
    assert response.json()["plan"] == expected  # the typed answer leaves out what the plan leaves out


@pytest.mark.parametrize("name", NAMES)
def test_simulate_answers_the_simulators_events(api: httpx.Client, name: str) -> None:
    flow = load_flow(EXAMPLES / f"{name}.json")
    fixture = json.loads((ROOT / "tests" / "fixtures" / "simulate" / f"{name}.json").read_text())
    for case in fixture["cases"]:
        script = case["script"]
        body = {
            k: v for k, v in script.items() if k in ("caller", "dialled", "presses", "answers", "lookups")
        }
        body["start"] = script.get("at", "2026-11-26 10:00").replace(" ", "T")
        response = api.post(f"/api/flows/{name}/simulate", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["events"] == simulate(flow, script_from(script)).to_json()["events"]


@pytest.mark.parametrize(("method", "tail", "body"), DRAFT_ROUTES)
def test_an_unknown_flow_is_404_on_every_route(
    api: httpx.Client, method: str, tail: str, body: object
) -> None:
    response = api.request(method, f"/api/flows/nosuch{tail}", json=body)
    assert response.status_code == 404, response.text
    assert "nosuch" in response.json()["detail"]


@pytest.mark.parametrize(("method", "tail", "body"), DRAFT_ROUTES)
def test_a_stored_draft_that_is_no_flow_is_422_naming_the_node(
    live: ServerProcess, api: httpx.Client, method: str, tail: str, body: object
) -> None:
    # Written straight into the database (the API refuses such a save): a node type this
    # build does not know, as a document stored by a newer build would have.
    doc = example("number_masking") | {"id": "newer"}
    doc["nodes"] = [*doc["nodes"], {"id": "arm", "type": "teleport"}]
    engine = make_engine(live.database_url)
    try:
        store = FlowStore(engine)
        if not any(r.id == "newer" for r in store.list_flows()):
            store.create(doc)
    finally:
        engine.dispose()
    response = api.request(method, f"/api/flows/newer{tail}", json=body)
    assert response.status_code == 422, response.text
    answer = response.json()
    assert "flow 'newer'" in answer["detail"]
    assert any("nodes[" in p["path"] for p in answer["problems"]), answer


def test_published_routes_say_when_nothing_is_published(api: httpx.Client) -> None:
    doc = example("regional_routing") | {"id": "draft_only"}
    assert api.post("/api/flows", json=doc).status_code == 201
    for response in (
        api.get("/api/flows/draft_only/published"),
        api.post("/api/flows/draft_only/simulate", json={"caller": "9812345678", "source": "published"}),
        api.get("/api/flows/draft_only/deployment?source=published"),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["detail"] == "flow 'draft_only' is not published"
    assert api.get("/api/flows/nosuch/published").json()["detail"] != "flow 'nosuch' is not published"
    live_version = api.get("/api/flows/regional_routing/published").json()
    assert live_version["live"] and live_version["flow"]["id"] == "regional_routing"
