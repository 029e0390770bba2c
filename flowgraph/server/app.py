"""Assemble the FastAPI app: settings, database, routers, the hot path, the editor's files.

``create_app(settings)`` is cheap and touches nothing on disk; the database schema, the admin
token and the example seeding happen in the app's lifespan (on start), so ``flowgraph openapi``
can build the app just to print its schema.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flowgraph.server import errors
from flowgraph.server.deps import AppState
from flowgraph.server.platform_request import DRAIN_CAP_BYTES
from flowgraph.settings import ServerSettings, load_settings, resolve_admin_token
from flowgraph.store.db import create_all, make_engine
from flowgraph.store.flows import FlowStore

log = logging.getLogger("flowgraph.server")

#: Router modules, each exposing ``router``; included in this order when the module exists
#: (images.py arrives with the pictures work).
ROUTERS: tuple[str, ...] = (
    "flowgraph.server.routers.health",
    "flowgraph.server.routers.flows",
    "flowgraph.server.routers.tools",
    "flowgraph.server.routers.flowtests",
    "flowgraph.server.routers.impact",
    "flowgraph.server.routers.versions",
    "flowgraph.server.routers.calls",
    "flowgraph.server.routers.images",
    "flowgraph.server.routers.tables",
)

#: The platform-facing hot path: ``install(app, state)`` (see deps.py for what it may attach).
DIALPLAN_MODULE = "flowgraph.server.dialplan"

#: Paths the editor's SPA fallback never answers (they 404 as JSON instead of serving index.html).
NON_SPA_PREFIXES: tuple[str, ...] = (
    "/api",
    "/dialplan",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/healthz",
    "/metrics",
)

DEFAULT_WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def create_app(settings: ServerSettings | None = None, seed_examples: Path | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: from env / config file).

    On start it creates the schema, resolves the admin token and, when the database has no flows
    and ``seed_examples`` is given, stores and publishes the example flows.
    """
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    state = AppState(settings=settings, engine=engine, flows=FlowStore(engine), admin_token="")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        create_all(engine)
        state.admin_token = resolve_admin_token(settings)
        if seed_examples is not None:
            from flowgraph.server.seed import seed_if_empty

            seed_if_empty(state, seed_examples)
        for hook in state.startup:
            await hook()
        try:
            yield
        finally:
            for hook in state.shutdown:
                await hook()
            engine.dispose()

    app = FastAPI(
        title="flowgraph",
        version="0.1.0",
        summary="Serve and manage Smartflo API Dialplan call flows.",
        lifespan=lifespan,
    )
    app.state.flowgraph = state
    errors.install(app)
    for name in ROUTERS:
        if _module_exists(name):
            app.include_router(importlib.import_module(name).router)
    if _module_exists(DIALPLAN_MODULE):
        importlib.import_module(DIALPLAN_MODULE).install(app, state)
    _mount_editor(app, settings.web_dist or DEFAULT_WEB_DIST)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_api_bytes)
    return app


class SPAStaticFiles(StaticFiles):
    """The editor's files; unknown paths get index.html so client-side routes survive a reload.

    Paths under :data:`NON_SPA_PREFIXES` that no route matched are a JSON 404 for every method
    (judged on the decoded path, so ``/api/%2e%2e/x`` is one too), never the editor's page.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _reserved(scope["path"]):
            detail = f"not found: {scope['method']} {scope['path'][:200]}"
            await JSONResponse({"detail": detail}, status_code=404)(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except StarletteHTTPException as exc:
            if exc.status_code != 404 or _reserved("/" + path):
                raise
            return await super().get_response("index.html", scope)


def _reserved(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") or path.startswith(p + "?") for p in NON_SPA_PREFIXES)


def _mount_editor(app: FastAPI, dist: Path) -> None:
    if (dist / "index.html").is_file():
        app.mount("/", SPAStaticFiles(directory=dist, html=True), name="editor")


class BodyLimitMiddleware:
    """Answer 413 to request bodies over ``limit`` bytes (the API's flow-size limit).

    The body is still read to its end and discarded, up to ``cap`` bytes past the limit, so that a
    client that sends all of it before reading (no ``Expect: 100-continue``) gets the 413 instead
    of a connection reset; a body declared longer than that is not read. ``/dialplan`` is exempt: the hot
    path answers oversized platform requests with the flow's failover instead (platform_request.py).
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        cap: int = DRAIN_CAP_BYTES,
        exempt_prefixes: tuple[str, ...] = ("/dialplan",),
    ):
        # Drained up to ``cap`` bytes past the limit: a body just over it still hears its 413.
        self.app, self.limit, self.cap, self.exempt = app, limit, limit + cap, exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            if declared <= self.cap:
                await _drain(receive, self.cap)
            await self._refuse(send)
            return
        seen = 0
        cut = False

        async def limited_receive() -> Message:
            nonlocal seen, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # Read the rest (up to the cap) so the client hears the 413, then tell the
                    # app the client left: it stops reading; its answer is replaced below.
                    if message.get("more_body"):
                        await _drain(receive, self.cap - seen)
                    cut = True
                    return {"type": "http.disconnect"}
            return message

        refused = False

        async def guarded_send(message: Message) -> None:
            nonlocal refused
            if not cut:
                await send(message)
            elif not refused:
                refused = True
                await self._refuse(send)

        await self.app(scope, limited_receive, guarded_send)
        if cut and not refused:  # the app gave up without answering
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = b'{"detail":"request body too large (limit %d bytes, FLOWGRAPH_MAX_API_BYTES)"}' % self.limit
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive, budget: int) -> None:
    """Read and discard the rest of a request body, at most ``budget`` bytes."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body"):
            return


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def app_factory() -> Any:
    """Uvicorn factory (``uvicorn --factory flowgraph.server.app:app_factory``): settings from env."""
    return create_app()
