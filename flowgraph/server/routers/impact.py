"""``POST /api/flows/{id}/impact?since=7d``: what publishing the draft would change for callers.

The calls the call log recorded in the window are replayed against the draft
(:mod:`flowgraph.simulate.impact`) in the worker process; the report groups the calls that would now end
differently (old outcome -> new outcome, with example call keys) and counts those that could not
be replayed, with the reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query

from flowgraph.pictures.traffic import TrafficError, window_start
from flowgraph.server import worker
from flowgraph.server.deps import AppState, get_state, require_admin
from flowgraph.server.errors import BadRequest
from flowgraph.server.routers.calls import call_log
from flowgraph.server.routers.flows import COMMON_ERRORS
from flowgraph.server.schemas import ErrorOut
from flowgraph.simulate.impact import impact_json
from flowgraph.store.calls import iter_calls

router = APIRouter(
    prefix="/api", tags=["tools"], dependencies=[Depends(require_admin)], responses=COMMON_ERRORS
)


@router.post(
    "/flows/{flow_id}/impact",
    summary="Replay recorded calls against the draft",
    responses={
        400: {"model": ErrorOut, "description": "The window is not like 30m, 24h or 7d"},
        409: {"model": ErrorOut, "description": "The draft has errors (see diagnostics)"},
    },
)
def publish_impact(
    flow_id: str,
    since: str = Query("7d", description="Trailing window of recorded calls, such as 24h or 7d"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """``{replayed, changed, groups: [{old, new, calls, examples}], not_replayed: [{reason, calls}]}``."""
    draft = state.flows.get(flow_id).draft
    try:
        start: datetime = window_start(since)
    except TrafficError as exc:
        raise BadRequest(str(exc)) from None
    records = list(iter_calls(call_log(state), flow_id, since=start.timestamp()))
    report: dict[str, Any] = worker.run(impact_json, draft, f"flow '{flow_id}'", records)
    report["since"] = since
    return report
