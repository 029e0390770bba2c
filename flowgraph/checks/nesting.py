"""Nesting rules (FG3xx): api_dialplan hops on a call must not exceed the profile's limit.

Each menu's continuation is a new request reached through an ``api_dialplan`` hop, and so is
each ``dialplan`` hand-off. The platform document allows "up to 3 API dial plans nested at a
time" (``profile.nesting_limit``); its three-step example makes exactly three hops.
"""

from __future__ import annotations

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.compile.partition import Partition
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import Flow


def chain_to(part: Partition, step_id: str) -> list[str]:
    """Step ids along a deepest chain of hops ending at ``step_id``, entry first."""
    chain = [step_id]
    while part.steps[chain[-1]].depth > 0 and len(chain) <= len(part.steps):
        want = part.steps[chain[-1]].depth - 1
        menu = part.steps[chain[-1]].menu or ""
        parents = [s for s in part.node_steps.get(menu, ()) if part.steps[s].depth == want]
        if not parents:
            break
        chain.append(min(parents, key=part.order.index))
    return list(reversed(chain))


def check_nesting(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject the first step past the limit on each chain (FG301) and hand-offs past it (FG302).

    Deeper steps descend from a reported one, so only the frontier is reported; evidence carries
    the chain of steps and how many steps lie beyond the limit in all.
    """
    part = ctx.partition
    limit = ctx.profile.nesting_limit
    beyond = sum(1 for s in part.steps.values() if s.depth > limit)
    out = []
    for sid in part.order:
        step = part.steps[sid]
        if step.depth == limit + 1:
            chain = chain_to(part, sid)
            out.append(
                diag(
                    "FG301",
                    f"menu '{step.menu}' needs hop {step.depth} for its digits, over the limit of {limit}: "
                    + " -> ".join(chain),
                    nodes=(step.menu or "",),
                    evidence={"chain": chain, "depth": step.depth, "limit": limit, "steps_beyond": beyond},
                    hint="ask for fewer digits in a row (one menu with longer options), or transfer to "
                    "an IVR; raise settings.profile.nesting_limit only if your account allows more",
                )
            )
        if step.depth == limit:
            chain = chain_to(part, sid)
            for handoff in step.handoffs:
                out.append(
                    diag(
                        "FG302",
                        f"dialplan hand-off would be hop {limit + 1}, over the limit of {limit}: "
                        + " -> ".join([*chain, handoff]),
                        nodes=(handoff,),
                        field="dialplan_id",
                        evidence={"chain": [*chain, handoff], "depth": limit + 1, "limit": limit},
                        hint="hand off earlier in the call, or transfer to an IVR/department instead",
                    )
                )
    return out
