"""Server tables (FG54x): a flow's tables kept on the server, judged against what the server holds.

A flow declares a server table as ``tables: {"customers": {"server": true, "columns": [...]}}``;
its rows are imported separately (``PUT /api/tables/customers``). Offline (``flowgraph check``)
nothing is known of the server, so these rules say nothing; at publish the server passes its
tables' live versions as ``CheckOptions.server_tables`` and a flow that would look up a table
the server lacks (FG540), read a column it lacks (FG541) or match callers' numbers against keys
that are not numbers (FG542) cannot be published.

"Matches numbers" is decided here once (:func:`number_uses`): an ``exact`` lookup or table
condition whose key is exactly a phone-number call variable. Imports use the same function: a
table such a published flow matches must hold only keys the number rule accepts.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import TEMPLATE_RE, Flow

#: Call variables that carry a phone number (compared by the one number rule).
NUMBER_VARIABLES: frozenset[str] = frozenset({"caller_id_number", "call_to_number"})


def table_uses(flow: Flow) -> Iterator[tuple[str, str, str, str, str]]:
    """Every table lookup and table condition: (node id, field, table, match, key template)."""
    for node in flow.nodes:
        if node.type == "lookup" and node.source.kind == "table":
            src = node.source
            yield node.id, "source.table", src.table, src.match, src.key
        elif node.type == "switch":
            for i, case in enumerate(node.cases):
                if case.when.on == "table":
                    yield node.id, f"cases[{i}].when.table", case.when.table, "exact", case.when.key


def is_server_table(flow: Flow, name: str) -> bool:
    return name in flow.server_tables()


def number_uses(flow: Flow) -> dict[str, list[str]]:
    """Server tables ``flow`` matches callers' (or dialled) numbers against -> the node ids."""
    out: dict[str, list[str]] = {}
    for node_id, _field, table, match, key in table_uses(flow):
        var = TEMPLATE_RE.fullmatch(key.strip())
        if match == "exact" and var and var.group(1) in NUMBER_VARIABLES and is_server_table(flow, table):
            out.setdefault(table, []).append(node_id)
    return out


def server_columns(ctx: CheckContext, name: str) -> list[str] | None:
    """The columns a lookup on server table ``name`` may read: the live version's when the
    server's tables are known, else the ones the flow declares, else None (any)."""
    known = ctx.options.server_tables
    if known is not None and name in known:
        return list(known[name]["columns"])
    table = ctx.flow.tables.get(name)
    return list(table.columns) if table is not None and table.columns else None


def check_server_tables(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject uses of server tables the server does not have (FG540), declared columns the live
    version lacks (FG541) and number lookups on tables with keys that are not numbers (FG542).
    Says nothing when the server's tables are unknown (``flowgraph check`` offline)."""
    known = ctx.options.server_tables
    if known is None:
        return []
    out: list[Diagnostic] = []
    numbers = number_uses(flow)
    seen: set[str] = set()
    for node_id, field, name, _match, _key in table_uses(flow):
        if not is_server_table(flow, name):
            continue
        live = known.get(name)
        if live is None:
            out.append(_missing(name, node_id, field, known))
            continue
        if name in seen:
            continue
        seen.add(name)
        out.extend(_columns(flow, name, node_id, live))
        if name in numbers and live["text_keys"]:
            out.append(_text_keys(name, numbers[name], live))
    return out


def _missing(name: str, node_id: str, field: str, known: dict[str, Any]) -> Diagnostic:
    matches = difflib.get_close_matches(name, list(known), n=1)
    return diag(
        "FG540",
        f"server table '{name}' does not exist on this server (tables: {', '.join(sorted(known)) or 'none'})",
        nodes=(node_id,),
        field=field,
        evidence={"table": name, "close_matches": matches},
        hint=f"did you mean '{matches[0]}'?"
        if matches
        else f"import it first: flowgraph table import {name} FILE (or PUT /api/tables/{name})",
        advice=f"Upload the table '{name}' on the Tables tab, then publish again",
    )


def _columns(flow: Flow, name: str, node_id: str, live: dict[str, Any]) -> list[Diagnostic]:
    declared = flow.tables[name].columns
    lacking = [c for c in declared if c not in live["columns"]]
    if not lacking:
        return []
    return [
        diag(
            "FG541",
            f"server table '{name}' (version {live['version']}) has no column "
            f"{', '.join(repr(c) for c in lacking)} (columns: {', '.join(live['columns']) or 'none'})",
            nodes=(node_id,),
            field=f"tables.{name}.columns",
            evidence={"table": name, "missing": lacking, "columns": live["columns"]},
            hint="import a file with those columns, or remove them from the flow's table",
        )
    ]


def _text_keys(name: str, nodes: list[str], live: dict[str, Any]) -> Diagnostic:
    examples = "; ".join(f"{where}: {key!r}" for where, key in live["text_key_examples"][:3])
    return diag(
        "FG542",
        f"server table '{name}' (version {live['version']}) has {live['text_keys']} key(s) that are not "
        f"one national number ({examples}), and this flow matches callers' numbers against it",
        nodes=tuple(nodes),
        evidence={"table": name, "text_keys": live["text_keys"], "examples": live["text_key_examples"]},
        hint="fix those rows and import the table again: no caller's number can ever match them",
    )
