"""One scripted call through the compiled flow, as the platform would run it.

:func:`simulate` compiles the flow, answers each request with :class:`flowgraph.runtime.engine.Runtime`
(in process, no network), and lets :class:`flowgraph.simulate.platform.PlatformEmulator` execute the
emitted JSON bytes. ``api_dialplan`` ids map back to steps the way the deployment sheet defines
them: per-step mode sends each step's own id (``dialplan_ids[step]`` or the step id); single
mode sends the one flow id and, like the server, keeps a per-call context of the step a menu
handed to and the variables set so far. HTTP lookups answer from the call script; a scripted
``timeout`` costs the lookup's ``timeout_ms`` of the request's answer deadline
(:mod:`flowgraph.runtime.deadline`): within it the lookup takes its ``error`` branch, as live; once
the request's timeouts reach the deadline (less the margin kept for sending) the request gets the
flow's failover with the live deadline reason. Server tables: ``tables`` (the simulate API passes
the server's live versions) are read as a live call reads them, a table the server lacks failing
a lookup over; offline (``tables=None``) a server table reads as empty. Either way the journey's
``notes`` say which table versions were read and which tables were not available. The journey equals
:func:`flowgraph.simulate.interpret.walk`'s for the same call; its ``exchanges`` hold the exact request
variables and response bytes of each step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flowgraph.compile.compiler import ActionOp, CompiledFlow, LookupOp, Template, compile_flow
from flowgraph.compile.emit import parse_response
from flowgraph.compile.partition import ENTRY_STEP
from flowgraph.model import Flow
from flowgraph.runtime.callvars import parse_call_vars
from flowgraph.runtime.context import MemoryContexts, answer_in_context
from flowgraph.runtime.deadline import DEFAULT_DEADLINE_MS, SEND_MARGIN_S, AnswerDeadline
from flowgraph.runtime.engine import Answer, Runtime
from flowgraph.runtime.lookups import ERROR, FOUND, NOT_FOUND, HttpLookups, LookupResult
from flowgraph.runtime.tables import TableVersion, TableView, bind_server_tables, bind_snapshot, unbind_view
from flowgraph.simulate.platform import (
    CallScript,
    Exchange,
    Journey,
    PlatformEmulator,
    PortalSetup,
    Reply,
    ScriptError,
    reached,
)

__all__ = ["simulate", "simulate_async"]

#: HTTP lookup URLs are replaced by this scheme + node id, so a scripted answer can be found.
SCRIPTED_URL = "flowgraph-sim://"


class ScriptedLookups(HttpLookups):
    """Answers HTTP lookups from the call script instead of the network.

    A scripted ``timeout`` spends the lookup's ``timeout_ms`` of the request's answer deadline
    (``deadline_ms``, from the request's arrival, less :data:`SEND_MARGIN_S`). Shorter: the
    lookup takes its ``error`` branch, as live. Otherwise the live deadline passes first: the
    request is marked (:attr:`passed`) and the transport answers the flow's failover.
    """

    def __init__(self, script: CallScript, deadline_ms: float = DEFAULT_DEADLINE_MS):
        # no client: nothing here touches the network
        self.script = script
        self.missing: ScriptError | None = None
        self.deadline = AnswerDeadline(deadline_ms)
        self.spent_ms = 0.0
        self.passed = False

    def begin_request(self) -> None:
        """A new request arrives: its deadline starts afresh."""
        self.spent_ms, self.passed = 0.0, False

    async def fetch(self, url: str, method: str, timeout_ms: int, params: Mapping[str, str]) -> LookupResult:
        """The scripted outcome for the lookup node named in ``url``."""
        node = url.removeprefix(SCRIPTED_URL)
        try:
            outcome = self.script.lookup(node)
        except ScriptError as exc:
            self.missing = exc  # raised by the simulator: the runtime turns exceptions into failovers
            return LookupResult(ERROR, reason=str(exc))
        if isinstance(outcome, dict):
            return LookupResult(FOUND, {str(k): str(v) for k, v in outcome.items()})
        if outcome == "timeout":
            self.spent_ms += timeout_ms
            if self.spent_ms >= self.deadline.ms - SEND_MARGIN_S * 1000:
                self.passed = True
            return LookupResult(ERROR, reason=f"timeout after {timeout_ms} ms")
        return LookupResult(NOT_FOUND if outcome == "not_found" else ERROR, reason="scripted")

    async def aclose(self) -> None:
        """Nothing to close."""


def scripted(compiled: CompiledFlow) -> CompiledFlow:
    """A copy whose HTTP lookups ask :class:`ScriptedLookups` by node id."""
    ops = dict(compiled.ops)
    for node, op in ops.items():
        if isinstance(op, LookupOp) and op.url is not None:
            ops[node] = replace(op, url=Template.of(SCRIPTED_URL + node))
    return replace(compiled, ops=ops)


@dataclass
class _InProcess:
    """The transport: one call's requests answered like the server does, in the call's context
    (:func:`flowgraph.runtime.context.answer_in_context`, contexts kept in memory)."""

    compiled: CompiledFlow
    runtime: Runtime
    lookups: ScriptedLookups
    contexts: MemoryContexts = field(default_factory=MemoryContexts)
    answers: list[Answer] = field(default_factory=list)

    @property
    def flow_id(self) -> str:
        return self.compiled.flow_id

    @property
    def version(self) -> str:
        return self.compiled.version

    @property
    def single(self) -> bool:
        return self.compiled.mode == "single"

    @property
    def older(self) -> dict[str, Runtime]:
        return {}

    def step_for(self, dialplan_id: str) -> str | None:
        """The step a per-step dialplan id names; None in single mode (the context says)."""
        steps = [s for s, d in self.compiled.dialplan_ids.items() if d == dialplan_id]
        return steps[0] if len(steps) == 1 and not self.single else None

    async def __call__(self, dialplan_id: str, variables: dict[str, str]) -> Reply:
        call = parse_call_vars(variables, self.compiled.profile)
        before = await self.contexts.get(self.flow_id, call.call_key)
        self.lookups.begin_request()
        answer = await answer_in_context(
            self, self.step_for(dialplan_id), call, self.contexts, self.lookups, retries=False
        )
        if self.lookups.missing is not None:
            raise self.lookups.missing
        if self.lookups.passed:  # live, the deadline cuts the request off: the flow's failover
            answer = self.runtime.failover(self.lookups.deadline.reason, answer.step, answer.trace)
        self.answers.append(answer)
        step = answer.step or (before.step if before is not None else ENTRY_STEP)
        return Reply(answer.body, answer.failover_reason, step)


def compile_for(flow_or_compiled: Flow | CompiledFlow, mode: str | None) -> CompiledFlow:
    """The compiled flow for a deployment ``mode`` (None: the flow's own); a Flow is compiled."""
    if isinstance(flow_or_compiled, CompiledFlow):
        if mode is not None and mode != flow_or_compiled.mode:
            raise ValueError(f"the flow was compiled for {flow_or_compiled.mode} mode, not {mode}")
        return flow_or_compiled
    flow = flow_or_compiled
    if mode is not None and mode != flow.settings.deployment.mode:
        deployment = flow.settings.deployment.model_copy(update={"mode": mode})
        settings = flow.settings.model_copy(update={"deployment": deployment})
        flow = flow.model_copy(update={"settings": settings})
    return compile_flow(flow)


async def simulate_async(
    flow_or_compiled: Flow | CompiledFlow,
    script: CallScript,
    mode: str | None = None,
    deadline_ms: float = DEFAULT_DEADLINE_MS,
    tables: Mapping[str, TableVersion] | None = None,
) -> Journey:
    """:func:`simulate` for code already running an event loop."""
    compiled = compile_for(flow_or_compiled, mode)
    if isinstance(flow_or_compiled, Flow):
        compiled = bind_server_tables(compiled, flow_or_compiled)
    compiled = scripted(compiled)
    transport = _InProcess(compiled, Runtime(compiled), ScriptedLookups(script, deadline_ms))
    dest = compiled.failover_destination
    setup = PortalSetup(
        entry=compiled.dialplan_ids[ENTRY_STEP],
        served=frozenset(compiled.dialplan_ids.values()),
        failover=(dest["type"], tuple(dest["data"])),
        profile=compiled.profile,
    )
    view, token = bind_snapshot(tables or {}, offline=tables is None)
    try:
        journey = await PlatformEmulator(transport, setup).call(script)
    finally:
        unbind_view(token)
    transfers = frozenset(
        op.node for op in compiled.ops.values() if isinstance(op, ActionOp) and op.type == "transfer"
    )
    journey.path = _path(transport.answers, journey.exchanges, transfers)
    journey.trace = [step for answer in transport.answers for step in answer.trace]
    journey.decisions = [d for answer in transport.answers for d in answer.decisions or ()]
    journey.notes = table_notes(view)
    return journey


def table_notes(view: TableView) -> list[str]:
    """What a simulated call read of the server's tables, one line per table: the live version
    it read, or that the table was not available (read as empty offline; on the server, as
    live, a lookup on it fails over and a calendar is skipped)."""
    notes = [f"server table '{name}': read its live version {n}" for name, n in sorted(view.used.items())]
    for name in sorted(view.missing or ()):
        if view.offline:
            notes.append(
                f"server table '{name}' is not available offline: read as empty "
                "(a live call reads the server's version; simulate on the server to see it)"
            )
        else:
            notes.append(
                f"server table '{name}' is not on this server: a live call's lookup on it "
                "fails over and a calendar is skipped (upload it on the Tables page)"
            )
    return notes


def simulate(
    flow_or_compiled: Flow | CompiledFlow,
    script: CallScript,
    mode: str | None = None,
    deadline_ms: float = DEFAULT_DEADLINE_MS,
    tables: Mapping[str, TableVersion] | None = None,
) -> Journey:
    """Run one scripted call through the compiled steps, the emitted JSON and the platform emulator.

    ``mode`` (``per_step`` / ``single``) overrides the flow's deployment mode (a Flow is then
    recompiled). ``deadline_ms``: the live answer deadline scripted lookup timeouts are measured
    against (see :class:`ScriptedLookups`). ``tables``: the server's live table versions (None:
    offline, a server table reads as empty; see the module docstring). Raises :class:`flowgraph.diagnostics.CompileError` for a flow with errors and
    :class:`ScriptError` when the script lacks an HTTP lookup's outcome.
    """
    return asyncio.run(simulate_async(flow_or_compiled, script, mode, deadline_ms, tables))


def _path(answers: list[Answer], exchanges: list[Exchange], transfers: frozenset[str]) -> list[str]:
    """The nodes the call went through, from the runtime's traces.

    A menu ends one step's trace and starts the next one's (deciding its branch): it is listed
    once. A trace runs on past a transfer into its ``no_answer`` branch (that part is sent with
    the transfer); where the platform stopped at an answered transfer, :func:`reached` cuts it.
    """
    path: list[str] = []
    for answer, exchange in zip(answers, exchanges, strict=False):
        nodes = [node for node, _branch in answer.trace]
        if exchange.ended == "answered":
            actions = [a for group in parse_response(exchange.response) for a in group]
            nodes = reached(nodes, transfers, actions, exchange.ran, exchange.ended)
        for node in nodes:
            if not path or path[-1] != node:
                path.append(node)
    return path
