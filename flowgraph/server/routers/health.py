"""``/healthz`` (readiness) and ``/healthz/live`` (liveness) for load balancers; no auth.

Readiness follows what callers get: 503 only when this process cannot answer calls correctly
(``DialplanHub.problems()``: e.g. its published flows were never read, or the shared call-context
store it needs is down). The management database or the call log being down is reported as a
detail with 200: live flows are in memory and answers do not wait on either. Liveness is 200
whenever the event loop answers at all (restart the process only when that fails).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from flowgraph.server.deps import AppState, get_state
from flowgraph.store.db import ping

router = APIRouter(tags=["health"])

#: Longest the database check may take; a database that does not answer by then is "timeout".
PING_TIMEOUT_S = 1.0

_pending: dict[int, asyncio.Task[None]] = {}


@router.get(
    "/healthz",
    summary="Readiness: can this process answer calls correctly?",
    responses={503: {"description": "This process cannot answer calls correctly (see problems)"}},
)
async def healthz(state: AppState = Depends(get_state)) -> Any:
    """200 ``{"status": "ok", ...}`` when calls get correct answers, else 503 naming the problems.

    ``database`` and ``call_log`` are details: their failure alone does not fail the check.
    """
    hub = state.dialplan
    problems: dict[str, str] = hub.problems() if hub is not None else {}
    body: dict[str, Any] = {
        "status": "unavailable" if problems else "ok",
        "problems": problems,
        "flows": len(hub.live.flows) if hub is not None else 0,
        "database": await _database(state),
        "backend": state.engine.dialect.name,
    }
    if hub is not None:
        body["call_log"] = hub.writer.status()
    return JSONResponse(body, status_code=503 if problems else 200)


@router.get("/healthz/live", summary="Liveness: the process answers")
async def live() -> dict[str, str]:
    """Always 200 while the event loop runs."""
    return {"status": "ok"}


async def _database(state: AppState) -> str:
    # One ping at a time per engine, run off the loop and bounded: a hung database must not
    # make health checks pile up threads or take longer than PING_TIMEOUT_S.
    key = id(state.engine)
    task = _pending.get(key)
    if task is None or task.done():
        task = asyncio.ensure_future(asyncio.to_thread(ping, state.engine))
        _pending[key] = task
    try:
        await asyncio.wait_for(asyncio.shield(task), PING_TIMEOUT_S)
    except TimeoutError:
        return f"timeout: no answer within {PING_TIMEOUT_S:g} s"
    except Exception as exc:
        return "error: " + (str(exc).splitlines() or [type(exc).__name__])[0][:200]
    return "ok"
