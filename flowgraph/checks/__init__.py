"""Checks: ``check(flow) -> list[Diagnostic]``, one module per rule family.

Every rule is a pure function ``check_x(flow, ctx) -> list[Diagnostic]`` listed in :data:`RULES`;
adding a rule is adding a function and a line. ``check`` always returns the full list, sorted
deterministically (errors first, then code, nodes, field); callers decide what is fatal.
"""

from __future__ import annotations

from collections.abc import Callable

from flowgraph.checks.catalogue import CATALOGUE, CatalogueEntry, diag
from flowgraph.checks.context import CheckContext, CheckOptions
from flowgraph.checks.coverage import check_failover, check_terminals, check_wired
from flowgraph.checks.cycles import check_cycles
from flowgraph.checks.decisions import check_decisions, check_hangups
from flowgraph.checks.fallthrough import check_fallthrough
from flowgraph.checks.nesting import check_nesting
from flowgraph.checks.paths import PathEnd, PathReport, format_path, path_report
from flowgraph.checks.platform_values import (
    check_lookup_time,
    check_menus,
    check_recordings,
    check_transfers,
    normalise_number,
)
from flowgraph.checks.required import check_required
from flowgraph.checks.server_tables import check_server_tables
from flowgraph.checks.splits import check_splits
from flowgraph.checks.structure import check_branches, check_duplicate_ids, check_entry, check_reachable
from flowgraph.checks.target_ids import check_target_ids
from flowgraph.checks.variables import check_variables
from flowgraph.diagnostics import Diagnostic, Severity
from flowgraph.model import Flow

Rule = Callable[[Flow, CheckContext], list[Diagnostic]]

#: Every rule, in family order (the order does not affect the sorted result).
RULES: tuple[Rule, ...] = (
    check_entry,
    check_duplicate_ids,
    check_branches,
    check_reachable,
    check_splits,
    check_cycles,
    check_nesting,
    check_failover,
    check_wired,
    check_terminals,
    check_menus,
    check_transfers,
    check_target_ids,
    check_fallthrough,
    check_recordings,
    check_lookup_time,
    check_decisions,
    check_hangups,
    check_variables,
    check_required,
    check_server_tables,
)

_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1}


def sort_key(d: Diagnostic) -> tuple:
    """Deterministic order: severity, code, nodes, field, edges, message."""
    return (_SEVERITY_RANK[d.severity], d.code, d.nodes, d.field, d.edges, d.message)


def check(flow: Flow, options: CheckOptions | None = None) -> list[Diagnostic]:
    """Run every rule on ``flow`` and return all diagnostics, sorted deterministically."""
    ctx = CheckContext(flow, options)
    found: list[Diagnostic] = []
    for rule in RULES:
        found.extend(rule(flow, ctx))
    ignore = ctx.options.ignore
    return sorted((d for d in found if d.code not in ignore), key=sort_key)


__all__ = [
    "CATALOGUE",
    "RULES",
    "CatalogueEntry",
    "CheckContext",
    "CheckOptions",
    "PathEnd",
    "PathReport",
    "check",
    "diag",
    "format_path",
    "normalise_number",
    "path_report",
    "sort_key",
]
