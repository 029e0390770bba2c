"""``/api/flows``: list, create, read, update (ETag / If-Match), soft delete, restore, import, export.

Drafts are validated as flow documents on every write (422 with located problems) but may have
diagnostics: only publishing requires a flow without errors.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from fastapi.responses import JSONResponse

from flowgraph.diagnostics import FlowLoadError
from flowgraph.server.deps import AppState, get_state, require_admin
from flowgraph.server.documents import document, parse_flow
from flowgraph.server.errors import PreconditionRequired
from flowgraph.server.schemas import (
    COMMON_ERRORS,
    FLOW_BODY,
    WRITE_ERRORS,
    ErrorOut,
    FlowOut,
    FlowSummary,
    ImportOut,
)

router = APIRouter(
    prefix="/api", tags=["flows"], dependencies=[Depends(require_admin)], responses=COMMON_ERRORS
)


def _with_etag(out: FlowOut | FlowSummary, response: Response) -> None:
    response.headers["ETag"] = out.etag


@router.get("/flows", summary="List flows", response_model=list[FlowSummary])
def list_flows(
    include_deleted: bool = Query(False, description="Also list soft-deleted flows"),
    state: AppState = Depends(get_state),
) -> list[FlowSummary]:
    """Every flow (without documents), ordered by id."""
    return [FlowSummary.of(r) for r in state.flows.list_flows(include_deleted=include_deleted)]


@router.post(
    "/flows",
    summary="Create a flow",
    status_code=201,
    response_model=FlowOut,
    responses=WRITE_ERRORS,
    openapi_extra=FLOW_BODY,
)
def create_flow(response: Response, body: Any = Body(...), state: AppState = Depends(get_state)) -> FlowOut:
    """Store a new flow under its ``id``; answers its ETag for the first If-Match."""
    flow = parse_flow(body, "request body", max_nodes=state.settings.max_flow_nodes)
    out = FlowOut.of(state.flows.create(document(flow)))
    _with_etag(out, response)
    response.headers["Location"] = f"/api/flows/{out.id}"
    return out


@router.get("/flows/{flow_id}", summary="Read a flow", response_model=FlowOut)
def read_flow(flow_id: str, response: Response, state: AppState = Depends(get_state)) -> FlowOut:
    """The flow's draft document and bookkeeping; the ETag header names the draft revision."""
    out = FlowOut.of(state.flows.get(flow_id))
    _with_etag(out, response)
    return out


@router.put(
    "/flows/{flow_id}",
    summary="Save a flow's draft",
    response_model=FlowOut,
    responses={**WRITE_ERRORS, 428: {"model": ErrorOut, "description": "If-Match header missing"}},
    openapi_extra=FLOW_BODY,
)
def update_flow(
    flow_id: str,
    response: Response,
    body: Any = Body(...),
    if_match: str | None = Header(None, description='The ETag you read ("*" to overwrite anything)'),
    state: AppState = Depends(get_state),
) -> FlowOut:
    """Replace the draft if nobody saved since your ETag (else 409 and the stored flow is untouched)."""
    if not if_match:
        raise PreconditionRequired(
            f"saving flow '{flow_id}' needs an If-Match header with the ETag you read (or \"*\")"
        )
    flow = parse_flow(body, f"flow '{flow_id}'", flow_id, state.settings.max_flow_nodes)
    out = FlowOut.of(state.flows.update(flow_id, document(flow), if_match))
    _with_etag(out, response)
    return out


@router.delete(
    "/flows/{flow_id}",
    summary="Delete a flow (recoverable)",
    response_model=FlowSummary,
    responses=WRITE_ERRORS,
)
def delete_flow(
    flow_id: str,
    if_match: str | None = Header(None, description="Optional: only delete this revision"),
    state: AppState = Depends(get_state),
) -> FlowSummary:
    """Soft delete: the flow leaves lists and stops answering calls; restore brings it back."""
    out = FlowSummary.of(state.flows.delete(flow_id, if_match))
    state.notify_changed(flow_id)
    return out


@router.post("/flows/{flow_id}/restore", summary="Restore a deleted flow", response_model=FlowOut)
def restore_flow(flow_id: str, response: Response, state: AppState = Depends(get_state)) -> FlowOut:
    """Undo a delete; its published version (if any) is live again."""
    out = FlowOut.of(state.flows.restore(flow_id))
    state.notify_changed(flow_id)
    _with_etag(out, response)
    return out


@router.get(
    "/flows/{flow_id}/export",
    summary="Export a flow document",
    responses={200: {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Flow"}}}}},
)
def export_flow(flow_id: str, state: AppState = Depends(get_state)) -> JSONResponse:
    """The draft as a flow file (no secret, no bookkeeping), ready for ``flowgraph check``."""
    record = state.flows.get(flow_id)
    return JSONResponse(
        record.draft,
        headers={"Content-Disposition": f'attachment; filename="{flow_id}.json"', "ETag": record.etag},
    )


@router.post(
    "/flows/import",
    summary="Import flow documents",
    response_model=ImportOut,
    responses=WRITE_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/Flow"},
                            {"type": "array", "items": {"$ref": "#/components/schemas/Flow"}},
                        ]
                    }
                }
            },
        }
    },
)
def import_flows(
    body: Any = Body(...),
    overwrite: bool = Query(False, description="Replace the drafts of flows that exist"),
    state: AppState = Depends(get_state),
) -> ImportOut:
    """Create flows from one document or a list, all or nothing (409 on an existing id)."""
    items = body if isinstance(body, list) else [body]
    if not items:
        raise FlowLoadError("request body", [("", "expected a flow document or a non-empty list of them")])
    flows = [
        parse_flow(
            item,
            f"request body[{i}]" if isinstance(body, list) else "request body",
            max_nodes=state.settings.max_flow_nodes,
        )
        for i, item in enumerate(items)
    ]
    ids = [f.id for f in flows]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise FlowLoadError(
            "request body", [("id", f"flow id(s) repeated in the import: {', '.join(dupes)}")]
        )
    created, updated = state.flows.import_flows([document(f) for f in flows], overwrite)
    for flow_id in updated:
        state.notify_changed(flow_id)
    return ImportOut(created=created, updated=updated)
