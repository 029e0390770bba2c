"""Shared server state and the admin-token check.

:class:`AppState` is the one object the app, the routers and the hot path (``server/dialplan.py``)
share. ``create_app`` builds it and stores it on ``app.state.flowgraph``; then, when
``flowgraph.server.dialplan`` exists, it calls ``dialplan.install(app, state)``, which may:

- set ``state.calls`` to a :class:`CallLogReader` (the management API's ``/calls`` and ``/stats``
  read the call log through it), ``state.contexts`` to its call-context store and ``state.dialplan``
  to its own state;
- append coroutine functions to ``state.startup`` / ``state.shutdown`` (run in the app's lifespan,
  e.g. to start and flush the batched call-log writer);
- append to ``state.publish_listeners``: ``fn(flow_id)`` is called after a publish, rollback,
  delete or restore in this process, so an in-process cache can drop the flow at once (other
  processes see the change through :meth:`FlowStore.published_pointers`).

The stored-document dependencies (:data:`DraftDep`, :data:`FlowDep`, :data:`PublishedDep`) read
the path's ``flow_id`` through ``documents.py``, the one place that turns stored documents into
flows and says how that fails (404 / 422, mapped by ``errors.py``).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from flowgraph.model import Flow
from flowgraph.server.documents import StoredFlow, stored_draft, stored_published
from flowgraph.settings import ServerSettings
from flowgraph.store.calls import CallLog

if TYPE_CHECKING:
    from flowgraph.store.flows import FlowStore

log = logging.getLogger("flowgraph.server")


class CallLogReader(Protocol):
    """What the management API needs from the call log (implemented by ``store/calls.py``).

    Records are dicts in the architecture's call-log shape: ``{time, call_id, uuid, flow_id,
    version, step, variables, response, latency_ms, failover_reason, trace, end, lookups}``, newest
    first.
    """

    def records(
        self,
        flow_id: str,
        *,
        call_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        version: str | None = None,
    ) -> list[dict[str, Any]]: ...


Hook = Callable[[], Awaitable[None]]


@dataclass
class AppState:
    """Everything shared by one server process (see the module docstring for the hot path's part)."""

    settings: ServerSettings
    engine: Engine
    flows: FlowStore
    admin_token: str
    calls: CallLogReader | None = None
    contexts: Any = None
    #: The hot path's own state (``dialplan.DialplanHub``), set by ``dialplan.install``.
    dialplan: Any = None
    startup: list[Hook] = field(default_factory=list)
    shutdown: list[Hook] = field(default_factory=list)
    publish_listeners: list[Callable[[str], None]] = field(default_factory=list)

    def notify_changed(self, flow_id: str) -> None:
        """Tell in-process listeners that what is live for ``flow_id`` changed."""
        for listener in self.publish_listeners:
            try:
                listener(flow_id)
            except Exception:  # a listener's bug must not fail the publish that already committed
                log.exception("publish listener failed for flow %s", flow_id)


class Unauthorized(Exception):
    """No or a wrong admin token (mapped to 401 by errors.py)."""


def get_state(request: Request) -> AppState:
    """The process's :class:`AppState` (FastAPI dependency)."""
    state: AppState = request.app.state.flowgraph
    return state


_bearer = HTTPBearer(auto_error=False, description="The admin token (FLOWGRAPH_ADMIN_TOKEN).")


def require_admin(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> None:
    """Reject requests without ``Authorization: Bearer <admin token>`` (constant-time compare)."""
    expected = get_state(request).admin_token.encode()
    given = credentials.credentials.encode() if credentials else b""
    # compare_digest on equal-purpose byte strings: timing does not reveal how much matched.
    if not credentials or not hmac.compare_digest(given, expected):
        raise Unauthorized()


def call_log(state: AppState) -> CallLog:
    """The hot path's call log when it installed one, else a reader on the same database."""
    if not isinstance(state.calls, CallLog):
        state.calls = CallLog(state.engine)
    return state.calls


def draft_document(flow_id: str, state: AppState = Depends(get_state)) -> StoredFlow:
    """The path's flow's stored draft, not validated (404 for an unknown or deleted flow)."""
    return stored_draft(state.flows, flow_id)


def draft_flow(draft: StoredFlow = Depends(draft_document)) -> Flow:
    """The path's flow's draft as a :class:`Flow` (422 with located problems if it is not one)."""
    return draft.flow()


def published_document(flow_id: str, state: AppState = Depends(get_state)) -> StoredFlow:
    """The path's flow's live version (404 for an unknown flow or when it is not published)."""
    return stored_published(state.flows, flow_id)


#: The stored draft (its document goes to the worker process unvalidated).
DraftDep = Annotated[StoredFlow, Depends(draft_document)]
#: The draft, validated in this process.
FlowDep = Annotated[Flow, Depends(draft_flow)]
#: The live version.
PublishedDep = Annotated[StoredFlow, Depends(published_document)]
