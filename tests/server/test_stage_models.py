"""The typed API edges (``flowgraph/server/stage_models.py``): the plan and journey-event models
describe exactly what the compiler and the simulator produce, for every example, and the OpenAPI
schema types ``/compile``'s plan and ``/simulate``'s events with them."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError

from flowgraph.compile.compiler import compile_flow
from flowgraph.compile.deploy import deployment_sheet
from flowgraph.load import flow_from_data, load_flow
from flowgraph.server.stage_models import DeploymentOut, JourneyEvent, PlanOut
from flowgraph.simulate.platform import CallScript
from flowgraph.simulate.simulator import simulate
from tests.test_simulate import script_from

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
SIMULATE_FIXTURES = ROOT / "tests" / "fixtures" / "simulate"
EVENTS = TypeAdapter(list[JourneyEvent])


def plan_of(example: Path) -> dict[str, Any]:
    return compile_flow(load_flow(example)).plan()


def dumped(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan through the model, as the API sends it (aliases, left-out keys left out)."""
    return PlanOut.model_validate(plan).model_dump(mode="json", by_alias=True)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_plan_model_round_trips_every_example(example: Path) -> None:
    for mode in ("per_step", "single"):
        doc = json.loads(example.read_text())
        doc["settings"]["deployment"]["mode"] = mode
        plan = compile_flow(flow_from_data(doc)).plan()
        assert dumped(plan) == plan, (example.stem, mode)


#: One flow with every node type, condition kind and lookup source (the examples lack some).
EVERY_KIND: dict[str, Any] = {
    "id": "every_kind",
    "entry": "ab",
    "tables": {"vip": {"columns": ["tier"], "rows": {"9812345678": {"tier": "gold"}}}},
    "settings": {"failover": {"type": "ivr", "data": ["22590"]}},
    "nodes": [
        {
            "id": "by_caller",
            "type": "switch",
            "cases": [
                {"branch": "a", "when": {"on": "caller", "prefixes": ["98"], "numbers": ["9000011111"]}}
            ],
            "branches": {"a": "greet", "default": "by_time"},
        },
        {
            "id": "by_time",
            "type": "switch",
            "cases": [
                {"branch": "open", "when": {"on": "time", "days": ["mon"], "from": "09:00", "to": "18:00"}}
            ],
            "branches": {"open": "greet", "default": "by_table"},
        },
        {
            "id": "by_table",
            "type": "switch",
            "cases": [{"branch": "vip", "when": {"on": "table", "table": "vip"}}],
            "branches": {"vip": "greet", "default": "crm"},
        },
        {
            "id": "crm",
            "type": "lookup",
            "source": {"kind": "http", "url": "https://crm.example.com/who?n={{caller_id_number}}"},
            "branches": {"found": "by_var", "not_found": "portal", "error": "portal"},
        },
        {
            "id": "by_var",
            "type": "switch",
            "cases": [
                {"branch": "agent", "when": {"on": "variable", "variable": "crm.kind", "values": ["a"]}}
            ],
            "branches": {"agent": "to_agent", "default": "menu"},
        },
        {
            "id": "menu",
            "type": "menu",
            "recording": {"data": "2"},
            "options": ["1"],
            "branches": {"1": "to_agent", "no_input": "greet", "invalid": "greet"},
        },
        {"id": "to_agent", "type": "transfer", "transfer": "number", "targets": ["{{crm.number}}"]},
        {"id": "greet", "type": "play", "recording": {"data": "1"}, "branches": {"next": "bye"}},
        {"id": "portal", "type": "dialplan", "dialplan_id": "12345"},
        {"id": "bye", "type": "hangup"},
        {
            "id": "ab",
            "type": "split",
            "arms": [{"branch": "a", "share": 50}, {"branch": "b", "share": 50}],
            "branches": {"a": "by_caller", "b": "by_caller"},
        },
    ],
}


def test_the_plan_model_round_trips_every_op_kind_and_condition() -> None:
    plan = compile_flow(flow_from_data(EVERY_KIND)).plan()
    ops = [op for step in plan["steps"] for op in step["ops"].values()]
    assert {op["kind"] for op in ops} == {
        "play",
        "menu",
        "transfer",
        "dialplan",
        "switch",
        "lookup",
        "hangup",
        "split",
    }
    conditions = {case["when"]["on"] for op in ops for case in op.get("cases", [])}
    assert conditions == {"caller", "time", "table", "variable"}
    assert {"emit", "template"} <= {key for op in ops for key in op}
    assert dumped(plan) == plan


def first_op(plan: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(op for s in plan["steps"] for op in s["ops"].values() if op["kind"] == kind)


def test_a_plan_the_model_does_not_describe_is_refused() -> None:
    plan = plan_of(ROOT / "examples" / "regional_routing.json")
    for change in (
        lambda p: first_op(p, "switch").update(kind="teleport"),  # an op kind added to the compiler only
        lambda p: first_op(p, "play").update(repeat=2),  # a new key on an op
        lambda p: first_op(p, "switch")["cases"][0]["when"].update(on="holiday"),
        lambda p: p["steps"][0].pop("dialplan_id"),  # a key the compiler stopped sending
    ):
        broken = copy.deepcopy(plan)
        change(broken)
        with pytest.raises(ValidationError):
            PlanOut.model_validate(broken)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_event_model_round_trips_every_golden_journey(example: Path) -> None:
    flow = load_flow(example)
    for case in json.loads((SIMULATE_FIXTURES / example.name).read_text())["cases"]:
        events = simulate(flow, script_from(case["script"])).to_json()["events"]
        assert EVENTS.dump_python(EVENTS.validate_python(events), mode="json") == events, case["name"]


#: Calls through EVERY_KIND on a Sunday that end in every way (lookups, presses, caller).
EVERY_END = [
    ({}, [], "9812345678"),  # play, hangup
    ({"crm": "not_found"}, [], "9111111111"),  # handoff
    ({"crm": {"kind": "a", "number": "9876543210"}}, [], "9111111111"),  # transfer
    ({"crm": {"kind": "b"}}, ["1"], "9111111111"),  # prompt, failover (no number to transfer to)
]


def test_every_event_kind_round_trips_and_unknown_fields_are_refused() -> None:
    flow = flow_from_data(EVERY_KIND)
    seen = set()
    for lookups, presses, caller in EVERY_END:
        script = CallScript(caller=caller, start=datetime(2026, 11, 29, 10), presses=presses, lookups=lookups)
        events = simulate(flow, script).to_json()["events"]
        assert EVENTS.dump_python(EVENTS.validate_python(events), mode="json") == events
        seen |= {e["event"] for e in events}
    assert seen == {"play", "prompt", "transfer", "handoff", "hangup", "failover"}
    with pytest.raises(ValidationError):
        EVENTS.validate_python([{"event": "play", "type": "system", "data": "1", "volume": 3}])
    with pytest.raises(ValidationError):
        EVENTS.validate_python([{"event": "ring"}])


def test_openapi_types_the_plan_and_the_events(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["CompileOut"]["properties"]["plan"] == {"$ref": "#/components/schemas/PlanOut"}
    op = schemas["StepPlan"]["properties"]["ops"]["additionalProperties"]
    assert op["discriminator"]["propertyName"] == "kind"
    assert set(op["discriminator"]["mapping"]) == {
        "play",
        "menu",
        "transfer",
        "dialplan",
        "switch",
        "lookup",
        "hangup",
        "split",
    }
    events = schemas["JourneyOut"]["properties"]["events"]["items"]
    assert events["discriminator"]["propertyName"] == "event"
    # A key the stage may leave out is optional, never null.
    assert "next" not in schemas["PlayOp"].get("required", [])
    assert schemas["PlayOp"]["properties"]["next"]["type"] == "string"
    assert schemas["PromptEvent"]["properties"]["pressed"]["anyOf"][1] == {"type": "null"}


# --- the deployment sheet ----------------------------------------------------------------


def as_starlette_writes(value: Any) -> bytes:
    """JSON as the routes wrote an untyped dict (starlette's JSONResponse)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_deployment_model_round_trips_every_example(example: Path) -> None:
    compiled = compile_flow(load_flow(example))
    for mode in ("per_step", "single"):
        sheet = deployment_sheet(compiled, "https://calls.example.com", mode)
        # What the route adds: where the sheet comes from, and the secret in place of the placeholder.
        sheet |= {"source": "draft", "published_version": None, "draft_differs": True}
        sheet["header"] = {"name": compiled.secret_header, "value": "s3cret"}
        assert DeploymentOut.model_validate(sheet).model_dump(mode="json") == sheet, (example.stem, mode)
    with pytest.raises(ValidationError, match="extra"):
        DeploymentOut.model_validate(sheet | {"qr_code": ""})
    with pytest.raises(ValidationError, match="source"):
        DeploymentOut.model_validate(sheet | {"source": "staging"})


def test_the_deployment_route_sends_the_sheet_as_before(client: TestClient) -> None:
    doc = json.loads((ROOT / "examples" / "nested_three_steps.json").read_text())
    doc["tests"] = []
    assert client.post("/api/flows", json=doc).status_code == 201
    state = client.app.state.flowgraph
    secret = state.flows.secret("nested_three_steps")
    for query, source in (("", "draft"), ("?mode=single&source=draft", "draft")):
        got = client.get(f"/api/flows/nested_three_steps/deployment{query}")
        mode = "single" if "single" in query else None
        sheet = deployment_sheet(compile_flow(flow_from_data(doc)), "http://testserver/", mode)
        sheet |= {"source": source, "published_version": None, "draft_differs": True}
        for dialplan in sheet["dialplans"]:
            dialplan["header"] = {"name": dialplan["header"]["name"], "value": secret}
        sheet["header"] = {"name": "X-Flowgraph-Secret", "value": secret}
        assert got.content == as_starlette_writes(sheet)
    assert client.post("/api/flows/nested_three_steps/publish", json={}).status_code == 201
    live = client.get("/api/flows/nested_three_steps/deployment").json()
    assert (live["source"], live["published_version"], live["draft_differs"]) == ("published", 1, False)


def test_openapi_types_the_deployment_sheet(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    answer = spec["paths"]["/api/flows/{flow_id}/deployment"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/DeploymentOut"}
    dialplan = spec["components"]["schemas"]["PortalDialplanOut"]["properties"]
    assert dialplan["failover"] == {"$ref": "#/components/schemas/Destination"}
