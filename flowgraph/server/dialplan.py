"""The platform-facing endpoint (the hot path): ``GET|POST /dialplan/{flow_id}[/{step_id}]``.

Every call on a business's number reaches this code, so it is a raw ASGI handler placed *in
front of* the FastAPI app (:func:`install`): no routing table, no middleware that could answer
4xx (auth, body limits), no pydantic, no DB read per request. Published flows are compiled once
into a :class:`LiveFlows` registry; call-log records go to an in-memory queue flushed by a
background thread (``store/calls.py``).

Contract with the platform (NOTES.md "Response side"): always HTTP 200, ``application/json``,
one line. Whatever goes wrong -- wrong or missing secret header, unknown step, a body over the
size limit, a slow lookup, a bug -- the flow's failover answer is sent and the reason recorded
in the call log and ``/metrics``.

Decisions where the issue is silent:
- Unknown flow (no published flow with that id): we know no failover destination, so we answer
  a JSON object ``{"error": "unknown flow"}``: not an action list, so the platform runs the
  failover destination configured on its own dialplan (platform document: "any kind of failure
  in receiving an appropriate response"). Never ``[]`` (its effect is unknown).
- A call whose request has neither ``call_id`` nor ``uuid`` cannot be resumed: when its answer
  would hand over to a step that needs the call's context, it gets the failover answer instead.
- Calls in progress finish in the version they started in while this process holds it (the last
  :data:`KEEP_VERSIONS` published versions); otherwise they continue in the live version (or
  fail over when their step no longer exists there).
- Every await on the way to an answer (the context store, lookups) runs under one deadline,
  ``ServerSettings.answer_deadline_ms``; missing it gives the failover.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from flowgraph.compile.compiler import compile_flow
from flowgraph.load import flow_from_data
from flowgraph.profile import PlatformProfile
from flowgraph.runtime.callvars import CallData, parse_call_vars
from flowgraph.runtime.context import ContextStore, answer_in_context
from flowgraph.runtime.deadline import AnswerDeadline, DeadlinePassed
from flowgraph.runtime.engine import Answer, Runtime
from flowgraph.runtime.lookups import HttpLookups
from flowgraph.runtime.tables import bind_server_tables, bind_view, unbind_view
from flowgraph.server.live_tables import LiveTables
from flowgraph.server.metrics import CONTENT_TYPE, UNKNOWN, Metrics
from flowgraph.server.platform_request import PREFIX, Message, PlatformRequest, Receive, Scope, read_request
from flowgraph.server.worker import gc_paused
from flowgraph.store.calls import CallLog, CallLogWriter
from flowgraph.store.contexts import make_context_store
from flowgraph.store.tables import TableStore

log = logging.getLogger("flowgraph.dialplan")

Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ENTRY = "entry"
#: Earlier published versions each live flow keeps compiled, for calls that started in them.
KEEP_VERSIONS = 3
POLL_INTERVAL_S = 0.5
UNKNOWN_FLOW_BODY = b'{"error":"unknown flow"}'
INTERNAL_ERROR_BODY = b'{"error":"internal error"}'
_JSON_HEADERS = [(b"content-type", b"application/json")]


# --- the registry of live flows ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveFlow:
    """One published flow, compiled and ready to answer."""

    flow_id: str
    number: int
    version: str
    runtime: Runtime
    profile: PlatformProfile
    single: bool
    steps: frozenset[str]
    secret_header: bytes
    secret: bytes
    #: Runtimes of the versions published before this one, by version (see KEEP_VERSIONS).
    older: dict[str, Runtime]


class LiveFlows:
    """Published flows by id, compiled once; refreshed when the published pointer changes.

    The hot path only reads :attr:`flows` (a dict; swapping an entry is atomic), so it never
    sees a half-built flow. :meth:`refresh` compares ``FlowStore.published_pointers()`` (one
    cheap query) with what is loaded; :meth:`invalidate` reloads one flow at once (called after
    a publish or rollback in this process). Both hold one lock around read-and-swap, so an older
    read can never overwrite a newer one.
    """

    def __init__(self, flows_store: Any):
        self.store = flows_store
        self.flows: dict[str, LiveFlow] = {}
        self.pointers: dict[str, tuple[int, str]] = {}
        #: Whether the published flows were read at least once (readiness: see DialplanHub.problems).
        self.loaded = False
        self._lock = threading.Lock()

    def _load(self, flow_id: str) -> LiveFlow | None:
        previous = self.flows.get(flow_id)
        version = self.store.published(flow_id)
        if version is None or version.flow is None:
            return None
        flow = flow_from_data(version.flow, source=f"{flow_id} v{version.number}")
        compiled = bind_server_tables(compile_flow(flow), flow)
        deployment = flow.settings.deployment
        return LiveFlow(
            flow_id=flow_id,
            number=version.number,
            version=compiled.version,
            runtime=Runtime(compiled),
            profile=flow.settings.profile,
            single=deployment.mode == "single",
            steps=frozenset(compiled.steps),
            secret_header=deployment.secret_header.lower().encode("latin-1"),
            secret=self.store.secret(flow_id).encode(),
            older=(
                _older(previous, compiled.version)
                if previous is not None
                else self._stored_older(flow_id, version.number, compiled.version)
            ),
        )

    def _stored_older(self, flow_id: str, number: int, version: str) -> dict[str, Runtime]:
        """At start: the other versions published last (newest first, at most KEEP_VERSIONS),
        compiled, so a call that started in one before a restart finishes in it."""
        kept: dict[str, Runtime] = {}
        for record in self.store.versions(flow_id):
            if len(kept) >= KEEP_VERSIONS:
                break
            if record.number == number:
                continue
            try:
                stored = self.store.get_version(flow_id, record.number)
                old_flow = flow_from_data(stored.flow, source=f"{flow_id} v{record.number}")
                older = bind_server_tables(compile_flow(old_flow), old_flow)
            except Exception:  # no longer compiles (e.g. after an upgrade): its calls fail over
                log.warning("flow %s: version %s cannot be compiled; not kept", flow_id, record.number)
                continue
            if older.version != version:
                kept.setdefault(older.version, Runtime(older))
        return kept

    def _reload(self, flow_id: str) -> None:
        try:
            # Collector paused: its passes over a big new flow stall live answers (server/worker.py).
            with gc_paused(freeze=True):
                live = self._load(flow_id)
        except Exception:
            # A stored version that no longer compiles (e.g. after an upgrade) keeps serving the
            # previous runtime if there is one: better than no flow at all.
            log.exception("cannot load the published version of flow %s", flow_id)
            return
        if live is None:
            self.flows.pop(flow_id, None)
        else:
            self.flows[flow_id] = live

    def invalidate(self, flow_id: str) -> None:
        """Reload ``flow_id`` from the store now (publish, rollback, delete or restore)."""
        with self._lock:
            self._reload(flow_id)
            self.pointers = self.store.published_pointers()

    def refresh(self) -> bool:
        """Load what changed since the last refresh; True when anything did."""
        with self._lock:
            pointers = self.store.published_pointers()
            self.loaded = True
            if pointers == self.pointers:
                return False
            for flow_id in sorted(set(pointers) | set(self.pointers)):
                if pointers.get(flow_id) != self.pointers.get(flow_id) or flow_id not in self.flows:
                    self._reload(flow_id)
            self.pointers = pointers
            return True


def _older(previous: LiveFlow | None, version: str) -> dict[str, Runtime]:
    """The runtimes a reloaded flow keeps: the one it replaces and those it kept, newest first."""
    if previous is None:
        return {}
    kept = {previous.version: previous.runtime, **previous.older}
    kept.pop(version, None)
    return dict(list(kept.items())[:KEEP_VERSIONS])


# --- answering one request ---------------------------------------------------------------


class DialplanEndpoint:
    """The ASGI app in front of FastAPI: serves ``/dialplan/...`` and ``/metrics``, passes the rest."""

    def __init__(self, inner: ASGIApp, state: Any):
        self.inner = inner
        self.state = state
        self.hub: DialplanHub = state.dialplan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path.startswith(PREFIX):
                await self.hub.handle(scope, receive, send)
                return
            if path == "/metrics" and scope["method"] in ("GET", "HEAD"):
                await _send(send, 200, self.hub.metrics.render(), CONTENT_TYPE.encode())
                return
        await self.inner(scope, receive, send)


class DialplanHub:
    """Everything the hot path shares in one process: live flows, call log, contexts, metrics."""

    def __init__(
        self,
        live: LiveFlows,
        writer: CallLogWriter,
        contexts: ContextStore,
        max_body: int,
        deadline: AnswerDeadline = AnswerDeadline(),
    ):
        self.live = live
        self.writer = writer
        self.contexts = contexts
        self.max_body = max_body
        self.deadline = deadline
        self.metrics = Metrics(calllog=writer)
        self.lookups: HttpLookups | None = None
        #: The server tables lookups answer from (set by :func:`install`).
        self.tables: LiveTables | None = None
        self._poller: asyncio.Task[None] | None = None
        self.started = False

    async def start(self) -> None:
        """Load the published flows, start the call-log writer and the change poller."""
        if self.started:
            return
        self.started = True
        self.lookups = HttpLookups()
        try:
            await self.contexts.start()
        except Exception:  # the database is unreachable: contexts start empty, written later
            log.exception("loading call contexts failed; calls between requests may fail over")
        try:
            await asyncio.to_thread(self.live.refresh)
            if self.tables is not None:
                await asyncio.to_thread(self.tables.refresh)
        except Exception:  # the database is unreachable: the poller keeps trying
            log.exception("loading the published flows failed; retrying every %s s", POLL_INTERVAL_S)
        self.writer.start()
        self._poller = asyncio.get_running_loop().create_task(self._poll())
        # Everything loaded so far (FastAPI, SQLAlchemy, compiled flows) lives as long as the
        # process: moving it out of the collector's reach keeps full collections from pausing
        # live answers for tens of milliseconds. Collect first so no garbage is frozen with it.
        gc.collect()
        gc.freeze()

    async def stop(self) -> None:
        """Stop polling, flush the call log, close clients."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        await asyncio.to_thread(self.writer.close)
        if self.lookups is not None:
            await self.lookups.aclose()
        await self.contexts.close()
        self.started = False

    async def _poll(self) -> None:
        # Other processes publish too: notice within POLL_INTERVAL_S (one small query).
        while True:
            await asyncio.sleep(POLL_INTERVAL_S)
            try:
                await asyncio.to_thread(self.live.refresh)
                if self.tables is not None:  # a new table version: live within one interval
                    await asyncio.to_thread(self.tables.refresh)
            except Exception:
                log.exception("refreshing live flows failed; serving what is loaded")
            probe = getattr(self.contexts, "probe", None)
            if probe is not None:  # a shared store (Redis): readiness follows its health
                await probe(POLL_INTERVAL_S)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one platform request. Never raises; always 200 + one line of JSON."""
        responded = False

        async def tracked(message: Message) -> None:
            nonlocal responded
            responded = True
            await send(message)

        try:
            await self._handle(scope, receive, tracked)
        except Exception:
            # A bug outside the flow's own answer (parsing, logging): still a 200 the platform
            # reads as a failure, so it runs its failover destination -- never a 500.
            log.exception("platform request %s failed", scope.get("path", "")[:200])
            if not responded:
                with contextlib.suppress(Exception):
                    await _send(send, 200, INTERNAL_ERROR_BODY)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started_wall = time.time()
        started = time.perf_counter()
        due = self.deadline.due()  # from the request's arrival
        if not self.started:
            await self.start()
        req = await read_request(scope, receive, self.max_body)
        live = self.live.flows.get(req.flow_id)
        if live is None:
            await _send(send, 200, UNKNOWN_FLOW_BODY)
            self._record(req, None, None, UNKNOWN_FLOW_BODY, "unknown_flow", started_wall, started)
            return
        call = parse_call_vars(req.variables, live.profile)
        # One snapshot of the server tables for the whole request (every lookup sees one version).
        view, token = bind_view(self.tables.tables) if self.tables is not None else (None, None)
        try:
            answer = await self._answer(live, req, call, due)
        except Exception as exc:
            log.exception("flow %s: answering failed", live.flow_id)
            answer = live.runtime.failover(f"exception: {type(exc).__name__}", step=req.step or ENTRY)
        finally:
            if token is not None:
                unbind_view(token)
        await _send(send, 200, answer.body)
        used = view.used if view is not None else None
        self._record(
            req, live, answer, answer.body, answer.failover_reason, started_wall, started, call, used
        )

    async def _answer(self, live: LiveFlow, req: PlatformRequest, call: CallData, due: float) -> Answer:
        given = req.headers.get(live.secret_header, b"")
        step = req.step or ENTRY
        # compare_digest: the time taken does not reveal how much of the secret matched.
        if not hmac.compare_digest(given, live.secret):
            reason = "bad_secret: missing header" if not given else "bad_secret: wrong value"
            return live.runtime.failover(reason, step=step)
        if req.too_large:
            return live.runtime.failover(f"body_too_large: over {self.max_body} bytes", step=step)
        if req.step is not None or live.single:
            return await self._run(live, req.step, call, due)
        return await self._run(live, ENTRY, call, due)

    async def _run(self, live: LiveFlow, step: str | None, call: CallData, due: float) -> Answer:
        """The flow's answer in the call's context, under the one answer deadline (``due``, in
        loop time)."""
        if (
            step is not None
            and step not in live.steps
            and not any(step in r.steps for r in live.older.values())
        ):
            # (A step only an older version has may still serve a call that started in it.)
            return live.runtime.failover(f"unknown_step: '{step[:80]}'", step=step)
        try:
            work = answer_in_context(live, step, call, self.contexts, self.lookups)
            return await self.deadline.run(work, due)
        except DeadlinePassed as passed:
            return live.runtime.failover(str(passed), step=step or "")

    def problems(self) -> dict[str, str]:
        """Why this process cannot answer calls correctly right now (empty: it can)."""
        found: dict[str, str] = {}
        if not self.live.loaded:
            found["flows"] = "the published flows have not been read yet (is the database reachable?)"
        contexts = self.contexts.problem()
        if contexts is not None:
            found["contexts"] = contexts
        return found

    def _record(
        self,
        req: PlatformRequest,
        live: LiveFlow | None,
        answer: Answer | None,
        body: bytes,
        reason: str | None,
        started_wall: float,
        started: float,
        call: CallData | None = None,
        tables: dict[str, int] | None = None,
    ) -> None:
        elapsed = time.perf_counter() - started
        step = (answer.step if answer is not None else "") or req.step or ENTRY
        known = live is not None and step in live.steps
        self.metrics.observe(
            live.flow_id if live is not None else UNKNOWN, step if known else UNKNOWN, reason, elapsed
        )
        self.writer.put(
            {
                "time": started_wall,
                "call_id": call.call_id if call is not None else "",
                "uuid": call.uuid if call is not None else "",
                "flow_id": req.flow_id[:64],
                "version": (answer.version if answer is not None else None)
                or (live.version if live is not None else ""),
                "step": step,
                "variables": req.variables,
                "response": body,
                "latency_ms": round(elapsed * 1000, 3),
                "failover_reason": reason,
                "trace": answer.trace if answer is not None else [],
                "end": answer.end if answer is not None else None,
                "lookups": answer.lookups if answer is not None else None,
                "tables": tables or None,
                "retry": answer is not None and answer.retry,
                "decisions": [d.to_json() for d in answer.decisions] if answer and answer.decisions else None,
            }
        )


async def _send(send: Send, status: int, body: bytes, content_type: bytes | None = None) -> None:
    headers = [(b"content-type", content_type)] if content_type else _JSON_HEADERS
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --- wiring ------------------------------------------------------------------------------


def install(app: Any, state: Any) -> DialplanHub:
    """Put the platform endpoint in front of ``app`` and share its stores through ``state``.

    Sets ``state.calls`` (the call log the management API reads), ``state.contexts``,
    ``state.dialplan``; adds startup/shutdown hooks and a publish listener (see server/deps.py).
    """
    settings = state.settings
    calls = CallLog(state.engine)
    contexts = make_context_store(
        state.engine, settings.context_store, settings.redis_url, settings.context_ttl_s
    )
    hub = DialplanHub(
        LiveFlows(state.flows),
        CallLogWriter(
            calls,
            settings.calllog_interval_s,
            max_queued=settings.calllog_max_queued,
            shutdown_s=settings.calllog_shutdown_s,
        ),
        contexts,
        settings.max_body_bytes,
        AnswerDeadline(settings.answer_deadline_ms),
    )
    state.calls = calls
    state.contexts = contexts
    state.dialplan = hub
    state.startup.append(hub.start)
    state.shutdown.append(hub.stop)
    state.publish_listeners.append(hub.live.invalidate)
    hub.tables = LiveTables(TableStore(state.engine))
    build = app.build_middleware_stack

    def build_with_endpoint() -> ASGIApp:
        # Outermost: platform requests never pass through middleware that could answer 4xx/5xx.
        return DialplanEndpoint(build(), state)

    app.build_middleware_stack = build_with_endpoint
    return hub
