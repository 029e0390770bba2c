"""What a flow does, without changing anything: ``/check`` (diagnostics), ``/compile`` (the plan),
``/simulate`` (one scripted call) and ``/deployment`` (what to create in the portal)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request

from flowgraph.compile.compiler import compile_flow, flow_version
from flowgraph.compile.deploy import deployment_sheet
from flowgraph.load import flow_from_data
from flowgraph.model import Flow
from flowgraph.server import worker
from flowgraph.server.deps import AppState, get_state, require_admin
from flowgraph.server.routers.flows import COMMON_ERRORS
from flowgraph.server.schemas import (
    FLOW_BODY,
    CheckOut,
    CompileOut,
    DiagnosticOut,
    ErrorOut,
    ExchangeOut,
    JourneyOut,
    SimulateIn,
    StepOut,
)
from flowgraph.simulate.interpret import CallScript
from flowgraph.simulate.simulator import simulate
from flowgraph.store.flows import VersionNotFound

router = APIRouter(
    prefix="/api", tags=["tools"], dependencies=[Depends(require_admin)], responses=COMMON_ERRORS
)

COMPILE_ERRORS: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "The flow has errors (see diagnostics)"},
}


def draft_of(state: AppState, flow_id: str) -> Flow:
    """The stored draft of a flow as a :class:`Flow`."""
    return flow_from_data(state.flows.get(flow_id).draft, f"flow '{flow_id}'")


@router.get("/flows/{flow_id}/check", summary="Check the saved draft", response_model=CheckOut)
def check_draft(flow_id: str, state: AppState = Depends(get_state)) -> CheckOut:
    """Every diagnostic of the stored draft (errors block publishing, warnings do not)."""
    report = worker.run(
        worker.check_report, state.flows.get(flow_id).draft, f"flow '{flow_id}'", None, False, None
    )
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
def compile_draft(flow_id: str, state: AppState = Depends(get_state)) -> CompileOut:
    """The draft's compiled plan (steps, ops, failover) and its version hash; 409 with errors."""
    compiled = compile_flow(draft_of(state, flow_id))
    return CompileOut(
        version=compiled.version,
        plan=compiled.plan(),
        diagnostics=[DiagnosticOut.of(d) for d in compiled.warnings],
    )


@router.post(
    "/flows/{flow_id}/simulate",
    summary="Simulate one call",
    response_model=JourneyOut,
    responses={**COMPILE_ERRORS, 400: {"model": ErrorOut, "description": "The script lacks something"}},
)
def simulate_call(flow_id: str, body: SimulateIn, state: AppState = Depends(get_state)) -> JourneyOut:
    """Run a scripted call through the compiled steps, the emitted JSON and the platform emulator
    (the draft by default, or the live version); no network, nothing stored."""
    flow = draft_of(state, flow_id) if body.source == "draft" else _published(state, flow_id)
    script = CallScript(
        caller=body.caller,
        dialled=body.dialled,
        presses=list(body.presses),
        answers=list(body.answers),
        lookups=dict(body.lookups),
    )
    if body.start is not None:
        script.start = body.start
    journey = simulate(flow, script, mode=body.mode)
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
    return JourneyOut(
        events=out["events"], path=out["path"], describe=journey.describe(), exchanges=exchanges
    )


def _published(state: AppState, flow_id: str) -> Flow:
    version = state.flows.published(flow_id)
    if version is None:
        state.flows.get(flow_id)
        raise VersionNotFound(f"flow '{flow_id}' is not published")
    return flow_from_data(version.flow, f"flow '{flow_id}' version {version.number}")


@router.get(
    "/flows/{flow_id}/deployment",
    summary="The deployment sheet, with the secret",
    responses=COMPILE_ERRORS,
)
def deployment(
    flow_id: str,
    request: Request,
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
    live = state.flows.published(flow_id)
    use_live = source == "published" or (source == "live" and live is not None)
    flow = _published(state, flow_id) if use_live else draft_of(state, flow_id)
    base_url = state.settings.public_url or str(request.base_url)
    sheet = deployment_sheet(compile_flow(flow), base_url, mode)
    draft = draft_of(state, flow_id)
    sheet["source"] = "published" if use_live else "draft"
    sheet["published_version"] = live.number if live is not None else None
    sheet["draft_differs"] = live is None or flow_version(draft) != live.hash
    secret = state.flows.secret(flow_id)
    for dialplan in sheet["dialplans"]:
        dialplan["header"] = {"name": dialplan["header"]["name"], "value": secret}
    sheet["header"] = {"name": flow.settings.deployment.secret_header, "value": secret}
    return sheet
