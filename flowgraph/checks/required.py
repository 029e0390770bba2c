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
from flowgraph.specs import field_values, spec_of


def _missing(values: list[str]) -> list[int]:
    return [i for i, v in enumerate(values) if not v.strip()]


def _empty_fields(node: Any) -> list[tuple[str, str]]:
    """``(field, what it is)`` for each required value (the node type's spec) left empty; an
    empty list (``targets[]`` with no entry) counts as one empty value at the list's field."""
    out: list[tuple[str, str]] = []
    for path, what in spec_of(node).required:
        found = field_values(node, path)
        if path.endswith("[]") and not found and getattr(node, path.removesuffix("[]"), None) == []:
            found = [(path.removesuffix("[]"), "")]
        out.extend((field, what) for field, value in found if not str(value).strip())
    return out


def check_required(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject empty values the platform cannot do without (FG523): a play or menu without a
    recording, a transfer without targets (or with an empty one), a dialplan hand-off without
    an id, an HTTP lookup without a URL, a variable condition without values, and a failover
    destination without data."""
    out: list[Diagnostic] = []
    for node_id, node in ctx.nodes.items():
        for field, what in _empty_fields(node):
            out.append(
                diag("FG523", f"{what} is empty", nodes=(node_id,), field=field, hint=f"fill in {what}")
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
