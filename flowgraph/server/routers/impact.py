"""``POST /api/flows/{id}/impact?since=7d``: what publishing the draft would change for callers.

The calls the call log recorded in the window are replayed against the draft
(:mod:`flowgraph.simulate.impact`) in the worker process; the report groups the calls that would now end
differently (old outcome -> new outcome, with example calls) and counts those that could not
be replayed, with the reason. The editor's *Publish* tab shows it before publishing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from flowgraph.pictures.traffic import TrafficError
from flowgraph.pictures.windows import window_start, window_words
from flowgraph.server import worker
from flowgraph.server.deps import AppState, DraftDep, call_log, get_state, require_admin
from flowgraph.server.errors import BadRequest
from flowgraph.server.schemas import COMMON_ERRORS, ErrorOut
from flowgraph.simulate.impact import impact_json
from flowgraph.store.calls import iter_calls

router = APIRouter(
    prefix="/api", tags=["tools"], dependencies=[Depends(require_admin)], responses=COMMON_ERRORS
)


class ImpactExampleOut(BaseModel):
    """One example call of a group."""

    call: str = Field(description="Its call id (or uuid): GET /calls/{call} shows its journey")
    caller: str = Field(description="The caller's number as the platform sent it ('' if none)")
    time: float | None = Field(description="When its first request arrived (epoch seconds, UTC)")


class ImpactGroupOut(BaseModel):
    """Calls that ended ``old`` under the live version and would end ``new`` under the draft."""

    old: str = Field(description="How the calls ended, e.g. 'transfer agent 05000001'")
    new: str = Field(description="How they would end now, e.g. 'transfer ivr 22590'")
    calls: int
    examples: list[ImpactExampleOut] = Field(description="Up to 5 of the calls")


class NotReplayedOut(BaseModel):
    """Calls that could not be replayed against the draft, and why."""

    reason: str
    calls: int


class ImpactOut(BaseModel):
    """The impact report of the draft over a window of recorded calls."""

    since: str = Field(description="The window asked for, e.g. 7d")
    window: str = Field(description="The window in words, e.g. 'last 7 days'")
    replayed: int = Field(description="Calls replayed against the draft")
    changed: int = Field(description="Of those, calls that would now end differently")
    groups: list[ImpactGroupOut]
    not_replayed: list[NotReplayedOut]


@router.post(
    "/flows/{flow_id}/impact",
    summary="Replay recorded calls against the draft",
    response_model=ImpactOut,
    responses={
        400: {"model": ErrorOut, "description": "The window is not like 30m, 24h or 7d"},
        409: {"model": ErrorOut, "description": "The draft has errors (see diagnostics)"},
    },
)
def publish_impact(
    flow_id: str,
    draft: DraftDep,
    since: str = Query(
        "7d", max_length=16, description="Trailing window of recorded calls, such as 24h or 7d"
    ),
    state: AppState = Depends(get_state),
) -> ImpactOut:
    """Calls replayed, the groups of calls that would now end differently (old -> new, with
    counts and examples), and the calls that could not be replayed with the reason."""
    try:
        start: datetime = window_start(since)
    except TrafficError as exc:
        raise BadRequest(str(exc)) from None
    records = list(iter_calls(call_log(state), flow_id, since=start.timestamp()))
    url = state.engine.url.render_as_string(hide_password=False)
    published = state.flows.published(flow_id)
    live = published.flow if published is not None else None
    report: dict[str, Any] = worker.run(impact_json, draft.document, draft.source, records, url, live)
    return ImpactOut.model_validate({**report, "since": since, "window": window_words(since)})
