"""Structure rules (FG1xx): the entry, node ids, branch names and targets, reachability."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import Flow, SwitchNode, declared_branches


def _did_you_mean(word: str, choices: list[str]) -> list[str]:
    return difflib.get_close_matches(word, choices, n=3, cutoff=0.6)


def _suggest(matches: list[str]) -> str:
    return f"did you mean {' or '.join(repr(m) for m in matches)}?" if matches else ""


def check_entry(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject a flow with no nodes or no entry, and an entry that names no node (FG101, FG102)."""
    if not flow.nodes or not flow.entry:
        what = "has no nodes" if not flow.nodes else "has an empty `entry`"
        return [
            diag(
                "FG101",
                f"the flow {what}",
                field="entry",
                hint="add a node and name it in `entry`",
                advice="Add a node from the palette; the first one becomes the entry",
            )
        ]
    if flow.entry in ctx.nodes:
        return []
    matches = _did_you_mean(flow.entry, list(ctx.nodes))
    return [
        diag(
            "FG102",
            f"entry '{flow.entry}' is not a node of the flow; {_suggest(matches)}".rstrip("; "),
            field="entry",
            evidence={"entry": flow.entry, "close_matches": matches},
            hint="set `entry` to the id of the first node a call reaches",
            advice="Choose the Entry node in Flow settings, or press 'Make this the entry node' on a node",
        )
    ]


def check_duplicate_ids(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject two nodes with one id (FG103): branches name nodes by id, so one would be lost."""
    positions: dict[str, list[int]] = {}
    for i, node in enumerate(flow.nodes):
        positions.setdefault(node.id, []).append(i)
    return [
        diag(
            "FG103",
            f"{len(where)} nodes have the id '{node_id}' (nodes {', '.join(f'[{i}]' for i in where)})",
            nodes=(node_id,),
            field="id",
            evidence={"indexes": where},
            hint="give every node its own id; only the first one is used",
        )
        for node_id, where in positions.items()
        if len(where) > 1
    ]


def check_branches(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject branches to unknown nodes (FG104) and branch names the node type does not declare
    (FG105), each with close matches; reject switch cases that reuse a branch name (FG107)."""
    out: list[Diagnostic] = []
    ids = list(ctx.nodes)
    for node_id, node in ctx.nodes.items():
        declared = declared_branches(node)
        for branch, target in node.branches.items():
            if branch not in declared:
                matches = _did_you_mean(branch, declared)
                out.append(
                    diag(
                        "FG105",
                        f"{node.type} node has no branch '{branch}' (it has: {', '.join(declared) or 'none'})",
                        nodes=(node_id,),
                        edges=((node_id, branch),),
                        field=f"branches.{branch}",
                        evidence={"declared": declared, "close_matches": matches},
                        hint=_suggest(matches)
                        or "remove the branch or declare it (menu option, switch case)",
                    )
                )
            if target not in ctx.nodes:
                matches = _did_you_mean(target, ids)
                out.append(
                    diag(
                        "FG104",
                        f"branch '{branch}' goes to unknown node '{target}'",
                        nodes=(node_id,),
                        edges=((node_id, branch),),
                        field=f"branches.{branch}",
                        evidence={"target": target, "close_matches": matches},
                        hint=_suggest(matches) or "point the branch at an existing node",
                    )
                )
        if node.type == "switch":
            out.extend(_duplicate_cases(node))
    return out


def _duplicate_cases(node: SwitchNode) -> list[Diagnostic]:
    return duplicate_branches(
        node,
        node.cases,
        "cases",
        "FG107",
        "give each case its own branch name; several cases may still go to one node",
    )


def duplicate_branches(node: Any, items: Sequence[Any], field: str, code: str, hint: str) -> list[Diagnostic]:
    """``code`` for each of ``node``'s ``items`` (a switch's cases, a split's arms) that reuses an
    earlier one's ``branch``: a branch name wires one target, so the later one could never be told apart."""
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(items):
        if item.branch in seen:
            out.append(
                diag(
                    code,
                    f"{field} [{seen[item.branch]}] and [{i}] both use branch '{item.branch}'",
                    nodes=(node.id,),
                    field=f"{field}[{i}].branch",
                    evidence={field: [seen[item.branch], i]},
                    hint=hint,
                )
            )
        seen.setdefault(item.branch, i)
    return out


def check_reachable(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Warn about nodes no path from the entry reaches (FG106): they never run."""
    if flow.entry not in ctx.nodes:
        return []
    return [
        diag(
            "FG106",
            "no path from the entry reaches this node",
            nodes=(node_id,),
            hint="wire a branch to it or delete it",
        )
        for node_id in ctx.sorted_ids(set(ctx.nodes) - ctx.reachable)
    ]
