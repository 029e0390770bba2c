"""Split rules (FG108, FG109): a split's arms divide all callers, each arm once.

A split places each caller in one of 10,000 buckets (:mod:`flowgraph.runtime.split`) and gives
each arm 100 buckets per percent of share, so the shares must add up to exactly 100: short of it
some callers would have no arm, over it the last arm would never get its share.
"""

from __future__ import annotations

from typing import Any

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.checks.structure import duplicate_branches
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import Flow


def check_splits(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject a split whose shares do not add up to 100 (FG108, naming each arm's share) and two
    arms of one split with the same branch (FG109)."""
    out: list[Diagnostic] = []
    for node in ctx.nodes.values():
        if node.type == "split":
            out.extend(_shares(node))
            out.extend(_duplicate_arms(node))
    return out


def _shares(node: Any) -> list[Diagnostic]:
    total = sum(arm.share for arm in node.arms)
    if total == 100:
        return []
    shares = {arm.branch: arm.share for arm in node.arms}
    listed = ", ".join(f"{b} {s}%" for b, s in shares.items()) or "no arms"
    return [
        diag(
            "FG108",
            f"the split's shares add up to {total}%, not 100% ({listed})",
            nodes=(node.id,),
            field="arms" if not node.arms else f"arms[{len(node.arms) - 1}].share",
            evidence={"total": total, "shares": shares},
            hint="make the arms' shares add up to exactly 100"
            + (f" (add {100 - total})" if total < 100 else ""),
            advice="Set the arms' percentages on the Properties tab so that they add up to 100",
        )
    ]


def _duplicate_arms(node: Any) -> list[Diagnostic]:
    return duplicate_branches(
        node,
        node.arms,
        "arms",
        "FG109",
        "give each arm its own branch name; two arms may still go to one node",
    )
