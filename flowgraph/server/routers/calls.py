"""The call log, per flow and per call (``/calls``), and traffic counts over a window (``/stats``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from flowgraph.pictures.traffic import TrafficError, traffic_stats
from flowgraph.pictures.windows import window_start
from flowgraph.server.deps import AppState, call_log, get_state, require_admin
from flowgraph.server.documents import stored_draft
from flowgraph.server.errors import BadRequest
from flowgraph.server.log_models import CallRecordOut, StatsOut
from flowgraph.server.schemas import COMMON_ERRORS, ErrorOut
from flowgraph.store.calls import calls_for_call, iter_calls

router = APIRouter(
    prefix="/api", tags=["calls"], dependencies=[Depends(require_admin)], responses=COMMON_ERRORS
)
# The answers are validated by their models (log_models.py), then written by the json module
# (response_class=JSONResponse), as before they were typed: pydantic's own JSON writer would
# spell some floats of the platform's variables differently (1e-05 as 0.00001).


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    return value.timestamp() if value.tzinfo else value.replace(tzinfo=UTC).timestamp()


@router.get(
    "/flows/{flow_id}/calls",
    summary="Query the call log",
    response_model=list[CallRecordOut],
    response_class=JSONResponse,
)
def list_calls(
    flow_id: str,
    since: datetime | None = Query(None, description="From this time (ISO 8601; naive means UTC)"),
    until: datetime | None = Query(None, description="Before this time"),
    call_id: str | None = Query(None, max_length=200, description="Only this call's requests"),
    version: str | None = Query(
        None, max_length=64, description="Only requests this flow version answered (its 12-hex hash)"
    ),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    state: AppState = Depends(get_state),
) -> list[dict[str, Any]]:
    """The flow's call-log records, newest first: time, call id, version, step, variables received,
    response sent, latency, failover reason, trace."""
    state.flows.get(flow_id, include_deleted=True)
    if any(v is not None and "\x00" in v for v in (call_id, version)):
        return []  # no call id or version holds NUL (and PostgreSQL cannot compare one)
    return call_log(state).records(
        flow_id, call_id=call_id, since=since, until=until, limit=limit, offset=offset, version=version
    )


@router.get(
    "/flows/{flow_id}/calls/{call_id}",
    summary="One call's journey",
    response_model=list[CallRecordOut],
    response_class=JSONResponse,
)
def call_journey(flow_id: str, call_id: str, state: AppState = Depends(get_state)) -> list[dict[str, Any]]:
    """Every request of one call (matched on call id or uuid), oldest first."""
    state.flows.get(flow_id, include_deleted=True)
    if "\x00" in call_id:
        return []
    return calls_for_call(call_log(state), call_id, flow_id)


@router.get(
    "/flows/{flow_id}/stats",
    summary="Traffic counts per node and branch",
    response_model=StatsOut,
    response_class=JSONResponse,
    responses={400: {"model": ErrorOut, "description": "The window is not like 30m, 24h or 7d"}},
)
def stats(
    flow_id: str,
    window: str | None = Query(
        "24h", description="Trailing window such as 30m, 24h, 7d (ignored with since)"
    ),
    since: datetime | None = Query(None, description="From this time (ISO 8601)"),
    until: datetime | None = Query(None, description="Before this time"),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Counts of calls, requests, failovers, per node (visits, ended, failovers), per edge, per
    split arm (its calls and how they ended) and per rule deciding a switch's dated time cases,
    in the format the renderer and the editor overlay (``flowgraph.traffic/2``). Node kinds come from the draft, so a transfer's
    fall-through counts only where a later request proves it."""
    draft = stored_draft(state.flows, flow_id, include_deleted=True)
    by_window = since is None and bool(window)
    if by_window:
        try:
            since = window_start(window or "")
        except TrafficError as exc:
            raise BadRequest(str(exc)) from None
    records = iter_calls(call_log(state), flow_id, since=_epoch(since), until=_epoch(until))
    return traffic_stats(records, since=since, kinds=draft.kinds(), window=window if by_window else None)
