"""Platform value rules for decisions and endings (FG5xx): switch conditions, tables, hangups.

Split from :mod:`flowgraph.checks.platform_values` to keep modules small; same family of codes.
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from typing import Any

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.checks.platform_values import number_targets
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import Flow
from flowgraph.runtime.calendars import calendar_problem, server_calendar_problem


def check_decisions(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject switch conditions that can never match (FG517 empty time window, FG522 no numbers
    or days, FG508 bad numbers), tables that do not exist (FG518, switches and lookups), and
    warn on calendars that cannot be read (FG533)."""
    out: list[Diagnostic] = []
    for node_id, node in ctx.nodes.items():
        if node.type == "lookup" and node.source.kind == "table":
            out.extend(_table(node.source.table, node_id, "source.table", ctx))
        if node.type != "switch":
            continue
        for i, case in enumerate(node.cases):
            out.extend(_condition(case.when, node_id, f"cases[{i}].when", ctx))
    return out


def _condition(cond: Any, node_id: str, field: str, ctx: CheckContext) -> list[Diagnostic]:
    nodes = (node_id,)
    if cond.on == "table":
        return _table(cond.table, node_id, f"{field}.table", ctx)
    if cond.on == "time":
        out = []
        if cond.start >= cond.end:
            msg = f"time window {cond.start}-{cond.end} is empty (from must be before to)"
            hint = "split a window across midnight into two cases, e.g. 22:00-24:00 and 00:00-06:00"
            out.append(diag("FG517", msg, nodes=nodes, field=f"{field}.from", hint=hint))
        if not cond.days:
            out.append(diag("FG522", "time window has no days", nodes=nodes, field=f"{field}.days"))
        return out + _date_rules(cond, nodes, field, ctx)
    if cond.on in {"caller", "dialled"}:
        out = number_targets("number", cond.numbers, nodes, f"{field}.numbers")
        if not cond.numbers and not cond.prefixes:
            msg = f"{cond.on} condition lists no numbers and no prefixes"
            out.append(diag("FG522", msg, nodes=nodes, field=field, hint="add numbers or prefixes"))
        for j, prefix in enumerate(cond.prefixes):
            if not re.fullmatch(r"\+?[0-9]+", prefix):
                msg = f"prefix '{prefix}' is not digits"
                out.append(diag("FG522", msg, nodes=nodes, field=f"{field}.prefixes[{j}]", hint="use digits"))
        return out
    return []


def _date_rules(cond: Any, nodes: tuple[str, ...], field: str, ctx: CheckContext) -> list[Diagnostic]:
    """FG533: a calendar that cannot be read (the rule is skipped at request time, so the call
    still goes on: fail open); FG522: an ``only`` rule with no dates at all never matches."""
    out = []
    for kind, rule in cond.date_rules():
        where = f"{field}.{kind}"
        if kind == "only" and not rule.dates and not rule.calendar:
            msg = "'only' lists no dates and no calendar: the case never matches"
            out.append(diag("FG522", msg, nodes=nodes, field=where, hint="add dates or a calendar"))
        problem = _calendar(rule.calendar, ctx) if rule.calendar else ""
        if problem:
            skipped = (
                "the case does not match" if rule.unavailable == "no_match" else "the hours decide alone"
            )
            close = difflib.get_close_matches(rule.calendar, list(ctx.flow.tables), n=1)
            hint = f"did you mean '{close[0]}'?" if close and rule.calendar not in ctx.flow.tables else ""
            out.append(
                diag(
                    "FG533",
                    f"{problem}: its '{kind}' dates are skipped at call time ({skipped})",
                    nodes=nodes,
                    field=f"{where}.calendar",
                    evidence={"calendar": rule.calendar, "close_matches": close},
                    hint=hint or _calendar_hint(rule.calendar, ctx),
                    advice=f"Fix the calendar table (or upload it again); until then {skipped}",
                )
            )
    return out


def _calendar(name: str, ctx: CheckContext) -> str:
    """Why calendar ``name`` cannot be read: a table of the flow judged whole; a server table
    judged at publish against the server's live version (offline nothing is known of it)."""
    table = ctx.flow.tables.get(name)
    if table is None or not table.server:
        return calendar_problem(name, table)
    known = ctx.options.server_tables
    return "" if known is None else server_calendar_problem(name, known.get(name))


def _calendar_hint(name: str, ctx: CheckContext) -> str:
    table = ctx.flow.tables.get(name)
    if table is not None and table.server:
        return (
            f"upload it: flowgraph table import {name} FILE.csv (header date,name) or PUT /api/tables/{name}"
        )
    return "a calendar is a table keyed by dates YYYY-MM-DD with a 'name' column"


def _table(name: str, node_id: str, field: str, ctx: CheckContext) -> list[Diagnostic]:
    if name in ctx.flow.tables:
        return []
    matches = difflib.get_close_matches(name, list(ctx.flow.tables), n=1)
    return [
        diag(
            "FG518",
            f"table '{name}' does not exist (tables: {', '.join(sorted(ctx.flow.tables)) or 'none'})",
            nodes=(node_id,),
            field=field,
            evidence={"close_matches": matches},
            hint=f"did you mean '{matches[0]}'?" if matches else "add the table under `tables`",
        )
    ]


def check_hangups(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Warn on every hangup while the profile has not confirmed hangup behaviour (FG520); reject a
    hangup reached in a step before any action (FG521): the response would be ``[]``, which
    NOTES.md says never to send."""
    out = []
    for node_id in ctx.sorted_ids(n for n, node in ctx.nodes.items() if node.type == "hangup"):
        if not ctx.profile.hangup_confirmed:
            out.append(
                diag(
                    "FG520",
                    "the platform's behaviour when a response ends here is unconfirmed",
                    nodes=(node_id,),
                    hint="test a hangup on your account, then set settings.profile.hangup_confirmed",
                    advice="Once a test call on your account hangs up here as expected, tick "
                    "'Hangups confirmed' under Flow settings > Platform assumptions",
                )
            )
    silent: dict[str, list[tuple[str, list[str]]]] = {}
    for sid in ctx.partition.order:
        for hangup, path in _silent_hangups(ctx, ctx.partition.steps[sid].starts):
            silent.setdefault(hangup, []).append((sid, path))
    for hangup in ctx.sorted_ids(silent):
        sid, path = silent[hangup][0]
        out.append(
            diag(
                "FG521",
                f"step '{sid}' reaches this hangup before any action: the response would be [] "
                f"({' -> '.join(path)})",
                nodes=(hangup,),
                evidence={"steps": [s for s, _p in silent[hangup]], "path": path},
                hint="play a goodbye recording before hanging up",
            )
        )
    return out


def _silent_hangups(ctx: CheckContext, starts: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """Hangups reachable from a step's starts through decisions only (switch, lookup)."""
    parent: dict[str, str | None] = {s: None for s in starts if s in ctx.nodes}
    queue = deque(parent)
    found = []
    while queue:
        node_id = queue.popleft()
        node = ctx.nodes[node_id]
        if node.type == "hangup":
            path = [node_id]
            while (prev := parent[path[-1]]) is not None:
                path.append(prev)
            found.append((node_id, path[::-1]))
        if node.type not in {"switch", "lookup"}:
            continue
        for target in node.branches.values():
            if target in ctx.nodes and target not in parent:
                parent[target] = node_id
                queue.append(target)
    return found
