"""Values the platform needs that a draft has left empty (FG523).

The model accepts these empty so that an unfinished draft in the editor still saves and gets
every other diagnostic; publishing is blocked until they are filled.
"""

from __future__ import annotations

from typing import Any

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import Flow

#: Per node type: (field path, what it is, how to read it from the node).
_FIELDS: dict[str, tuple[tuple[str, str, Any], ...]] = {
    "play": (("recording.data", "the recording to play", lambda n: [n.recording.data]),),
    "menu": (("recording.data", "the prompt recording", lambda n: [n.recording.data]),),
    "transfer": (("targets", "a transfer target", lambda n: n.targets or [""]),),
    "dialplan": (("dialplan_id", "the portal dialplan id", lambda n: [n.dialplan_id]),),
    "lookup": (
        ("source.url", "the lookup URL", lambda n: [n.source.url] if n.source.kind == "http" else []),
    ),
}


def _missing(values: list[str]) -> list[int]:
    return [i for i, v in enumerate(values) if not v.strip()]


def check_required(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject empty values the platform cannot do without (FG523): a play or menu without a
    recording, a transfer without targets (or with an empty one), a dialplan hand-off without
    an id, an HTTP lookup without a URL, a variable condition without values, and a failover
    destination without data."""
    out: list[Diagnostic] = []
    for node_id, node in ctx.nodes.items():
        for field, what, read in _FIELDS.get(node.type, ()):
            values = read(node)
            for i in _missing(values):
                where = f"{field}[{i}]" if field == "targets" and node.targets else field
                out.append(
                    diag("FG523", f"{what} is empty", nodes=(node_id,), field=where, hint=f"fill in {what}")
                )
        if node.type == "switch":
            for i, case in enumerate(node.cases):
                if case.when.on == "variable" and not [v for v in case.when.values if v.strip()]:
                    out.append(
                        diag(
                            "FG523",
                            f"case '{case.branch}' compares '{case.when.variable}' with no values",
                            nodes=(node_id,),
                            field=f"cases[{i}].when.values",
                            hint="list the values that choose this case",
                        )
                    )
    failover = flow.settings.failover
    if failover is not None and (not failover.data or _missing(failover.data)):
        out.append(
            diag(
                "FG523",
                "the failover destination has no target",
                field="settings.failover.data",
                hint="give the id or number of the failover destination",
            )
        )
    return out
