"""Server tables: ``GET /api/tables``, ``GET|PUT /api/tables/{name}`` (CSV or JSON).

``GET /api/tables/{name}/rows?q=&offset=&limit=`` answers one page of the live version, searched
or not (the editor's table view never loads a whole table).

``PUT`` takes the whole table (``Content-Type: application/json`` for JSON, anything else is
read as CSV, so ``curl -T customers.csv`` works); it is validated whole in the worker process
and, when valid, stored as the next version and live at once (this process loads it before
answering; other processes within their next poll). ``GET`` answers CSV unless JSON is asked
for (``Accept: application/json`` or ``?format=json``).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from flowgraph.runtime.tables import PackedRows
from flowgraph.server import worker
from flowgraph.server.deps import AppState, get_state, require_admin
from flowgraph.server.schemas import ErrorOut
from flowgraph.store.tables import TableRecord, TableStore
from flowgraph.tablefile import export_job
from flowgraph.tablesearch import MAX_MATCHES, page

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong admin token"},
    404: {"model": ErrorOut, "description": "No such table"},
    413: {"model": ErrorOut, "description": "Request body over FLOWGRAPH_MAX_API_BYTES"},
}

router = APIRouter(prefix="/api", tags=["tables"], dependencies=[Depends(require_admin)], responses=_ERRORS)

CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"


class TableSummary(BaseModel):
    """A server table's live version."""

    name: str
    version: int = Field(description="Imports of this table so far that changed it (1, 2, ...)")
    key: str = Field(description="The key column lookups match")
    columns: list[str] = Field(description="Every column, the key column first")
    rows: int
    size: int = Field(description="Bytes the packed version takes (stored, and in each server's memory)")
    text_keys: int = Field(description="Keys that are not one national number")
    updated: datetime = Field(description="When this version was imported")

    @classmethod
    def of(cls, r: TableRecord) -> TableSummary:
        return cls(
            name=r.name,
            version=r.number,
            key=r.key,
            columns=[r.key, *r.columns],
            rows=r.rows,
            size=r.size,
            text_keys=r.text_keys,
            updated=r.created_at,
        )


class TableImportOut(BaseModel):
    """What an import did: ``created`` false when the file equals the live version."""

    table: TableSummary
    created: bool


class TableDataOut(BaseModel):
    """A table as JSON (``PUT`` takes the same shape back; ``key`` optional there)."""

    name: str
    version: int
    key: str
    columns: list[str] = Field(description="Every column, the key column first")
    rows: list[list[str]] = Field(description="One list of values per row, in ``columns`` order")


class TableRowsOut(BaseModel):
    """One page of a table's live version, searched or not."""

    name: str
    version: int
    key: str
    columns: list[str] = Field(description="Every column, the key column first")
    total: int = Field(description="Rows that match (every row without a query)")
    more: bool = Field(
        description=f"The search stopped at {MAX_MATCHES:,} matches in a column: more rows than "
        "`total` match (narrow the search)"
    )
    offset: int
    rows: list[list[str]] = Field(description="This page's rows, in key order, in ``columns`` order")


def _wants_json(request: Request, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "json"
    accept = request.headers.get("accept", "")
    return JSON_TYPE in accept and "text/csv" not in accept


def _notify(state: AppState, name: str) -> None:
    hub = state.dialplan
    if hub is not None and getattr(hub, "tables", None) is not None:
        hub.tables.invalidate(name)


@router.get("/tables", summary="List server tables", response_model=list[TableSummary])
def list_tables(state: AppState = Depends(get_state)) -> list[TableSummary]:
    """Every server table's live version: name, version, rows, columns, when it was imported."""
    return [TableSummary.of(r) for r in TableStore(state.engine).list()]


@router.get(
    "/tables/{name}",
    summary="Export a server table",
    response_class=Response,
    responses={
        200: {
            "model": TableDataOut,
            "description": "The live version: CSV (default) or JSON",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def export_table(
    name: str,
    request: Request,
    format: Literal["csv", "json"] | None = Query(None, description="Overrides the Accept header"),
    state: AppState = Depends(get_state),
) -> Response:
    """The live version whole: keys in the form lookups compare (a number's 10 digits), rows in
    key order. Importing the answer again changes nothing."""
    store = TableStore(state.engine)
    record = store.live(name)
    as_json = _wants_json(request, format)
    body = worker.run(
        export_job, record.name, record.number, record.key, store.data(name, record.number), as_json
    )
    headers = {"X-Table-Version": str(record.number)}
    return Response(body, media_type=JSON_TYPE if as_json else CSV_TYPE, headers=headers)


@router.get("/tables/{name}/rows", summary="Search a server table", response_model=TableRowsOut)
def table_rows(
    name: str,
    q: str = Query(
        "", max_length=200, description="Text a key or value contains (ASCII letters in any case)"
    ),
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=500),
    state: AppState = Depends(get_state),
) -> TableRowsOut:
    """One page of the live version's rows, in key order: all of them, or those whose key or a
    value contains ``q`` (a number written another way, ``+91 98765 43210``, finds its key too)."""
    store = TableStore(state.engine)
    record = store.live(name)
    rows = _live_rows(state, record)
    if rows is None:
        rows = PackedRows.from_bytes(store.data(name, record.number))
    found = page(rows, q, offset, limit)
    return TableRowsOut(
        name=record.name,
        version=record.number,
        key=record.key,
        columns=[record.key, *record.columns],
        total=found.total,
        more=found.more,
        offset=offset,
        rows=found.rows,
    )


def _live_rows(state: AppState, record: TableRecord) -> PackedRows | None:
    """The version this process serves calls from, when it is ``record`` (no database read)."""
    live = getattr(state.dialplan, "tables", None)
    version = live.tables.versions.get(record.name) if live is not None else None
    return version.rows if version is not None and version.number == record.number else None


@router.put(
    "/tables/{name}",
    summary="Import a server table",
    response_model=TableImportOut,
    status_code=201,
    responses={
        200: {"model": TableImportOut, "description": "The file equals the live version; nothing stored"},
        422: {
            "model": ErrorOut,
            "description": "Invalid file: nothing changed; problems name line and column",
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                JSON_TYPE: {"schema": {"$ref": "#/components/schemas/TableDataOut"}},
            },
        }
    },
)
async def import_table(
    name: str,
    request: Request,
    response: Response,
    key: str | None = Query(None, description="The key column (default: the first column)"),
    allow_empty: bool = Query(
        False, description="Store a file without rows even while a published flow reads the table"
    ),
    state: AppState = Depends(get_state),
) -> TableImportOut:
    """Validate the whole file (ragged rows, empty or repeated keys, keys that are not numbers
    where a published flow matches callers' numbers) and store it as the next version, live at
    once. An invalid file changes nothing: 422 with every problem's line and column."""
    data = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = "json" if content_type == JSON_TYPE or content_type.endswith("+json") else "csv"
    store = TableStore(state.engine)
    record, created = await asyncio.to_thread(
        store.import_file, name, data, fmt, key, worker.run, None, allow_empty
    )
    if created:
        await asyncio.to_thread(_notify, state, name)
    else:
        response.status_code = 200
    return TableImportOut(table=TableSummary.of(record), created=created)
