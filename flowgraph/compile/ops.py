"""Ops: what each node becomes in a compiled step, built through one table keyed by node type.

Each node becomes one op (:class:`ActionOp`, :class:`MenuOp`, :class:`SwitchOp`,
:class:`LookupOp`) built by :data:`BUILDERS` and described in the plan by :data:`PLANS`; the
runtime walks them through its own table (:mod:`flowgraph.runtime.engine`). An action with no
``{{variables}}`` is encoded once here (:class:`Emitter`), so answering joins byte fragments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import orjson

from flowgraph.compile import emit
from flowgraph.compile.conditions import Condition, Env, Template, compile_condition
from flowgraph.compile.partition import step_id_for_menu
from flowgraph.diagnostics import FieldRenderError
from flowgraph.model import Flow
from flowgraph.profile import ID_TRANSFER_TYPES, PlatformProfile, sendable_id, sendable_number
from flowgraph.runtime.lookups import TableIndex
from flowgraph.runtime.split import BUCKETS, bounds
from flowgraph.specs import dispatch, wired_next

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
        raise FieldRenderError(f"empty_value: node '{node}': {what} '{tpl.text}' is empty for this call")
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
                    raise FieldRenderError(f"bad_url: node '{node}': {value[:200]!r} is not an http(s) URL")
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
                    raise FieldRenderError(
                        f"bad_number: node '{node}': {bad[0][:100]!r} is not one national number"
                    )
            elif action.type in ID_TRANSFER_TYPES:
                bad = [v for v in data if not sendable_id(v, profile)]
                if bad:
                    # Never send what cannot be one id (the profile's one id rule): fail over.
                    raise FieldRenderError(
                        f"bad_value: node '{node}': {bad[0][:100]!r} is not one {action.type} id"
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


@dataclass(frozen=True, slots=True)
class ActionOp:
    """play / transfer / dialplan / hangup: emit (hangup: nothing), then ``next`` or end."""

    node: str
    #: The node type (the runtime's and :func:`op_plan`'s tables are keyed by it).
    type: str
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
    type: str = "menu"


@dataclass(frozen=True, slots=True)
class SwitchOp:
    """First case whose condition matches, else ``default``."""

    node: str
    cases: tuple[tuple[str, Condition], ...]
    targets: dict[str, str]
    type: str = "switch"


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
    type: str = "lookup"


@dataclass(frozen=True, slots=True)
class SplitOp:
    """The caller's arm (:mod:`flowgraph.runtime.split`): ``arms`` are (branch, upper bucket)."""

    node: str
    arms: tuple[tuple[str, int], ...]
    targets: dict[str, str]
    type: str = "split"


Op = ActionOp | MenuOp | SwitchOp | LookupOp | SplitOp
#: Builds one node's op: ``(node, flow, dialplan ids) -> op``.
Builder = Callable[[Any, Flow, dict[str, str]], Op]


def _dtmf(node: Any, profile: PlatformProfile) -> emit.Dtmf:
    return emit.Dtmf(
        timeout=node.timeout_ms if node.timeout_ms is not None else profile.dtmf_timeout_ms,
        max_length=node.max_length if node.max_length is not None else profile.dtmf_max_length,
        retry=node.retry if node.retry is not None else profile.dtmf_retry,
    )


def _play_op(node: Any, flow: Flow, ids: dict[str, str]) -> Op:
    rec = emit.RecordingAction(node.recording.type, node.recording.data)
    emitter = make_emitter(rec, node.id, flow.settings.profile)
    return ActionOp(node.id, "play", emitter, node.branches.get("next"), "next")


def _transfer_op(node: Any, flow: Flow, ids: dict[str, str]) -> Op:
    profile = flow.settings.profile
    action = emit.TransferAction(
        node.transfer, tuple(node.targets), node.ring_type, node.moh, node.skip_active
    )
    nxt = next((t for _b, t in wired_next(node, profile.transfer_fallthrough)), None)
    return ActionOp(node.id, "transfer", make_emitter(action, node.id, profile), nxt, "no_answer")


def _dialplan_op(node: Any, flow: Flow, ids: dict[str, str]) -> Op:
    emitter = make_emitter(emit.DialplanAction(node.dialplan_id), node.id, flow.settings.profile)
    return ActionOp(node.id, "dialplan", emitter, None)


def _hangup_op(node: Any, flow: Flow, ids: dict[str, str]) -> Op:
    return ActionOp(node.id, "hangup", None, None)


def _menu_op(node: Any, flow: Flow, ids: dict[str, str]) -> Op:
    profile = flow.settings.profile
    prompt = emit.RecordingAction(node.recording.type, node.recording.data, _dtmf(node, profile))
    step = step_id_for_menu(node.id)
    handoff = emit.encode_action(emit.DialplanAction(ids[step]), profile)
    emitter = make_emitter(prompt, node.id, profile)
    return MenuOp(node.id, emitter, handoff, step, frozenset(node.options), dict(node.branches))


def _switch_op(node: Any, flow: Flow, ids: dict[str, str]) -> Op:
    cases = tuple((c.branch, compile_condition(c.when, flow)) for c in node.cases)
    return SwitchOp(node.id, cases, dict(node.branches))


def _lookup_op(node: Any, flow: Flow, ids: dict[str, str]) -> Op:
    src, targets = node.source, dict(node.branches)
    if src.kind == "table":
        table = flow.tables.get(src.table)
        index = TableIndex.build(table.rows if table else {}, src.match)
        return LookupOp(node.id, targets, Template.of(src.key), index, src.table)
    return LookupOp(node.id, targets, url=Template.of(src.url), method=src.method, timeout_ms=src.timeout_ms)


def _split_op(node: Any, flow: Flow, ids: dict[str, str]) -> Op:
    upper = bounds([arm.share for arm in node.arms])
    return SplitOp(
        node.id, tuple(zip((arm.branch for arm in node.arms), upper, strict=True)), dict(node.branches)
    )


#: The compiler's table: one builder per node type (``tests/test_specs.py`` checks it covers all).
BUILDERS: dict[str, Builder] = {
    "play": _play_op,
    "menu": _menu_op,
    "transfer": _transfer_op,
    "dialplan": _dialplan_op,
    "switch": _switch_op,
    "lookup": _lookup_op,
    "split": _split_op,
    "hangup": _hangup_op,
}


def build_op(node: Any, flow: Flow, dialplan_ids: dict[str, str]) -> Op:
    """The op for one node (``dialplan_ids``: the id sent to reach each step); an unknown node
    type raises :class:`~flowgraph.diagnostics.UnknownNodeType`."""
    return dispatch(BUILDERS, node.type, "the compiler")(node, flow, dialplan_ids)


def _action_plan(op: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": op.type}
    if op.emitter is not None:
        out["emit" if op.emitter.fragment is not None else "template"] = op.emitter.shown
    if op.next is not None:
        out[op.branch] = op.next
    return out


def _menu_plan(op: Any) -> dict[str, Any]:
    return {
        "kind": "menu",
        "emit" if op.emitter.fragment is not None else "template": op.emitter.shown,
        "handoff": orjson.loads(op.handoff),
        "next_step": op.next_step,
        "decide": dict(op.targets),
    }


def _switch_plan(op: Any) -> dict[str, Any]:
    cases = [{"branch": b, "when": cond.plan()} for b, cond in op.cases]
    return {"kind": "switch", "cases": cases, "branches": dict(op.targets)}


def _lookup_plan(op: Any) -> dict[str, Any]:
    source: dict[str, Any]
    if op.index is not None:
        source = {"table": op.table, "key": op.key.text if op.key else "", "match": op.index.match}
    else:
        source = {"url": op.url.text if op.url else "", "method": op.method, "timeout_ms": op.timeout_ms}
    return {"kind": "lookup", "source": source, "branches": dict(op.targets)}


def _split_plan(op: Any) -> dict[str, Any]:
    arms = [{"branch": b, "below": upper} for b, upper in op.arms]
    return {"kind": "split", "arms": arms, "buckets": BUCKETS, "branches": dict(op.targets)}


#: How each op type describes itself in the plan.
PLANS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "play": _action_plan,
    "menu": _menu_plan,
    "transfer": _action_plan,
    "dialplan": _action_plan,
    "switch": _switch_plan,
    "lookup": _lookup_plan,
    "split": _split_plan,
    "hangup": _action_plan,
}


def op_plan(op: Op) -> dict[str, Any]:
    """A JSON-able description of an op (for plan(), the CLI and golden files)."""
    return dispatch(PLANS, op.type, "the plan")(op)
