"""Compile a checked flow into steps the server evaluates per request: ``compile_flow(flow)``.

A step (see :mod:`flowgraph.compile.partition`) is a small program: server-side decisions (``switch``,
``lookup``, the menu branch from ``last_dtmf``) then the actions to emit. Each node becomes one
op (:mod:`flowgraph.compile.ops`: :class:`ActionOp`, :class:`MenuOp`, :class:`SwitchOp`,
:class:`LookupOp`); an action with no ``{{variables}}`` is encoded once there, so answering is a
walk that joins byte fragments (:mod:`flowgraph.runtime.engine`). The same flow always compiles
to the same plan, byte for byte.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

import orjson

from flowgraph.checks import check
from flowgraph.checks.variables import context_steps
from flowgraph.compile import emit
from flowgraph.compile.conditions import Env, Template
from flowgraph.compile.ops import (
    BUILDERS,
    PLANS,
    ActionOp,
    Emitter,
    LookupOp,
    MenuOp,
    Op,
    SplitOp,
    SwitchOp,
    build_op,
    make_emitter,
    op_plan,
)
from flowgraph.compile.partition import ENTRY_STEP, Partition, partition
from flowgraph.diagnostics import CompileError, Diagnostic, Severity
from flowgraph.model import Flow
from flowgraph.profile import TIMEZONE, PlatformProfile
from flowgraph.runtime.callvars import zone

__all__ = [
    "BUILDERS",
    "PLANS",
    "ActionOp",
    "CompiledFlow",
    "Emitter",
    "Env",
    "LookupOp",
    "MenuOp",
    "Op",
    "SplitOp",
    "StepProgram",
    "SwitchOp",
    "Template",
    "build_op",
    "compile_flow",
    "flow_version",
    "make_emitter",
    "op_plan",
    "step_dialplan_ids",
]


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
