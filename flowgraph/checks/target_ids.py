"""Id targets (FG528, FG529): every agent, IVR, auto-attendant or department id sent is one id.

The shape of an id is the profile's ``target_id_pattern``, judged by the one id rule
:func:`flowgraph.profile.sendable_id` (the platform document shows ids only by example:
``05000001``, ``06047530001``, ``22590``). Values with ``{{...}}`` are judged by the same rule
at request time, where a refused one gives the failover (``bad_value``); here a flow table's
cells that would be refused are warned about.
"""

from __future__ import annotations

from typing import Any

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.checks.platform_values import table_cells_refused
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import Flow
from flowgraph.profile import ID_TRANSFER_TYPES, PlatformProfile, sendable_id


def check_target_ids(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject literal id targets the id rule refuses (FG528: a space, a comma joining two ids,
    an unreplaced ``$agent``, ...) on transfers and the failover destination, and warn when a
    flow table's column that feeds an id transfer holds such values (FG529)."""
    out: list[Diagnostic] = []
    for node_id, node in ctx.nodes.items():
        if node.type != "transfer" or node.transfer not in ID_TRANSFER_TYPES:
            continue
        out.extend(literal_ids(node.transfer, node.targets, (node_id,), "targets", ctx.profile))
        out.extend(_table_ids(node, ctx))
    failover = flow.settings.failover
    if failover is not None and failover.type in ID_TRANSFER_TYPES:
        out.extend(literal_ids(failover.type, failover.data, (), "settings.failover.data", ctx.profile))
    return out


def literal_ids(
    kind: str, targets: list[str], nodes: tuple[str, ...], field: str, profile: PlatformProfile
) -> list[Diagnostic]:
    """FG528 for each written (not templated, not empty: FG523's) target that is not one id."""
    out = []
    for i, target in enumerate(targets):
        if not target.strip() or "{{" in target or sendable_id(target, profile):
            continue
        out.append(
            diag(
                "FG528",
                f"{target!r} is not one {kind} id",
                nodes=nodes,
                field=f"{field}[{i}]",
                evidence={"value": target, "pattern": profile.target_id_pattern},
                hint=_hint(target),
            )
        )
    return out


def _hint(target: str) -> str:
    if "," in target or ";" in target:
        return "give each id as its own target (only number and agent transfers take several)"
    if any(ch.isspace() for ch in target):
        return "an id has no spaces: remove them (two ids are two targets)"
    if "$" in target:
        return "a platform placeholder is not replaced in an answer: use {{variable}} or the id itself"
    return "copy the id from the portal (e.g. 05000001), or widen settings.profile.target_id_pattern"


def _table_ids(node: Any, ctx: CheckContext) -> list[Diagnostic]:
    """FG529: a target rendered from a flow table's column (``{{who.agent}}``) where some rows
    hold a value the id rule refuses: each caller those rows match gets the failover."""
    profile = ctx.profile

    def refused(value: str) -> bool:
        # A cell is rendered and stripped before it is judged (an empty one is ``empty_value``).
        return bool(value.strip()) and not sendable_id(value.strip(), profile)

    return table_cells_refused(node, ctx, refused, "FG529", f"one {node.transfer} id", "bad_value")
