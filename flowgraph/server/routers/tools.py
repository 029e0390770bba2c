"""What a flow does, without changing anything: ``/check`` (diagnostics), ``/compile`` (the plan),
``/simulate`` (one scripted call) and ``/deployment`` (what to create in the portal)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request

from flowgraph.compile.compiler import compile_flow, flow_version
from flowgraph.compile.deploy import deployment_sheet
from flowgraph.server import worker
from flowgraph.server.deps import AppState, DraftDep, FlowDep, get_state, require_admin
from flowgraph.server.documents import published_or_none, stored_published
from flowgraph.server.schemas import (
    COMMON_ERRORS,
    FLOW_BODY,
    CheckOut,
    CompileOut,
    DiagnosticOut,
    ErrorOut,
    ExchangeOut,
    JourneyOut,
    PlanOut,
    SimulateIn,
    StepOut,
)
from flowgraph.server.stage_models import DeploymentOut
from flowgraph.simulate.interpret import CallScript
from flowgraph.simulate.simulator import simulate

router = APIRouter(
    prefix="/api", tags=["tools"], dependencies=[Depends(require_admin)], responses=COMMON_ERRORS
)

COMPILE_ERRORS: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "The flow has errors (see diagnostics)"},
}


@router.get("/flows/{flow_id}/check", summary="Check the saved draft", response_model=CheckOut)
def check_draft(draft: DraftDep) -> CheckOut:
    """Every diagnostic of the stored draft (errors block publishing, warnings do not)."""
    report = worker.run(worker.check_report, draft.document, draft.source, None, False, None)
    return CheckOut.of(report["diagnostics"])


@router.post(
    "/flows/{flow_id}/check",
    summary="Check an unsaved document",
    response_model=CheckOut,
    responses={422: {"model": ErrorOut, "description": "Not a valid flow document"}},
    openapi_extra=FLOW_BODY,
)
def check_document(
    flow_id: str,
    body: Any = Body(...),
    steps: bool = Query(False, description="Also partition the document into steps (never a 409)"),
    state: AppState = Depends(get_state),
) -> CheckOut:
    """Diagnostics of the document in the body (the editor's live check); nothing is stored.

    ``steps=true`` adds the partition, which works on drafts with errors: the editor shades the
    steps while the admin is still wiring, where ``/compile`` would answer 409."""
    state.flows.get(flow_id)
    # Checking a big document would stall live answers: the management worker process does it.
    max_nodes = state.settings.max_flow_nodes
    report = worker.run(worker.check_report, body, "request body", flow_id, steps, max_nodes)
    out = CheckOut.of(report["diagnostics"])
    if steps:
        out.steps = [StepOut(id=s, depth=depth, nodes=nodes) for s, depth, nodes in report["steps"]]
        out.nesting_limit = report["nesting_limit"]
        out.version = report["version"]
    return out


@router.get(
    "/flows/{flow_id}/compile",
    summary="Compile the draft",
    response_model=CompileOut,
    responses=COMPILE_ERRORS,
)
def compile_draft(flow: FlowDep) -> CompileOut:
    """The draft's compiled plan (steps, ops, failover) and its version hash; 409 with errors."""
    compiled = compile_flow(flow)
    return CompileOut(
        version=compiled.version,
        plan=PlanOut.model_validate(compiled.plan()),
        diagnostics=[DiagnosticOut.of(d) for d in compiled.warnings],
    )


@router.post(
    "/flows/{flow_id}/simulate",
    summary="Simulate one call",
    response_model=JourneyOut,
    responses={**COMPILE_ERRORS, 400: {"model": ErrorOut, "description": "The script lacks something"}},
)
def simulate_call(
    flow_id: str, body: SimulateIn, draft: DraftDep, state: AppState = Depends(get_state)
) -> JourneyOut:
    """Run a scripted call through the compiled steps, the emitted JSON and the platform emulator
    (the draft by default, or the live version); no network, nothing stored.

    Server tables (lookups and holiday calendars) are read as a live call reads them: this
    server's live versions, a table it lacks failing a lookup over; ``notes`` names each version
    read and each table missing."""
    stored = draft if body.source == "draft" else stored_published(state.flows, flow_id)
    flow = stored.flow()
    script = CallScript(
        caller=body.caller,
        dialled=body.dialled,
        presses=list(body.presses),
        answers=list(body.answers),
        lookups=dict(body.lookups),
    )
    if body.start is not None:
        script.start = body.start
    live = state.dialplan.tables if state.dialplan is not None else None
    journey = simulate(
        flow, script, mode=body.mode, tables=live.tables.versions if live is not None else None
    )
    out = journey.to_json()
    exchanges = [
        ExchangeOut(
            step=x.step,
            dialplan_id=x.dialplan_id,
            variables=x.variables,
            response=x.response.decode("utf-8", "replace"),
            ended=x.ended,
        )
        for x in journey.exchanges
    ]
    return JourneyOut.model_validate(
        {
            "events": out["events"],
            "path": out["path"],
            "describe": journey.describe(),
            "exchanges": exchanges,
            "notes": journey.notes,
        }
    )


@router.get(
    "/flows/{flow_id}/deployment",
    summary="The deployment sheet, with the secret",
    response_model=DeploymentOut,
    responses=COMPILE_ERRORS,
)
def deployment(
    flow_id: str,
    request: Request,
    draft: DraftDep,
    mode: Literal["per_step", "single"] | None = Query(None, description="Default: the flow's mode"),
    source: Literal["live", "draft", "published"] = Query(
        "live", description="live: the published version callers get (the draft if none is)"
    ),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """What to create in the portal: each API Dialplan's URL (on FLOWGRAPH_PUBLIC_URL, else this
    server's address), request body, failover, and the header carrying this flow's secret.

    By default it describes the live version (the one callers get, after a rollback too), and
    says which version that is and whether the draft differs from it.
    This authenticated answer is the one place the secret's value is shown.
    """
    live = published_or_none(state.flows, flow_id)
    if source == "published" and live is None:
        live = stored_published(state.flows, flow_id)  # raises: not published
    use_live = source != "draft" and live is not None
    draft_flow = draft.flow()
    flow = live.flow() if use_live and live is not None else draft_flow
    base_url = state.settings.public_url or str(request.base_url)
    sheet = deployment_sheet(compile_flow(flow), base_url, mode)
    sheet["source"] = "published" if use_live else "draft"
    sheet["published_version"] = live.version if live is not None else None
    sheet["draft_differs"] = (
        live is None or live.record is None or flow_version(draft_flow) != live.record.hash
    )
    secret = state.flows.secret(flow_id)
    for dialplan in sheet["dialplans"]:
        dialplan["header"] = {"name": dialplan["header"]["name"], "value": secret}
    sheet["header"] = {"name": flow.settings.deployment.secret_header, "value": secret}
    return sheet
