"""Answer platform requests from a compiled flow: the hot path's core.

``await Runtime(compiled).answer(step_id, call, lookups)`` walks one step's ops for one call
and returns an :class:`Answer` whose ``body`` is the one-line platform JSON. Constant actions
were encoded at compile time, so a typical answer is a few dict probes and a byte join; no
pydantic, no JSON encoding unless a field holds ``{{variables}}``.

It never raises for bad call data: an unknown step, an empty render, a step that would send
nothing (``[]`` has unknown effect, NOTES.md) or an internal error all become the flow's
failover answer with a reason the call log keeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowgraph.compile import emit
from flowgraph.compile.compiler import ActionOp, CompiledFlow, Env, LookupOp, MenuOp, SplitOp, SwitchOp
from flowgraph.compile.conditions import TimeCond
from flowgraph.diagnostics import AnswerFailure, StepFailure
from flowgraph.runtime.calendars import DateVerdict, Decision
from flowgraph.runtime.callvars import CallData, menu_keys, parse_call_vars
from flowgraph.runtime.lookups import ERROR, FOUND, NOT_FOUND, HttpLookups
from flowgraph.runtime.split import arm_index
from flowgraph.specs import dispatch


@dataclass(slots=True)
class Answer:
    """One response: ``body`` to send, and what the server records about it.

    ``trace``: ``(node, branch)`` for every node evaluated, in order (branch ``""`` where the
    step stops at the node). ``next_step``: the step a menu hands to (single-dialplan mode keeps
    it per call). ``end``: the terminal node reached (transfer, dialplan, hangup), ``None`` when
    the call continues in another step or failed over before a node ran. ``carried``: when the
    call continues (``next_step``), the variables set so far (lookup columns, menu digits) for
    the call's context.
    """

    body: bytes
    step: str
    next_step: str | None = None
    trace: list[tuple[str, str]] = field(default_factory=list)
    end: str | None = None
    failover_reason: str | None = None
    carried: dict[str, Any] | None = None
    #: The flow version that answered (a call may finish in the version it started in).
    version: str | None = None
    #: What each HTTP lookup of this request answered (columns, ``not_found`` or ``error``):
    #: kept in the call log so a recorded call can be replayed against a new draft.
    lookups: dict[str, Any] | None = None
    #: Single-dialplan mode: this request repeated the call's previous one (the platform retried
    #: it), so it got the previous answer again and the call did not move on.
    retry: bool = False
    #: Which rule decided each dated time case (holiday, outside hours, ...), for the call log.
    decisions: list[Decision] | None = None


@dataclass(slots=True)
class _Walk:
    """One request's walk through a step: the call, its variables, the trace, the lookups (the
    HTTP client and where each answer is noted for the call log) and the fragments so far."""

    step: str
    call: CallData
    env: Env
    trace: list[tuple[str, str]]
    lookups: tuple[HttpLookups | None, dict[str, Any]]
    decided: list[Decision] = field(default_factory=list)
    fragments: list[bytes] = field(default_factory=list)


def decide_menu(op: MenuOp, last_dtmf: str | None) -> tuple[str, str]:
    """The branch a menu takes for the digits received, and the digits as ``{{M.digits}}``.

    The keys are :func:`flowgraph.runtime.callvars.menu_keys` of the digits (one trailing ``#`` ends
    input and is dropped); they match an option exactly, else ``invalid``; ``None`` is ``no_input``.
    """
    keys = menu_keys(last_dtmf)
    if keys is None:
        return "no_input", ""
    return (keys if keys in op.options else "invalid"), keys


def call_env(call: CallData, compiled: CompiledFlow) -> Env:
    """The call variables as templates see them (as received; numbers are not rewritten)."""
    return call.variables(compiled.tz)


class Runtime:
    """Answers requests for one compiled flow version (immutable; share it across requests)."""

    def __init__(self, compiled: CompiledFlow):
        self.compiled = compiled
        self.ops = compiled.ops
        self.steps = compiled.steps
        self.form = compiled.profile.multi_action_form
        self.tz = compiled.tz
        self.network_steps = compiled.network_steps()
        #: Switches with a dated time case: only these record which rule decided.
        self.dated = frozenset(
            node
            for node, op in compiled.ops.items()
            if isinstance(op, SwitchOp) and any(isinstance(c, TimeCond) and c.dates for _b, c in op.cases)
        )

    def failover(self, reason: str, step: str = "", trace: list[tuple[str, str]] | None = None) -> Answer:
        """The flow's failover destination as the answer, recording ``reason``."""
        stopped = trace[-1][0] if trace else None
        return Answer(self.compiled.failover_body, step, None, trace or [], stopped, reason)

    async def answer(
        self,
        step_id: str,
        call: CallData,
        lookups: HttpLookups | None = None,
        carried: Mapping[str, Any] | None = None,
    ) -> Answer:
        """Answer one request for ``step_id``; never raises. ``carried``: the variables earlier
        requests of this call set (from its context), visible to this step's templates."""
        step = self.steps.get(step_id)
        if step is None:
            return self.failover(f"unknown_step: '{step_id[:80]}'", step_id)
        trace: list[tuple[str, str]] = []
        fetched: dict[str, Any] = {}
        decided: list[Decision] = []
        try:
            answer = await self._walk(
                step_id, step.start, step.menu, call, (lookups, fetched), (trace, decided), carried
            )
        except AnswerFailure as exc:
            answer = self.failover(str(exc), step_id, trace)
        except Exception as exc:  # the platform must always get an answer (issue 3 §2)
            answer = self.failover(f"internal error: {type(exc).__name__}: {exc}"[:300], step_id, trace)
        if fetched:
            answer.lookups = fetched
        if decided:
            answer.decisions = decided
        return answer

    async def _walk(
        self,
        step_id: str,
        start: str | None,
        menu: str | None,
        call: CallData,
        lookups: tuple[HttpLookups | None, dict[str, Any]],
        notes: tuple[list[tuple[str, str]], list[Decision]],
        carried: Mapping[str, Any] | None,
    ) -> Answer:
        """Walk one step for one call: from its start node (a continuation first decides its
        menu's branch), each op through :data:`STEPS` by its node type, until one answers.

        A handler returns the next node id, or the :class:`Answer` where the step ends.
        """
        trace, decided = notes
        env = call_env(call, self.compiled)
        if carried:
            env.update(carried)
        walk = _Walk(step_id, call, env, trace, lookups, decided)
        node: str | Answer | None = start if menu is None else self._continue(menu, call, env, trace)
        budget = len(self.ops) + 1  # the checks reject cycles; this only guards a broken plan
        while isinstance(node, str):
            budget -= 1
            if budget < 0:
                raise StepFailure(f"node '{node}' is reached again within one step")
            op = self.ops.get(node)
            if op is None:
                raise StepFailure(f"node '{node}' is not part of the compiled flow")
            node = await dispatch(STEPS, op.type, "the runtime")(self, op, walk)
        if node is None:
            raise StepFailure(f"step '{step_id}' has no start node")
        return node

    async def _on_action(self, op: ActionOp, walk: _Walk) -> str | Answer:
        """play / transfer / dialplan / hangup: its action (hangup: none), then ``next`` or the end."""
        walk.trace.append((op.node, op.branch if op.next is not None else ""))
        if op.emitter is not None:
            walk.fragments.append(op.emitter.bytes(walk.env))
        if op.next is None:
            return self._done(walk.fragments, walk.step, None, walk.trace, op.node)
        return op.next

    async def _on_menu(self, op: MenuOp, walk: _Walk) -> str | Answer:
        """The prompt and the hand-off to the menu's continuation: the step ends here."""
        walk.trace.append((op.node, ""))  # before rendering: a failed render is blamed on this node
        walk.fragments.append(op.emitter.bytes(walk.env))
        walk.fragments.append(op.handoff)
        answer = self._done(walk.fragments, walk.step, op.next_step, walk.trace, None)
        # Only the variables flows set (``node.column``); call variables come anew.
        answer.carried = {k: v for k, v in walk.env.items() if "." in k}
        return answer

    async def _on_switch(self, op: SwitchOp, walk: _Walk) -> str | Answer:
        """The first matching case's branch, else ``default``."""
        if op.node in self.dated:
            branch = self._switch_dated(op, walk.call, walk.env, walk.decided)
        else:
            branch = self._switch(op, walk.call, walk.env)
        walk.trace.append((op.node, branch))
        return self._target(op.targets, op.node, branch)

    async def _on_lookup(self, op: LookupOp, walk: _Walk) -> str | Answer:
        """``found`` (the row's columns become variables), ``not_found`` or ``error``."""
        branch = await self._lookup(op, walk.call, walk.env, walk.lookups)
        walk.trace.append((op.node, branch))
        return self._target(op.targets, op.node, branch)

    async def _on_split(self, op: SplitOp, walk: _Walk) -> str | Answer:
        """The caller's arm: sticky per caller number (:mod:`flowgraph.runtime.split`)."""
        branch = op.arms[arm_index(walk.call.caller_id_number, op.node, [u for _b, u in op.arms])][0]
        walk.trace.append((op.node, branch))
        return self._target(op.targets, op.node, branch)

    def _continue(self, menu: str, call: CallData, env: Env, trace: list[tuple[str, str]]) -> str:
        """A continuation step starts by deciding its menu's branch from the digits received."""
        op = self.ops[menu]
        assert isinstance(op, MenuOp)
        branch, digits = decide_menu(op, call.last_dtmf)
        env[f"{menu}.digits"] = digits
        trace.append((menu, branch))
        return self._target(op.targets, menu, branch)

    def _done(
        self,
        fragments: list[bytes],
        step: str,
        next_step: str | None,
        trace: list[tuple[str, str]],
        end: str | None,
    ) -> Answer:
        # emit.frame refuses [] (NothingToSend, NOTES.md): the step falls to the failover.
        body = emit.frame(fragments, self.form, f"step '{step}' (ends at '{trace[-1][0]}')")
        return Answer(body, step, next_step, trace, end)

    @staticmethod
    def _target(targets: Mapping[str, str], node: str, branch: str) -> str:
        target = targets.get(branch)
        if target is None:
            raise StepFailure(f"node '{node}' branch '{branch}' is not wired")
        return target

    def _switch(self, op: SwitchOp, call: CallData, env: Env) -> str:
        for branch, cond in op.cases:
            if cond.matches(call, env, self.tz):
                return branch
        return "default"

    def _switch_dated(self, op: SwitchOp, call: CallData, env: Env, decided: list[Decision]) -> str:
        """:meth:`_switch`, noting which rule decided each dated time case asked."""
        verdicts: list[tuple[str, DateVerdict]] = []
        took = "default"
        for branch, cond in op.cases:
            if isinstance(cond, TimeCond) and cond.dates:
                verdict = cond.judge(call, self.tz)
                verdicts.append((branch, verdict))
                matched = verdict.matched
            else:
                matched = cond.matches(call, env, self.tz)
            if matched:
                took = branch
                break
        decided.extend(Decision.of(op.node, took, case, verdict) for case, verdict in verdicts)
        return took

    async def _lookup(
        self, op: LookupOp, call: CallData, env: Env, lookups: tuple[HttpLookups | None, dict[str, Any]]
    ) -> str:
        """The lookup's branch; its columns go into ``env``. ``lookups``: the HTTP client and
        where each HTTP answer is noted for the call log."""
        client, fetched = lookups
        if op.index is not None:
            assert op.key is not None
            row = op.index.find(op.key.render(env))
            if row is None:
                return NOT_FOUND
            values = row
        else:
            if client is None:
                raise StepFailure(f"lookup '{op.node}' needs the HTTP lookup client, none was given")
            assert op.url is not None
            params = {k: v for k, v in env.items() if "." not in k}
            result = await client.fetch(op.url.render_url(env), op.method, op.timeout_ms, params)
            if result.outcome != FOUND:
                fetched[op.node] = ERROR if result.outcome == ERROR else NOT_FOUND
                return fetched[op.node]
            values = result.values
            fetched[op.node] = dict(values)
        prefix = op.node + "."
        for column, value in values.items():
            env[prefix + column] = value
        return FOUND

    def answer_sync(self, step_id: str, call: CallData | Mapping[str, Any]) -> Answer:
        """Blocking :meth:`answer` for the CLI and tests; ``call`` may be raw request variables.

        HTTP lookups use a client that lives for this one answer.
        """
        data = call if isinstance(call, CallData) else parse_call_vars(call, self.compiled.profile)

        async def run() -> Answer:
            if step_id not in self.network_steps:  # a client costs more than most answers
                return await self.answer(step_id, data, None)
            async with HttpLookups() as lookups:
                return await self.answer(step_id, data, lookups)

        return asyncio.run(run())

    def uses_call_data(self, step_id: str) -> bool:
        """Whether a step's answer can depend on the call (decisions or templated fields)."""
        step = self.steps[step_id]
        return step.menu is not None or self.depends_on_call(step.start)

    def depends_on_call(self, start: str | None) -> bool:
        """Whether walking from ``start`` within a step reads call data: a decision (switch,
        lookup) or a field with ``{{variables}}``. Without one, the walk is a fixed chain."""
        node = start
        for _ in range(len(self.ops) + 1):
            op = self.ops.get(node or "")
            if isinstance(op, MenuOp):
                return op.emitter.fragment is None
            if not isinstance(op, ActionOp):
                return True
            if op.emitter is not None and op.emitter.fragment is None:
                return True
            if op.next is None:
                return False
            node = op.next
        return True


#: The runtime's table: how each node type's op is walked (``tests/test_specs.py``: every type).
STEPS: dict[str, Callable[[Runtime, Any, _Walk], Awaitable[str | Answer]]] = {
    "play": Runtime._on_action,
    "menu": Runtime._on_menu,
    "transfer": Runtime._on_action,
    "dialplan": Runtime._on_action,
    "switch": Runtime._on_switch,
    "lookup": Runtime._on_lookup,
    "split": Runtime._on_split,
    "hangup": Runtime._on_action,
}
