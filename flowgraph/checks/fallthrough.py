"""What may follow an unanswered transfer in one answer (FG525).

NOTES.md "More facts": the only live evidence of fall-through is a transfer followed by another
transfer in the nested form. A recording, a prompt or an ``api_dialplan`` after a transfer has
never been seen: the platform may play it after an unanswered ring, after the conversation
ends, or reject the whole answer. So the profile keeps the two apart
(``transfer_fallthrough`` for transfer -> transfer, ``transfer_fallthrough_other`` for anything
else) and this rule refuses the unseen form while its setting is off.
"""

from __future__ import annotations

from typing import Any

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import Flow

#: Node types that add an action to the answer other than a transfer.
_OTHER_ACTIONS = frozenset({"play", "menu", "dialplan"})
#: Node types evaluated by the server while answering: they add nothing, the walk goes on.
_DECISIONS = frozenset({"switch", "lookup"})


def sent_after(transfer: Any, nodes: dict[str, Any]) -> list[str]:
    """The nodes other than transfers whose action an answer sends after ``transfer``'s ring,
    up to the next transfer: every path from its ``no_answer`` branch through decisions
    (switch, lookup) to a play, menu or dialplan node, in order of first reach."""
    start = transfer.branches.get("no_answer")
    found: list[str] = []
    seen: set[str] = set()
    stack = [start] if start is not None else []
    while stack:
        node_id = stack.pop()
        node = nodes.get(node_id)
        if node is None or node_id in seen:
            continue  # unknown targets and cycles are other rules' findings
        seen.add(node_id)
        if node.type in _OTHER_ACTIONS:
            found.append(node_id)
        elif node.type in _DECISIONS:
            stack.extend(reversed(list(node.branches.values())))
        # A transfer starts its own chain (judged on its own); a hangup sends nothing.
    return found


def check_fallthrough(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject a transfer whose ``no_answer`` branch sends a recording, a menu or a dialplan
    hand-off in the same answer (FG525) while ``settings.profile.transfer_fallthrough_other``
    is off: that form has never been seen to work. Only wired branches count, and only while
    ``transfer_fallthrough`` is on (FG519 reports a wired branch while it is off)."""
    profile = ctx.profile
    if not profile.transfer_fallthrough or profile.transfer_fallthrough_other:
        return []
    out: list[Diagnostic] = []
    for node_id, node in ctx.nodes.items():
        if node.type != "transfer" or "no_answer" not in node.branches:
            continue
        after = sent_after(node, ctx.nodes)
        if not after:
            continue
        kinds = sorted({ctx.nodes[n].type for n in after})
        out.append(
            diag(
                "FG525",
                f"if nobody answers, this transfer goes on to {', '.join(repr(n) for n in after)} "
                f"({', '.join(kinds)}): only a transfer after a transfer has been seen to work "
                "(settings.profile.transfer_fallthrough_other is off)",
                nodes=(node_id, *after),
                edges=((node_id, "no_answer"),),
                field="branches.no_answer",
                evidence={"after": after, "kinds": kinds, "setting": "transfer_fallthrough_other"},
                hint="end the no_answer branch with another transfer (a number, an agent, or the ivr "
                "or department that should take unanswered calls), or remove it; set "
                "settings.profile.transfer_fallthrough_other to true only once your account has "
                "been seen to run a recording or hand-off after an unanswered transfer",
                advice="Wire 'no answer' to another transfer (e.g. the IVR or department for "
                "unanswered calls), or tick 'Recordings and menus after an unanswered transfer' "
                "under Flow settings > Platform assumptions once your account does so",
            )
        )
    return out
