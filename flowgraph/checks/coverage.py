"""Failover coverage rules (FG4xx): every call has somewhere to go.

The platform fails a call over to the dialplan's failover destination on any bad answer, so a flow
must name one; inside the flow, every declared branch must be wired and every path from the entry
must end in a terminal (transfer, dialplan hand-off or hangup).
"""

from __future__ import annotations

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.checks.paths import format_path, path_report
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import Flow, required_branches


def check_failover(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject a flow without ``settings.failover`` (FG401): the portal needs it for every step."""
    if flow.settings.failover is not None:
        return []
    return [
        diag(
            "FG401",
            "the flow has no failover destination",
            field="settings.failover",
            hint='add settings.failover, e.g. {"type": "department", "data": ["5001"]}',
            advice="Choose a failover destination: a type and the department, number or IVR to send calls to",
        )
    ]


def check_wired(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject nodes with a required branch left unwired (FG402): a call taking it would stop."""
    out = []
    for node_id, node in ctx.nodes.items():
        for branch in required_branches(node):
            if branch not in node.branches:
                out.append(
                    diag(
                        "FG402",
                        f"{node.type} branch '{branch}' is not wired",
                        nodes=(node_id,),
                        edges=((node_id, branch),),
                        field=f"branches.{branch}",
                        hint=_wire_hint(node.type, branch),
                        advice=_wire_advice(node.type, branch),
                    )
                )
    return out


def _wire_hint(kind: str, branch: str) -> str:
    if branch in {"no_input", "invalid"}:
        return f"wire '{branch}' (e.g. to a transfer to the operator); use `retry` to ask again"
    if branch in {"not_found", "error"}:
        return f"wire '{branch}' to what callers get when the lookup has no answer"
    return f"wire '{branch}' to the node that should follow"


#: Branch names as the editor labels its handles.
_BRANCH_WORDS = {"no_input": "no input", "not_found": "not found", "no_answer": "no answer"}


def _wire_advice(kind: str, branch: str) -> str:
    label = _BRANCH_WORDS.get(branch, branch)
    if kind == "menu" and branch in {"no_input", "invalid"}:
        return (
            f"Drag from the '{label}' handle to what callers get then (e.g. a transfer to the "
            "operator); to ask again first, raise Retries"
        )
    if kind == "menu":
        return f"Drag from the option '{label}' handle to the node for callers who press {label}"
    if branch in {"not_found", "error"}:
        return f"Drag from the '{label}' handle to what callers get when the lookup has no answer"
    return f"Drag from the '{label}' handle to the node that should follow"


def check_terminals(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject dead ends on paths from the entry (FG403), with how many paths stop there."""
    # Counting paths is only needed when some reachable node has a branch leading nowhere.
    if not any(ctx.missing[n] for n in ctx.reachable):
        return []
    out = []
    for end in path_report(flow, ctx).ends:
        if not end.dead_end:
            continue
        out.append(
            diag(
                "FG403",
                f"{end.paths} path(s) from the entry stop at this {end.type} node "
                f"(branch {', '.join(end.missing)} leads nowhere)",
                nodes=(end.node,),
                edges=[(end.node, b) for b in end.missing],
                evidence={"paths": end.paths, "examples": [format_path(p) for p in end.examples]},
                hint="every path must end in a transfer, a dialplan hand-off or a hangup",
                advice="Wire the marked branches, so every path ends in a transfer, a hand-off or a hangup",
            )
        )
    return out
