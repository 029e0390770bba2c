"""Compile a checked flow into steps the server evaluates per request: ``compile_flow(flow)``.

A step (see :mod:`flowgraph.compile.partition`) is a small program: server-side decisions (``switch``,
``lookup``, the menu branch from ``last_dtmf``) then the actions to emit. Each node becomes one
op (:class:`ActionOp`, :class:`MenuOp`, :class:`SwitchOp`, :class:`LookupOp`); an action with no
``{{variables}}`` is encoded once here, so answering is a walk that joins byte fragments
(:mod:`flowgraph.runtime.engine`). The same flow always compiles to the same plan, byte for byte.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from typing import Any

import orjson

from flowgraph.checks import check
from flowgraph.checks.variables import context_steps
from flowgraph.compile import emit
from flowgraph.compile.conditions import Condition, Env, Template, compile_condition
from flowgraph.compile.partition import ENTRY_STEP, Partition, partition, step_id_for_menu
from flowgraph.diagnostics import CompileError, Diagnostic, Severity
from flowgraph.model import Flow
from flowgraph.profile import TIMEZONE, PlatformProfile, sendable_number
from flowgraph.runtime.callvars import zone
from flowgraph.runtime.lookups import TableIndex


class RenderError(Exception):
    """A templated field rendered empty for this call (the runtime answers with the failover)."""


# --- templates and emitters --------------------------------------------------------------


def _has_vars(text: str | None) -> bool:
    return text is not None and "{{" in text


@dataclass(frozen=True, slots=True)
class Emitter:
    """How a node produces its action: a constant ``fragment`` or ``render(env) -> fragment``."""

    fragment: bytes | None
    render: Callable[[Env], bytes] | None
    shown: dict[str, Any]

    def bytes(self, env: Env) -> bytes:
        if self.fragment is not None:
            return self.fragment
        assert self.render is not None
        return self.render(env)


def _required(tpl: Template, env: Env, node: str, what: str) -> str:
    value = tpl.render(env).strip()
    if not value:
        raise RenderError(f"empty_value: node '{node}': {what} '{tpl.text}' is empty for this call")
    return value


def _renderer(action: emit.Action, node: str, profile: PlatformProfile) -> Callable[[Env], bytes]:
    if isinstance(action, emit.RecordingAction):
        data = Template.of(action.data)
        kind, dtmf = action.type, action.dtmf

        def recording(env: Env) -> bytes:
            value = _required(data, env, node, "recording")
            if kind == "url":
                url = emit.recording_url(value)
                if url is None:
                    raise RenderError(f"bad_url: node '{node}': {value[:200]!r} is not an http(s) URL")
                value = url
            return emit.encode_action(emit.RecordingAction(kind, value, dtmf), profile)

        return recording
    if isinstance(action, emit.TransferAction):
        targets = tuple(Template.of(t) for t in action.data)
        moh = Template.of(action.moh) if action.moh is not None else None

        def transfer(env: Env) -> bytes:
            data = tuple(_required(t, env, node, "target") for t in targets)
            if action.type == "number":
                bad = [v for v in data if sendable_number(v) is None]
                if bad:
                    # Never send a guess (the profile's one number rule): fail over instead.
                    raise RenderError(
                        f"bad_number: node '{node}': {bad[0][:100]!r} is not one national number"
                    )
            moh_value = _required(moh, env, node, "moh") if moh is not None else None
            return emit.encode_action(
                emit.TransferAction(action.type, data, action.ring_type, moh_value, action.skip_active),
                profile,
            )

        return transfer
    dialplan = Template.of(action.data)
    return lambda env: emit.encode_action(
        emit.DialplanAction(_required(dialplan, env, node, "dialplan id")), profile
    )


def make_emitter(action: emit.Action, node: str, profile: PlatformProfile) -> Emitter:
    """Pre-encode ``action`` when it is constant; otherwise keep a renderer for each call."""
    if isinstance(action, emit.RecordingAction) and action.type == "url" and not _has_vars(action.data):
        # A literal URL is sent escaped too (FG515 refuses the ones escaping cannot repair).
        action = replace(action, data=emit.recording_url(action.data) or action.data)
    shown = emit.action_object(action, profile)
    if isinstance(action, emit.TransferAction):
        templated = any(_has_vars(t) for t in action.data) or _has_vars(action.moh)
    else:
        templated = _has_vars(action.data)
    if not templated:
        return Emitter(emit.encode_object(shown), None, shown)
    return Emitter(None, _renderer(action, node, profile), shown)


# --- ops -----------------------------------------------------------------------------------

PLAY, TRANSFER, DIALPLAN, HANGUP, MENU, SWITCH, LOOKUP = range(7)


@dataclass(frozen=True, slots=True)
class ActionOp:
    """play / transfer / dialplan / hangup: emit (hangup: nothing), then ``next`` or end."""

    node: str
    kind: int
    emitter: Emitter | None
    next: str | None
    #: Branch taken to ``next`` (``next`` for play, ``no_answer`` for a transfer).
    branch: str = ""


@dataclass(frozen=True, slots=True)
class MenuOp:
    """Prompt (recording with dtmf) + hand-off to ``after_<menu>``; that step decides the branch."""

    node: str
    emitter: Emitter
    handoff: bytes
    next_step: str
    options: frozenset[str]
    targets: dict[str, str]
    kind: int = MENU


@dataclass(frozen=True, slots=True)
class SwitchOp:
    """First case whose condition matches, else ``default``."""

    node: str
    cases: tuple[tuple[str, Condition], ...]
    targets: dict[str, str]
    kind: int = SWITCH


@dataclass(frozen=True, slots=True)
class LookupOp:
    """A table row (``index``) or an HTTP answer; the columns become ``<node>.<column>``."""

    node: str
    targets: dict[str, str]
    key: Template | None = None
    index: TableIndex | None = None
    table: str = ""
    url: Template | None = None
    method: str = "GET"
    timeout_ms: int = 800
    kind: int = LOOKUP


Op = ActionOp | MenuOp | SwitchOp | LookupOp


def _dtmf(node: Any, profile: PlatformProfile) -> emit.Dtmf:
    return emit.Dtmf(
        timeout=node.timeout_ms if node.timeout_ms is not None else profile.dtmf_timeout_ms,
        max_length=node.max_length if node.max_length is not None else profile.dtmf_max_length,
        retry=node.retry if node.retry is not None else profile.dtmf_retry,
    )


def _action_op(node: Any, profile: PlatformProfile) -> ActionOp:
    kind = node.type
    if kind == "play":
        rec = emit.RecordingAction(node.recording.type, node.recording.data)
        return ActionOp(node.id, PLAY, make_emitter(rec, node.id, profile), node.branches.get("next"), "next")
    if kind == "transfer":
        action = emit.TransferAction(
            node.transfer, tuple(node.targets), node.ring_type, node.moh, node.skip_active
        )
        # Fall-through after an unanswered transfer is a profile setting (NOTES.md: seen once).
        nxt = node.branches.get("no_answer") if profile.transfer_fallthrough else None
        return ActionOp(node.id, TRANSFER, make_emitter(action, node.id, profile), nxt, "no_answer")
    if kind == "dialplan":
        return ActionOp(
            node.id, DIALPLAN, make_emitter(emit.DialplanAction(node.dialplan_id), node.id, profile), None
        )
    return ActionOp(node.id, HANGUP, None, None)


def build_op(node: Any, flow: Flow, dialplan_ids: dict[str, str]) -> Op:
    """The op for one node (``dialplan_ids``: the id sent to reach each step)."""
    profile = flow.settings.profile
    targets = dict(node.branches)
    if node.type == "menu":
        prompt = emit.RecordingAction(node.recording.type, node.recording.data, _dtmf(node, profile))
        step = step_id_for_menu(node.id)
        handoff = emit.encode_action(emit.DialplanAction(dialplan_ids[step]), profile)
        return MenuOp(
            node.id, make_emitter(prompt, node.id, profile), handoff, step, frozenset(node.options), targets
        )
    if node.type == "switch":
        cases = tuple((c.branch, compile_condition(c.when, flow)) for c in node.cases)
        return SwitchOp(node.id, cases, targets)
    if node.type == "lookup":
        src = node.source
        if src.kind == "table":
            table = flow.tables.get(src.table)
            index = TableIndex.build(table.rows if table else {}, src.match)
            return LookupOp(node.id, targets, Template.of(src.key), index, src.table)
        return LookupOp(
            node.id, targets, url=Template.of(src.url), method=src.method, timeout_ms=src.timeout_ms
        )
    return _action_op(node, profile)


def op_plan(op: Op) -> dict[str, Any]:
    """A JSON-able description of an op (for plan(), the CLI and golden files)."""
    if isinstance(op, ActionOp):
        kind = ("play", "transfer", "dialplan", "hangup")[op.kind]
        out: dict[str, Any] = {"kind": kind}
        if op.emitter is not None:
            out["emit" if op.emitter.fragment is not None else "template"] = op.emitter.shown
        if op.next is not None:
            out[op.branch] = op.next
        return out
    if isinstance(op, MenuOp):
        return {
            "kind": "menu",
            "emit" if op.emitter.fragment is not None else "template": op.emitter.shown,
            "handoff": orjson.loads(op.handoff),
            "next_step": op.next_step,
            "decide": dict(op.targets),
        }
    if isinstance(op, SwitchOp):
        cases = [{"branch": b, "when": cond.plan()} for b, cond in op.cases]
        return {"kind": "switch", "cases": cases, "branches": dict(op.targets)}
    source: dict[str, Any]
    if op.index is not None:
        source = {"table": op.table, "key": op.key.text if op.key else "", "match": op.index.match}
    else:
        source = {"url": op.url.text if op.url else "", "method": op.method, "timeout_ms": op.timeout_ms}
    return {"kind": "lookup", "source": source, "branches": dict(op.targets)}


# --- the compiled flow -------------------------------------------------------------------


@dataclass(frozen=True)
class StepProgram:
    """Where a step starts: the entry node, or the menu whose digits it decides on."""

    id: str
    start: str | None
    menu: str | None
    depth: int
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class CompiledFlow:
    """A flow ready to answer requests; see :mod:`flowgraph.runtime.engine`."""

    flow_id: str
    version: str
    profile: PlatformProfile
    partition: Partition
    warnings: list[Diagnostic]
    ops: dict[str, Op]
    steps: dict[str, StepProgram]
    #: The id sent in ``api_dialplan`` to reach each step (per deployment mode).
    dialplan_ids: dict[str, str]
    mode: str
    failover_body: bytes
    failover_destination: dict[str, Any]
    secret_header: str
    tz: tzinfo = field(repr=False, compare=False, default_factory=lambda: zone(TIMEZONE))
    #: Steps that read variables an earlier request set, and steps whose request must find the
    #: call's context (see :func:`flowgraph.checks.variables.context_steps`).
    reads_context: frozenset[str] = frozenset()
    carry_into: frozenset[str] = frozenset()

    def network_steps(self) -> frozenset[str]:
        """Steps whose answer may wait on the network (an HTTP lookup): only these need a
        deadline and a lookup client."""
        return frozenset(
            sid
            for sid, step in self.steps.items()
            if any(isinstance(op, LookupOp) and op.url is not None for op in map(self.ops.get, step.nodes))
        )

    def plan(self) -> dict[str, Any]:
        """Deterministic JSON-able description: steps in partition order with their ops."""
        steps = []
        for sid in self.partition.order:
            step = self.steps[sid]
            steps.append(
                {
                    "id": sid,
                    "depth": step.depth,
                    "start": step.start,
                    "menu": step.menu,
                    # A continuation first decides its menu's branch from last_dtmf.
                    "decide": dict(getattr(self.ops.get(step.menu or ""), "targets", {})) or None,
                    "dialplan_id": self.dialplan_ids.get(sid, sid),
                    "nodes": list(step.nodes),
                    "ops": {n: op_plan(self.ops[n]) for n in step.nodes if n in self.ops},
                }
            )
        return {
            "flow": self.flow_id,
            "version": self.version,
            "mode": self.mode,
            "failover": orjson.loads(self.failover_body),
            "steps": steps,
            "warnings": [d.to_json() for d in self.warnings],
        }

    def plan_json(self) -> bytes:
        """``plan()`` as canonical JSON bytes (sorted keys, 2-space indent, final newline)."""
        return orjson.dumps(self.plan(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def flow_version(flow: Flow) -> str:
    """First 12 hex digits of the sha256 of the canonical JSON of ``flow.logic()``."""
    canonical = orjson.dumps(flow.logic(), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:12]


def step_dialplan_ids(flow: Flow, part: Partition) -> tuple[dict[str, str], list[Diagnostic]]:
    """The api_dialplan id that reaches each step, and a warning for each one still missing."""
    deployment = flow.settings.deployment
    ids: dict[str, str] = {}
    notes: list[Diagnostic] = []
    for sid in part.order:
        key = sid if deployment.mode == "per_step" else "flow"
        found = deployment.dialplan_ids.get(key)
        ids[sid] = found or sid
        if not found and sid != ENTRY_STEP:
            notes.append(
                Diagnostic(
                    code="FG701",
                    severity=Severity.WARNING,
                    message=f"no portal dialplan id for step '{sid}' yet: sending '{sid}' in its place",
                    evidence={"step": sid, "key": key},
                    hint=f"create the step's dialplan in the portal (see the deployment sheet) and set "
                    f"settings.deployment.dialplan_ids['{key}']",
                    advice=f"Create the dialplan in the portal, paste its id into '{key}' on the Deploy tab, "
                    "then publish again",
                )
            )
    if deployment.mode == "single":
        notes = notes[:1]  # one portal dialplan: one reminder is enough
    return ids, notes


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Building thousands of small ops creates no reference cycles, yet each allocation burst
    # triggers collections that rescan every live object (the whole flow model): on a
    # 10,000-node flow that is a third of the compile time. Pause the collector meanwhile.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compile_flow(flow: Flow, diagnostics: list[Diagnostic] | None = None) -> CompiledFlow:
    """Check and compile ``flow``; raise :class:`CompileError` when the checks find errors.

    ``diagnostics``: the result of an earlier ``check(flow)``, to avoid checking twice.
    """
    found = check(flow) if diagnostics is None else list(diagnostics)
    failover = flow.settings.failover
    if failover is None and not any(d.code == "FG401" for d in found):
        found.append(Diagnostic("FG401", Severity.ERROR, "the flow has no failover destination"))
    if failover is None or any(d.is_error for d in found):
        raise CompileError(found)
    part = partition(flow)
    ids, notes = step_dialplan_ids(flow, part)
    nodes = flow.node_map()
    with _gc_paused():
        ops = {nid: build_op(nodes[nid], flow, ids) for nid in part.node_steps}
    steps = {
        sid: StepProgram(sid, flow.entry if s.menu is None else None, s.menu, s.depth, s.nodes)
        for sid, s in part.steps.items()
    }
    profile = flow.settings.profile
    fallback = emit.TransferAction(failover.type, tuple(failover.data))
    reads, carry = context_steps(flow, part)
    return CompiledFlow(
        flow_id=flow.id,
        version=flow_version(flow),
        profile=profile,
        partition=part,
        warnings=[d for d in found if not d.is_error] + notes,
        ops=ops,
        steps=steps,
        dialplan_ids=ids,
        mode=flow.settings.deployment.mode,
        failover_body=emit.frame([emit.encode_action(fallback, profile)]),
        failover_destination=failover.model_dump(mode="json"),
        secret_header=flow.settings.deployment.secret_header,
        tz=zone(profile.timezone),
        reads_context=reads,
        carry_into=carry,
    )
