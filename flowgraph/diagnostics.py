"""Diagnostics are data: a stable code, a severity, a message, where, evidence and a hint.

The catalogue of codes lives in :data:`CATALOGUE` and is documented in ``docs/diagnostics.md``
(a test keeps the two in step). Errors block publishing; warnings do not. ``check()`` always
returns the full list; callers decide what is fatal.

Every error flowgraph raises on purpose derives from :class:`FlowgraphError`. The families:
reading a flow (:class:`FlowLoadError`), compiling it (:class:`CompileError`), a node type no
pass knows (:class:`UnknownNodeType`), answering one call (:class:`AnswerFailure`: the runtime
answers with the failover and logs the reason), the platform's response format
(:class:`ResponseError`) and drawing pictures (:class:`PictureError`). Other modules derive their
own errors from these or from :class:`FlowgraphError`.
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


class UnknownNodeType(FlowgraphError):
    """A node type a pass has no entry for (never a silent default: see :mod:`flowgraph.specs`)."""

    def __init__(self, kind: str, what: str):
        self.kind = kind
        self.what = what
        super().__init__(f"unknown node type {kind!r} ({what} has no entry for it)")


class AnswerFailure(FlowgraphError):
    """One call's request cannot be answered as drawn; the runtime answers with the flow's
    failover and the message (which starts with a reason code where there is one) goes into the
    call log."""


class StepFailure(AnswerFailure):
    """The step cannot be walked for this call: an unknown step, an unwired branch, nothing to
    send."""


class FieldRenderError(AnswerFailure):
    """A templated field rendered empty or unsendable for this call (``empty_value``,
    ``bad_number``, ``bad_value``, ``bad_url``)."""


class NothingToSend(StepFailure):
    """A response with no action: ``[]`` has unknown effect on the platform (NOTES.md), so it is
    never sent (:func:`flowgraph.compile.emit.frame` is the one place that refuses it)."""


class ResponseError(FlowgraphError, ValueError):
    """A response body is not in the platform's format (raised by
    :func:`flowgraph.compile.emit.parse_response`)."""


class PictureError(FlowgraphError):
    """Graphviz could not draw the picture (missing ``dot``, unknown format, too slow)."""
