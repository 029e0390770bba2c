"""Pictures for review: a flow (draft or a published version), its traffic, and version diffs.

Each route loads the flow document(s) from the store and has the management worker process
(``server/worker.py``) call :func:`flowgraph.pictures.render.render_flow` or :func:`flowgraph.pictures.diff.render_diff`,
so drawing a big flow never stalls live answers; no drawing logic lives here.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from flowgraph.pictures.render import PictureError
from flowgraph.pictures.traffic import Traffic, TrafficError
from flowgraph.pictures.windows import window_start
from flowgraph.server import worker
from flowgraph.server.deps import AppState, call_log, get_state, require_admin
from flowgraph.server.documents import StoredFlow, stored_draft, stored_version
from flowgraph.server.errors import BadRequest, ServiceUnavailable
from flowgraph.server.schemas import COMMON_ERRORS, ErrorOut
from flowgraph.store.calls import iter_calls

MEDIA = {"svg": "image/svg+xml", "png": "image/png"}
IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **COMMON_ERRORS,
    200: {"content": {"image/svg+xml": {}, "image/png": {}}, "description": "The picture"},
    400: {"model": ErrorOut, "description": "Bad traffic window, or no version to diff from"},
    422: {"model": ErrorOut, "description": "The stored document is not a valid flow"},
    503: {"model": ErrorOut, "description": "Graphviz could not draw the picture"},
}

router = APIRouter(
    prefix="/api", tags=["images"], dependencies=[Depends(require_admin)], responses=IMAGE_RESPONSES
)


def stored_document(state: AppState, flow_id: str, version: int | None) -> StoredFlow:
    """The draft (``version`` None) or a published version."""
    if version is None:
        return stored_draft(state.flows, flow_id)
    return stored_version(state.flows, flow_id, version)


def recent_traffic(state: AppState, stored: StoredFlow, window: str) -> Traffic:
    """Counts from the call log over a trailing window such as ``24h``; for a published
    version, only the calls that version served (the call log records its hash)."""
    try:
        since = window_start(window)
    except TrafficError as exc:
        raise BadRequest(str(exc)) from None
    served = stored.record.hash if stored.record is not None else None
    records = iter_calls(call_log(state), stored.id, since=since.astimezone(UTC).timestamp())
    return Traffic.from_records(records, since=since, kinds=stored.kinds(), version=served, window=window)


def picture(data: Any, fmt: str) -> Response:
    return Response(content=data, media_type=MEDIA[fmt], headers={"Cache-Control": "no-store"})


def _image(
    state: AppState, flow_id: str, fmt: str, version: int | None, traffic: str | None, diagnostics: bool
) -> Response:
    stored = stored_document(state, flow_id, version)
    overlay = recent_traffic(state, stored, traffic) if traffic else None
    options = {"show_diagnostics": diagnostics, "traffic": overlay, "version_label": stored.label}
    try:
        # Validating, checking and laying out a big flow would stall live answers: a worker draws.
        data = worker.run(worker.render_document, stored.document, stored.source, fmt, options)
    except PictureError as exc:
        raise ServiceUnavailable(str(exc)) from None
    return picture(data, fmt)


# A string, so that the README's ``image.png?version=&traffic=24h`` (empty: the draft) works.
VERSION_Q = Query(
    None,
    pattern=r"^([1-9][0-9]{0,8})?$",
    description="A published version number (empty or absent: the draft)",
)
TRAFFIC_Q = Query(None, max_length=16, description="Overlay call counts over a trailing window, e.g. 24h")
DIAGNOSTICS_Q = Query(True, description="Mark errors and warnings (diagnostics=0 hides them)")


@router.get("/flows/{flow_id}/image.svg", summary="Picture of a flow (SVG)", response_class=Response)
def image_svg(
    flow_id: str,
    version: str | None = VERSION_Q,
    traffic: str | None = TRAFFIC_Q,
    diagnostics: bool = DIAGNOSTICS_Q,
    state: AppState = Depends(get_state),
) -> Response:
    """The flow drawn with its API dialplan steps, diagnostics and optionally recent traffic."""
    return _image(state, flow_id, "svg", int(version) if version else None, traffic, diagnostics)


@router.get("/flows/{flow_id}/image.png", summary="Picture of a flow (PNG)", response_class=Response)
def image_png(
    flow_id: str,
    version: str | None = VERSION_Q,
    traffic: str | None = TRAFFIC_Q,
    diagnostics: bool = DIAGNOSTICS_Q,
    state: AppState = Depends(get_state),
) -> Response:
    """The same picture as ``image.svg``, as PNG."""
    return _image(state, flow_id, "png", int(version) if version else None, traffic, diagnostics)


@router.get(
    "/flows/{flow_id}/diff.svg", summary="Picture of the changes between versions", response_class=Response
)
def diff_svg(
    flow_id: str,
    from_version: int | None = Query(None, alias="from", ge=1, description="Default: the live version"),
    to_version: int | None = Query(None, alias="to", ge=1, description="Default: the draft"),
    traffic: str | None = Query(
        None,
        max_length=16,
        description="Shade the changed branches by the calls the 'from' version answered over a "
        "trailing window, e.g. 7d",
    ),
    state: AppState = Depends(get_state),
) -> Response:
    """Added nodes and edges in green, removed ones as red ghosts, changed nodes in amber; with
    ``traffic``, each changed branch says how many calls took it and is drawn thicker the more did."""
    if from_version is None:
        from_version = state.flows.get(flow_id).published_version
        if from_version is None:
            raise BadRequest(f"flow '{flow_id}' is not published; give ?from=<version>")
    old, new = (stored_document(state, flow_id, v) for v in (from_version, to_version))
    counts = recent_traffic(state, old, traffic) if traffic else None
    try:
        data = worker.run(
            worker.render_diff_documents,
            (old.document, old.source, old.label),
            (new.document, new.source, new.label),
            counts,
        )
    except PictureError as exc:
        raise ServiceUnavailable(str(exc)) from None
    return picture(data, "svg")
