"""``/healthz``: the process answers and the database responds (no auth; for load balancers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from flowgraph.server.deps import AppState, get_state
from flowgraph.store.db import ping

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    summary="Process and database health",
    responses={503: {"description": "The database does not answer"}},
)
def healthz(state: AppState = Depends(get_state)) -> Any:
    """200 ``{"status": "ok"}`` when the database answers ``SELECT 1``, else 503 naming the problem."""
    try:
        ping(state.engine)
    except Exception as exc:
        reason = str(exc).splitlines()[0][:200]
        return JSONResponse({"status": "error", "database": reason}, status_code=503)
    return {"status": "ok", "database": "ok", "backend": state.engine.dialect.name}
