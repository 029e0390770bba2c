"""Variable rules (FG6xx): every ``{{name}}`` is defined wherever it is used.

Call variables exist in every request. A lookup ``L`` defines ``{{L.<column>}}`` on its
``found`` branch; a menu ``M`` defines ``{{M.digits}}`` in its continuation step ``after_M``.
Variables do not cross a menu: each step is a separate request and per-step mode keeps no
per-call state (docs/architecture.md), so a use must be covered within its own step.
"""

from __future__ import annotations

import difflib
from collections import deque
from dataclasses import dataclass
from typing import Any

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import CALL_VARIABLES, Flow, template_names
from flowgraph.partition import Step, step_id_for_menu


@dataclass(frozen=True)
class Use:
    node: str
    field: str
    name: str


def uses_of(node: Any) -> list[Use]:
    """Every variable a node's fields use, with the field's dotted path."""
    fields: list[tuple[str, str]] = []
    if node.type in {"play", "menu"}:
        fields.append(("recording.data", node.recording.data))
    elif node.type == "transfer":
        fields.extend((f"targets[{i}]", t) for i, t in enumerate(node.targets))
        if node.moh is not None:
            fields.append(("moh", node.moh))
    elif node.type == "lookup":
        fields.append(
            ("source.key", node.source.key)
            if node.source.kind == "table"
            else ("source.url", node.source.url)
        )
    elif node.type == "switch":
        for i, case in enumerate(node.cases):
            if case.when.on == "table":
                fields.append((f"cases[{i}].when.key", case.when.key))
    uses = [Use(node.id, f, name) for f, text in fields for name in template_names(text)]
    if node.type == "switch":
        # A variable condition names its variable bare (no braces); resolve it as written.
        uses += [
            Use(node.id, f"cases[{i}].when.variable", case.when.variable.strip("{} "))
            for i, case in enumerate(node.cases)
            if case.when.on == "variable"
        ]
    return uses


def check_variables(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject unknown variables (FG601), table columns that do not exist (FG604), variables not
    defined on every path within the step that uses them (FG602) or defined only in another step
    (FG603), and variables in fields sent verbatim to the portal or platform (FG605)."""
    out = _not_allowed(flow, ctx)
    pending: dict[str, list[Use]] = {}
    for node_id, node in ctx.nodes.items():
        for use in uses_of(node):
            problem = _resolve(use, ctx)
            if problem is not None:
                out.append(problem)
            elif "." in use.name:
                pending.setdefault(node_id, []).append(use)
    if pending:
        out.extend(_undefined(ctx, pending))
    return out


def _known_names(ctx: CheckContext) -> list[str]:
    names = list(CALL_VARIABLES)
    for node_id, node in ctx.nodes.items():
        if node.type == "menu":
            names.append(f"{node_id}.digits")
        elif node.type == "lookup":
            names.extend(f"{node_id}.{c}" for c in _columns(ctx, node) or ["<column>"])
    return names


def _columns(ctx: CheckContext, node: Any) -> list[str] | None:
    """A table lookup's columns (declared ones plus any row key); None when any name may do
    (an HTTP source, or a missing table that FG518 reports)."""
    if node.source.kind != "table":
        return None
    table = ctx.flow.tables.get(node.source.table)
    if table is None:
        return None
    cols = dict.fromkeys(table.columns)
    for row in table.rows.values():
        cols.update(dict.fromkeys(row))
    return list(cols)


def _resolve(use: Use, ctx: CheckContext) -> Diagnostic | None:
    """FG601/FG604 when ``use.name`` names nothing; None when it names a real variable."""
    where: dict[str, Any] = {"nodes": (use.node,), "field": use.field}
    if use.name in CALL_VARIABLES:
        return None
    owner_id, _, attr = use.name.partition(".")
    owner = ctx.nodes.get(owner_id)
    if owner is not None and owner.type == "menu" and attr == "digits":
        return None
    if owner is not None and owner.type == "lookup" and attr:
        columns = _columns(ctx, owner)
        # None: an HTTP answer may carry any field; a missing table is FG518's to report.
        if columns is None or attr in columns:
            return None
        matches = difflib.get_close_matches(attr, columns, n=3)
        return diag(
            "FG604",
            f"'{{{{{use.name}}}}}': table '{owner.source.table}' has no column '{attr}'",
            evidence={"columns": columns, "close_matches": matches},
            hint=f"did you mean '{owner_id}.{matches[0]}'?" if matches else "add the column to the table",
            **where,
        )
    matches = difflib.get_close_matches(use.name, _known_names(ctx), n=3)
    return diag(
        "FG601",
        f"'{{{{{use.name}}}}}' is not a call variable, a lookup column or a menu's digits",
        evidence={"name": use.name, "close_matches": matches},
        hint=(
            f"did you mean '{{{{{matches[0]}}}}}'?"
            if matches
            else f"call variables: {', '.join(CALL_VARIABLES)}"
        ),
        **where,
    )


def _not_allowed(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Fields the portal or platform receives as written cannot carry request-time variables."""
    spots: list[tuple[tuple[str, ...], str, str]] = []
    if flow.settings.failover is not None:
        spots.extend(
            ((), f"settings.failover.data[{i}]", v) for i, v in enumerate(flow.settings.failover.data)
        )
    spots.extend(((n.id,), "dialplan_id", n.dialplan_id) for n in ctx.nodes.values() if n.type == "dialplan")
    return [
        diag(
            "FG605",
            f"'{text}' holds a variable, but this field is sent as written",
            nodes=nodes,
            field=field,
            hint="use a fixed value here; route with a switch or lookup to pick between fixed values",
        )
        for nodes, field, text in spots
        if template_names(text)
    ]


def _undefined(ctx: CheckContext, pending: dict[str, list[Use]]) -> list[Diagnostic]:
    part = ctx.partition
    tracked = {u.name.partition(".")[0] for uses in pending.values() for u in uses}
    out: list[Diagnostic] = []
    reported: set[tuple[str, str, str]] = set()
    for sid in part.order:
        step = part.steps[sid]
        users = [n for n in step.nodes if n in pending]
        if not users:
            continue
        defined = _must_defined(ctx, step, tracked)
        for node_id in users:
            for use in pending[node_id]:
                key = (use.node, use.field, use.name)
                if key not in reported and not _covered(ctx, use, step, defined[node_id]):
                    reported.add(key)
                    out.append(_undefined_diag(ctx, use, step))
    return out


def _covered(ctx: CheckContext, use: Use, step: Step, defined: frozenset[str]) -> bool:
    owner_id = use.name.partition(".")[0]
    if ctx.nodes[owner_id].type == "menu":
        return step.id == step_id_for_menu(owner_id)
    return owner_id in defined


def _undefined_diag(ctx: CheckContext, use: Use, step: Step) -> Diagnostic:
    owner_id = use.name.partition(".")[0]
    owner = ctx.nodes[owner_id]
    var = "{{" + use.name + "}}"
    where: dict[str, Any] = {"nodes": (use.node, owner_id), "field": use.field}
    if owner.type == "menu":
        other = step_id_for_menu(owner_id)
    else:
        other = next((s for s in ctx.partition.node_steps.get(owner_id, ()) if s != step.id), "")
    if owner.type == "menu" or (owner_id not in step.nodes and other):
        return diag(
            "FG603",
            f"{var} is defined in step '{other}' but used in step '{step.id}'",
            evidence={"step": step.id, "defined_in": other},
            hint="variables do not cross a menu: each step is a new request; repeat the lookup "
            "after the menu, or use a switch before it",
            **where,
        )
    return diag(
        "FG602",
        f"{var} is not defined on every path to this node in step '{step.id}' "
        f"(only after {owner_id}'s 'found' branch)",
        evidence={"step": step.id},
        hint=f"use it only on paths through {owner_id}'s 'found' branch",
        **where,
    )


def _step_edges(ctx: CheckContext, node_id: str, members: set[str]) -> list[tuple[str, str]]:
    """(branch, target) edges a request follows inside its step (menus and terminals stop it)."""
    node = ctx.nodes[node_id]
    if node.type in {"menu", "dialplan", "hangup"}:
        return []
    if node.type == "transfer":
        target = node.branches.get("no_answer")
        return [("no_answer", target)] if ctx.profile.transfer_fallthrough and target in members else []
    return [(b, t) for b, t in node.branches.items() if t in members]


def _topological(nodes: tuple[str, ...], edges: dict[str, list[tuple[str, str]]]) -> tuple[list[str], bool]:
    """Kahn's order of a step's nodes (nodes on a cycle follow in breadth-first order) and
    whether the step is acyclic."""
    indegree = dict.fromkeys(nodes, 0)
    for n in nodes:
        for _b, t in edges[n]:
            indegree[t] += 1
    ready = deque(n for n in nodes if indegree[n] == 0)
    order: list[str] = []
    while ready:
        n = ready.popleft()
        order.append(n)
        for _b, t in edges[n]:
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    return order + [n for n in nodes if indegree[n] > 0], len(order) == len(nodes)


def _must_defined(ctx: CheckContext, step: Step, tracked: set[str]) -> dict[str, frozenset[str]]:
    """Tracked lookups whose ``found`` branch lies on every path from the step start to a node.

    A forward must-analysis: IN[n] is the intersection over incoming edges of what the source
    defines, empty at the step's starts. Processed in topological order; a cyclic step (already
    an FG201 error) is iterated to a fixed point, which terminates because sets only shrink.
    """
    members = set(step.nodes)
    edges = {n: _step_edges(ctx, n, members) for n in step.nodes}
    order, acyclic = _topological(step.nodes, edges)
    state: dict[str, frozenset[str] | None] = dict.fromkeys(step.nodes)
    for s in step.starts:
        if s in members:
            state[s] = frozenset()
    changed = True
    while changed:
        changed = False
        for n in order:
            here = state[n]
            if here is None:
                continue
            for b, t in edges[n]:
                out = here | {n} if (b == "found" and n in tracked) else here
                cur = state[t]
                new = out if cur is None else cur & out
                if new != cur:
                    state[t] = new
                    # In topological order one pass is final; only a cyclic step iterates.
                    changed = not acyclic
    return {n: s or frozenset() for n, s in state.items()}
