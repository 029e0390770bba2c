"""The one place that maps exceptions to HTTP statuses for the management API.

Every error answer is JSON ``{"detail": "<one line>", ...}``; located problems and diagnostics
ride along so a client can point at the node or field. Unexpected exceptions become a 500 with
no traceback in the answer (it goes to the log).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from flowgraph.diagnostics import CompileError, FlowgraphError, FlowLoadError
from flowgraph.server.deps import Unauthorized
from flowgraph.settings import SettingsError
from flowgraph.simulate.flowtests import FlowTestsFailed
from flowgraph.store.db import DatabaseError
from flowgraph.store.flows import FlowExists, FlowNotFound, StaleWrite, VersionNotFound
from flowgraph.store.tables import TableNameInvalid, TableNotFound

log = logging.getLogger("flowgraph.server")


class PreconditionRequired(FlowgraphError):
    """A write that needs ``If-Match`` came without it (428)."""


class BadRequest(FlowgraphError):
    """The request is well-formed JSON but asks for something inconsistent (400)."""


class ServiceUnavailable(FlowgraphError):
    """A part the request needs is not available in this build or deployment (503)."""


def problem(status: int, detail: str, **extra: Any) -> JSONResponse:
    """A JSON error answer."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)


def _status_of(exc: Exception) -> int:
    for types, status in _STATUS:
        if isinstance(exc, types):
            return status
    return 400


_STATUS: tuple[tuple[type[Exception] | tuple[type[Exception], ...], int], ...] = (
    (Unauthorized, 401),
    ((FlowNotFound, VersionNotFound, TableNotFound), 404),
    ((FlowExists, StaleWrite, CompileError, FlowTestsFailed), 409),
    ((FlowLoadError, TableNameInvalid), 422),
    (PreconditionRequired, 428),
    (BadRequest, 400),
    ((ServiceUnavailable, DatabaseError, SettingsError), 503),
)


async def _flowgraph_error(request: Request, exc: Exception) -> JSONResponse:
    status = _status_of(exc)
    if isinstance(exc, Unauthorized):
        return problem(
            401, "missing or wrong admin token: send Authorization: Bearer <FLOWGRAPH_ADMIN_TOKEN>"
        )
    extra: dict[str, Any] = {}
    if isinstance(exc, FlowLoadError):
        extra["problems"] = [{"path": path, "message": msg} for path, msg in exc.problems]
    elif isinstance(exc, CompileError):
        extra["diagnostics"] = [d.to_json() for d in exc.diagnostics]
    elif isinstance(exc, FlowTestsFailed):
        extra["tests"] = exc.results
    elif isinstance(exc, StaleWrite):
        extra["etag"] = exc.current
    return problem(status, str(exc), **extra)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("internal error on %s %s", request.method, request.url.path)
    return problem(500, "internal error (see the server log)")


def install(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""
    app.add_exception_handler(Unauthorized, _flowgraph_error)
    app.add_exception_handler(FlowgraphError, _flowgraph_error)
    app.add_exception_handler(Exception, _unexpected)
