"""Diagnostics are data: a stable code, a severity, a message, where, evidence and a hint.

The catalogue of codes lives in :data:`CATALOGUE` and is documented in ``docs/diagnostics.md``
(a test keeps the two in step). Errors block publishing; warnings do not. ``check()`` always
returns the full list; callers decide what is fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    nodes: tuple[str, ...] = ()
    #: Edges as (source node id, branch name).
    edges: tuple[tuple[str, str], ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)
    hint: str = ""
    #: Dotted path of the offending field inside the node, e.g. ``recording.data``.
    field: str = ""
    #: The same advice in the editor's words, naming its controls (the ``hint`` speaks JSON for
    #: the CLI); empty when the hint reads well in both.
    advice: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "nodes": list(self.nodes),
            "edges": [{"source": s, "branch": b} for s, b in self.edges],
            "evidence": self.evidence,
            "hint": self.hint,
            "field": self.field,
            "advice": self.advice,
        }


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


# --- error types -------------------------------------------------------------------------


class FlowgraphError(Exception):
    """Base of every error flowgraph raises on purpose."""


class FlowLoadError(FlowgraphError):
    """A flow file could not be read or does not match the format.

    ``str(err)`` is one line naming the file, the path inside the document and the problem.
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems  # (path like "nodes[2].recording.data", message)
        first_path, first_msg = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        where = f"{source}: {first_path}: " if first_path else f"{source}: "
        super().__init__(f"{where}{first_msg}{more}")


class CompileError(FlowgraphError):
    """A flow with error diagnostics cannot be compiled or published."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.is_error]
        first = errors[0] if errors else None
        summary = f"{first.code}: {first.message}" if first else "errors"
        super().__init__(f"{len(errors)} error(s); first: {summary}")
