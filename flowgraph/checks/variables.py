"""Variable rules (FG6xx): every ``{{name}}`` is defined wherever it is used.

Call variables exist in every request. A lookup ``L`` defines ``{{L.<column>}}`` on its
``found`` branch; a menu ``M`` defines ``{{M.digits}}`` on every branch after it. Variables live
for the whole call: the server keeps them in the call's context between requests
(:mod:`flowgraph.runtime.context`), so a use must be covered on every path from the entry, across
menus.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.checks.server_tables import server_columns
from flowgraph.compile.partition import Partition, step_id_for_menu
from flowgraph.diagnostics import Diagnostic
from flowgraph.graphwalk import reachable, topological
from flowgraph.model import CALL_VARIABLES, Flow, template_names
from flowgraph.specs import field_values, spec_of, wired_next


@dataclass(frozen=True)
class Use:
    node: str
    field: str
    name: str


def uses_of(node: Any) -> list[Use]:
    """Every variable a node's fields use, with the field's dotted path (the templated fields
    are the node type's spec's)."""
    fields = [
        (path, text)
        for templated in spec_of(node).templated
        for path, text in field_values(node, templated)
        if isinstance(text, str)
    ]
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
    defined on every path from the entry to their use (FG602; FG603 for a menu's digits), and variables in fields sent verbatim to the portal or platform (FG605)."""
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
    if table.server:
        return server_columns(ctx, node.source.table)
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
    """FG602/FG603 for uses not defined on every path from the entry to the node that uses them."""
    tracked = {u.name.partition(".")[0] for uses in pending.values() for u in uses}
    defined = must_defined(ctx.flow, ctx.nodes, tracked)
    out: list[Diagnostic] = []
    for node_id in sorted(pending, key=lambda n: ctx.order.get(n, 0)):
        if node_id not in defined:
            continue  # unreachable (FG106 reports it): no path, nothing to prove
        for use in dict.fromkeys(pending[node_id]):
            if use.name.partition(".")[0] not in defined[node_id]:
                out.append(_undefined_diag(ctx, use))
    return out


def _undefined_diag(ctx: CheckContext, use: Use) -> Diagnostic:
    owner_id = use.name.partition(".")[0]
    var = "{{" + use.name + "}}"
    where: dict[str, Any] = {"nodes": (use.node, owner_id), "field": use.field}
    if ctx.nodes[owner_id].type == "menu":
        return diag(
            "FG603",
            f"{var} is used where the caller may not have answered menu '{owner_id}' yet",
            evidence={"menu": owner_id},
            hint=f"use {var} only on paths after menu '{owner_id}' (its options, no_input or invalid)",
            **where,
        )
    return diag(
        "FG602",
        f"{var} is not defined on every path to this node (only after {owner_id}'s 'found' branch)",
        evidence={"lookup": owner_id},
        hint=f"use it only on paths through {owner_id}'s 'found' branch",
        **where,
    )


def _edges(nodes: dict[str, Any], node: Any, fallthrough: bool) -> list[tuple[str, str]]:
    """(branch, target) edges a call can follow from ``node``, across requests (menus included)."""
    return [(b, t) for b, t in wired_next(node, fallthrough) if t in nodes]


def must_defined(flow: Flow, nodes: dict[str, Any], tracked: set[str]) -> dict[str, frozenset[str]]:
    """For each node reachable from the entry: the tracked owners (lookups, menus) that define
    their variables on *every* path from the entry to it. A lookup defines ``L.*`` on its
    ``found`` branch; a menu defines ``M.digits`` on all its branches. Variables live for the
    whole call (the per-call context carries them across menus, docs/architecture.md).

    A forward must-analysis: IN[n] is the intersection over incoming edges of what the source
    passes on. Processed in topological order; a cyclic flow (already an FG201 error) is iterated
    to a fixed point, which terminates because sets only shrink.
    """
    if flow.entry not in nodes:
        return {}
    fallthrough = flow.settings.profile.transfer_fallthrough
    edges = {n: _edges(nodes, node, fallthrough) for n, node in nodes.items()}
    order, acyclic = topological_from(flow.entry, edges)
    state: dict[str, frozenset[str] | None] = dict.fromkeys(order)
    state[flow.entry] = frozenset()
    changed = True
    while changed:
        changed = False
        for n in order:
            here = state[n]
            if here is None:
                continue
            is_menu = nodes[n].type == "menu"
            for b, t in edges[n]:
                gives = n in tracked and (is_menu or b == "found")
                out = here | {n} if gives else here
                cur = state[t]
                new = out if cur is None else cur & out
                if new != cur:
                    state[t] = new
                    # In topological order one pass is final; only a cyclic flow iterates.
                    changed = not acyclic
    return {n: s for n, s in state.items() if s is not None}


def topological_from(start: str, edges: dict[str, list[tuple[str, str]]]) -> tuple[list[str], bool]:
    """Kahn's order of the nodes reachable from ``start`` (nodes on a cycle follow in
    breadth-first order), and whether that part of the graph is acyclic."""
    successors = {n: [t for _b, t in out] for n, out in edges.items()}
    order, rest = topological(reachable([start], successors), successors)
    return order + sorted(rest), not rest


def context_steps(flow: Flow, part: Partition) -> tuple[frozenset[str], frozenset[str]]:
    """Which steps need the per-call context: ``(reads, carry_into)``.

    ``reads``: steps that use a variable an earlier request may have set (a lookup column or a
    menu's digits from outside the step's own walk). ``carry_into``: steps whose request must
    find the call's context, because they or a step after them read it. Per-step mode keeps a
    context only for these; single-dialplan mode always keeps one (it holds the next step).
    """
    nodes = flow.node_map()
    reads: set[str] = set()
    for sid, step in part.steps.items():
        if step.menu is None:
            continue  # the entry is a call's first request: nothing earlier to read
        own = {n for n in step.nodes if len(part.node_steps.get(n, ())) == 1}
        for node_id in step.nodes:
            for use in uses_of(nodes[node_id]):
                owner, _, attr = use.name.partition(".")
                if not attr or (owner == step.menu and attr == "digits"):
                    continue
                if owner not in own or nodes.get(owner) is None or nodes[owner].type == "menu":
                    reads.add(sid)
    later: dict[str, set[str]] = {sid: set() for sid in part.steps}
    for sid, step in part.steps.items():
        for menu in step.menus:
            later[sid].add(step_id_for_menu(menu))
    carry = set(reads)
    changed = True
    while changed:  # steps form a DAG once the checks pass; the loop also ends on a cycle
        changed = False
        for sid, nxt in later.items():
            if sid not in carry and part.steps[sid].menu is not None and nxt & carry:
                carry.add(sid)
                changed = True
    return frozenset(reads), frozenset(carry)
