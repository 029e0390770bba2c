"""Publishing: ``/publish`` stores an immutable version and switches live traffic in one
transaction; ``/versions`` lists and fetches them; ``/rollback`` makes an earlier one live again."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Header, Response

from flowgraph.server import worker
from flowgraph.server.deps import AppState, PublishedDep, get_state, require_admin
from flowgraph.server.schemas import (
    COMMON_ERRORS,
    DiagnosticOut,
    ErrorOut,
    PublishIn,
    PublishOut,
    RollbackIn,
    VersionOut,
    VersionSummary,
)
from flowgraph.store.flows import StaleWrite
from flowgraph.store.tables import TableStore

router = APIRouter(
    prefix="/api", tags=["versions"], dependencies=[Depends(require_admin)], responses=COMMON_ERRORS
)


@router.post(
    "/flows/{flow_id}/publish",
    summary="Publish the draft",
    response_model=PublishOut,
    status_code=201,
    responses={
        200: {"model": PublishOut, "description": "The draft equals the live version; nothing new stored"},
        409: {
            "model": ErrorOut,
            "description": "The flow has errors (diagnostics), a flow test fails (tests) or the draft moved on",
        },
        422: {"model": ErrorOut, "description": "A step's answer could exceed FLOWGRAPH_MAX_ANSWER_BYTES"},
    },
)
def publish(
    flow_id: str,
    response: Response,
    body: PublishIn | None = Body(None),
    if_match: str | None = Header(None, description="Publish only if the draft is still this ETag"),
    state: AppState = Depends(get_state),
) -> PublishOut:
    """Check and compile the draft, store it as the next version and make it live atomically.

    A flow with error diagnostics is refused with 409 and the diagnostics; nothing changes.
    """
    body = body or PublishIn()
    # The collector paused meanwhile: decoding and re-encoding a big draft would otherwise set
    # off full passes over the heap that stall live answers (server/worker.py).
    with worker.gc_paused():
        record = state.flows.get(flow_id)
        pin = if_match or body.etag
        if pin and pin.strip() != "*" and record.etag not in [t.strip() for t in pin.split(",")]:
            raise StaleWrite(flow_id, pin, record.etag)
        # Checking and compiling a big flow in this process would stall live answers: a worker does it.
        hash_, warnings = worker.run(
            worker.publish_plan,
            record.draft,
            f"flow '{flow_id}'",
            state.settings.max_answer_bytes,
            state.settings.answer_deadline_ms,
            TableStore(state.engine).catalogue(),
        )
        version, created = state.flows.publish(
            flow_id, record.draft, hash_, body.note, body.author, revision=record.revision
        )
        state.notify_changed(flow_id)
    if not created:
        response.status_code = 200
    return PublishOut(
        version=VersionSummary.of(version, live=version.number),
        created=created,
        diagnostics=[DiagnosticOut.of(d) for d in warnings],
    )


@router.get("/flows/{flow_id}/versions", summary="List versions", response_model=list[VersionSummary])
def list_versions(flow_id: str, state: AppState = Depends(get_state)) -> list[VersionSummary]:
    """Every published version, newest first; ``live`` marks the one serving calls."""
    live = state.flows.get(flow_id, include_deleted=True).published_version
    return [VersionSummary.of(v, live) for v in state.flows.versions(flow_id)]


@router.get("/flows/{flow_id}/versions/{number}", summary="Fetch a version", response_model=VersionOut)
def get_version(flow_id: str, number: int, state: AppState = Depends(get_state)) -> VersionOut:
    """One version with the flow document it froze."""
    live = state.flows.get(flow_id, include_deleted=True).published_version
    return VersionOut.with_flow(state.flows.get_version(flow_id, number), live)


@router.get(
    "/flows/{flow_id}/published",
    summary="The live version",
    response_model=VersionOut,
    responses={404: {"model": ErrorOut, "description": "Not published (or no such flow)"}},
)
def get_published(live: PublishedDep) -> VersionOut:
    """The version answering calls now, with its flow document."""
    assert live.record is not None  # a published version always has its record
    return VersionOut.with_flow(live.record, live.record.number)


@router.post(
    "/flows/{flow_id}/rollback", summary="Make an earlier version live", response_model=VersionSummary
)
def rollback(flow_id: str, body: RollbackIn, state: AppState = Depends(get_state)) -> VersionSummary:
    """Switch live traffic to version ``body.version`` in one transaction (the draft is untouched)."""
    version = state.flows.rollback(flow_id, body.version)
    state.notify_changed(flow_id)
    return VersionSummary.of(version, live=version.number)
