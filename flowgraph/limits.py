"""Size limits that keep one flow from stalling or bloating the server (docs/architecture.md "Limits").

:func:`largest_answers` bounds, for each compiled step, the bytes of the biggest answer it can
send: the longest path (in bytes) through the step's ops, each action counted at its encoded
size, a templated value at its template text plus :data:`TEMPLATE_ALLOWANCE` (the value filled
in per call is unknown here). :func:`check_answer_size` turns a step over the limit into a
located :class:`FlowLoadError` (422 at publish).
"""

from __future__ import annotations

from flowgraph.compile.compiler import ActionOp, CompiledFlow, LookupOp, MenuOp, SwitchOp
from flowgraph.diagnostics import FlowLoadError

#: Bytes added for each templated action: what a call's value may add to the template text.
TEMPLATE_ALLOWANCE = 256


def _own_size(op: object) -> int:
    emitter = getattr(op, "emitter", None)
    if emitter is None:
        return 0
    if emitter.fragment is not None:
        size = len(emitter.fragment)
    else:
        size = len(repr(emitter.shown)) + TEMPLATE_ALLOWANCE
    if isinstance(op, MenuOp):
        size += len(op.handoff)
    return size + 3  # the framing around and between actions (nested form: "[...],")


def _successors(op: object) -> list[str]:
    if isinstance(op, ActionOp):
        return [op.next] if op.next is not None else []
    if isinstance(op, SwitchOp | LookupOp):
        return list(op.targets.values())
    return []  # a menu ends its step


def _longest(compiled: CompiledFlow, starts: list[str], memo: dict[str, int]) -> int:
    # Iterative post-order: a 5,000-node chain must not hit Python's recursion limit.
    for start in starts:
        stack = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if node in memo or node not in compiled.ops:
                continue
            op = compiled.ops[node]
            nexts = [n for n in _successors(op) if n in compiled.ops]
            if expanded:
                memo[node] = _own_size(op) + max((memo.get(n, 0) for n in nexts), default=0)
                continue
            stack.append((node, True))
            stack.extend((n, False) for n in nexts if n not in memo)
    return max((memo.get(s, 0) for s in starts), default=0)


def largest_answers(compiled: CompiledFlow) -> dict[str, int]:
    """Each step's bound on its answer size, in bytes (frame brackets included)."""
    out: dict[str, int] = {}
    memo: dict[str, int] = {}
    for step_id, step in compiled.steps.items():
        if step.menu is not None and isinstance(compiled.ops.get(step.menu), MenuOp):
            menu = compiled.ops[step.menu]
            assert isinstance(menu, MenuOp)
            starts = list(menu.targets.values())
        else:
            starts = [step.start] if step.start else []
        out[step_id] = _longest(compiled, starts, memo) + 4
    return out


def check_answer_size(compiled: CompiledFlow, limit: int, source: str) -> None:
    """Raise :class:`FlowLoadError` naming every step whose answer could exceed ``limit`` bytes."""
    over = sorted(
        ((size, step) for step, size in largest_answers(compiled).items() if size > limit), reverse=True
    )
    if over:
        problems = [
            (
                f"steps.{step}",
                f"the answer of step '{step}' can reach {size} bytes, over the limit of {limit} "
                "(FLOWGRAPH_MAX_ANSWER_BYTES): split its long run of plays with a menu or move part of it "
                "to another dialplan",
            )
            for size, step in over
        ]
        raise FlowLoadError(source, problems)
