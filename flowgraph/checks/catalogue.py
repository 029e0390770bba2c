"""The catalogue of diagnostic codes: code -> severity, title, explanation.

Codes are stable: a code is never reused for a different problem. Families:
FG1xx structure, FG2xx cycles, FG3xx nesting, FG4xx failover coverage, FG5xx platform values,
FG6xx variables, FG7xx compile notes (raised by the compiler). ``docs/diagnostics.md`` documents
every code; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flowgraph.diagnostics import Diagnostic, Severity

E = Severity.ERROR
W = Severity.WARNING


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    severity: Severity
    title: str
    explanation: str


_ENTRIES: tuple[CatalogueEntry, ...] = (
    # --- structure
    CatalogueEntry("FG101", E, "no entry", "The flow has no nodes or an empty `entry`."),
    CatalogueEntry("FG102", E, "unknown entry", "`entry` names a node that does not exist."),
    CatalogueEntry(
        "FG103", E, "duplicate node id", "Two nodes share an id; branches could not tell them apart."
    ),
    CatalogueEntry("FG104", E, "branch to unknown node", "A branch names a target node that does not exist."),
    CatalogueEntry("FG105", E, "unknown branch name", "A node wires a branch its type does not declare."),
    CatalogueEntry("FG106", W, "unreachable node", "No path from the entry reaches the node."),
    CatalogueEntry("FG107", E, "duplicate switch branch", "Two cases of one switch use the same branch."),
    CatalogueEntry(
        "FG108", E, "split shares not 100", "A split's arms' shares do not add up to 100 percent."
    ),
    CatalogueEntry("FG109", E, "duplicate split arm", "Two arms of one split use the same branch."),
    # --- cycles
    CatalogueEntry("FG201", E, "cycle", "Following branches can come back to a node already visited."),
    # --- nesting
    CatalogueEntry(
        "FG301", E, "step too deep", "A menu's continuation needs more api_dialplan hops than allowed."
    ),
    CatalogueEntry("FG302", E, "hand-off too deep", "A dialplan hand-off would exceed the nesting limit."),
    # --- failover coverage
    CatalogueEntry("FG401", E, "no failover destination", "`settings.failover` is missing."),
    CatalogueEntry("FG402", E, "branch not wired", "A branch the node type requires has no target."),
    CatalogueEntry("FG403", E, "path ends without a terminal", "A path stops at a node that is not an end."),
    # --- platform values
    CatalogueEntry(
        "FG501", E, "retry out of range", "A menu's `retry` is outside 0..profile.dtmf_max_retry."
    ),
    CatalogueEntry(
        "FG502", E, "timeout out of range", "A menu's `timeout_ms` is outside the profile's range."
    ),
    CatalogueEntry(
        "FG503", E, "max length out of range", "A menu's `max_length` is outside the profile's range."
    ),
    CatalogueEntry(
        "FG504", E, "invalid menu option", "A menu option is empty or holds a key other than 0-9 * #."
    ),
    CatalogueEntry(
        "FG505", E, "option can never match", "A menu option is longer than the digits collected."
    ),
    CatalogueEntry(
        "FG506", W, "option is a prefix", "An option is a prefix of another; callers wait for the timeout."
    ),
    CatalogueEntry("FG507", E, "duplicate menu option", "A menu lists the same option twice."),
    CatalogueEntry("FG508", E, "bad phone number", "A number is not exactly one 10-digit national number."),
    CatalogueEntry(
        "FG509", E, "several targets", "Only `number` and `agent` transfers take several targets."
    ),
    CatalogueEntry("FG510", E, "unknown ring type", "`ring_type` is not one of the profile's ring types."),
    CatalogueEntry(
        "FG511", W, "ring option ignored", "`ring_type`/`skip_active` only apply to number/agent."
    ),
    CatalogueEntry("FG512", E, "unknown moh recording", "`moh` names no recording of the catalogue."),
    CatalogueEntry("FG513", E, "moh not music-on-hold", "`moh` names a recording not marked `moh: true`."),
    CatalogueEntry(
        "FG514", E, "unknown system recording", "A `system` recording id is not in the catalogue."
    ),
    CatalogueEntry(
        "FG515", E, "not an http(s) URL", "A URL field is not an http(s) URL with a host, even escaped."
    ),
    CatalogueEntry(
        "FG516", W, "dialplan id not hex", "A dialplan id is not a hex string as the portal gives."
    ),
    CatalogueEntry("FG517", E, "empty time window", "A switch time window's `from` is not before its `to`."),
    CatalogueEntry("FG518", E, "unknown table", "A switch or lookup names a table the flow does not have."),
    CatalogueEntry(
        "FG519", E, "no_answer without fall-through", "`no_answer` is wired but the profile is off."
    ),
    CatalogueEntry(
        "FG520", W, "hangup unconfirmed", "Ending a response to hang up is unconfirmed platform behaviour."
    ),
    CatalogueEntry("FG521", E, "empty response", "A hangup is reached in a step before any action: `[]`."),
    CatalogueEntry("FG522", E, "invalid switch condition", "A switch condition can never match as written."),
    CatalogueEntry(
        "FG523", E, "value missing", "A value the platform needs is empty (recording, targets, id, URL)."
    ),
    CatalogueEntry(
        "FG524", W, "target listed twice", "A transfer lists the same number (or agent) more than once."
    ),
    CatalogueEntry(
        "FG525",
        E,
        "unseen fall-through",
        "After an unanswered transfer the answer goes on to a recording, menu or hand-off, which has "
        "never been seen to work (profile `transfer_fallthrough_other` is off).",
    ),
    CatalogueEntry(
        "FG526", E, "option ends with #", "A `#` after other keys ends input, so the option never matches."
    ),
    CatalogueEntry(
        "FG527",
        W,
        "table number unusable",
        "A table column that feeds a number transfer holds a value that is not one national number.",
    ),
    CatalogueEntry(
        "FG528",
        E,
        "bad id",
        "An agent, IVR, auto-attendant or department target is not one id (profile `target_id_pattern`).",
    ),
    CatalogueEntry(
        "FG529",
        W,
        "table id unusable",
        "A table column that feeds an agent, IVR, auto-attendant or department transfer holds a value "
        "that is not one id.",
    ),
    CatalogueEntry(
        "FG530",
        W,
        "no input looks like a retry",
        "Single-dialplan mode: a menu's digit wait is within the profile's `retry_window_ms`, so a "
        "caller who presses nothing hears the prompt again before the no-input branch runs.",
    ),
    CatalogueEntry(
        "FG531",
        W,
        "lookup slower than the deadline",
        "HTTP lookup timeouts, alone or together in one request, reach the answer deadline: the "
        "caller gets the failover before the lookup's error branch.",
    ),
    CatalogueEntry(
        "FG533",
        W,
        "calendar unavailable",
        "A time condition's calendar is missing, empty, has a key that is not a date YYYY-MM-DD or no "
        "`name` column: its date rule is skipped and the weekly hours decide (or `unavailable: no_match`).",
    ),
    # --- server tables (flowgraph/checks/server_tables.py; judged at publish)
    CatalogueEntry(
        "FG540", E, "server table missing", "A lookup names a server table the server does not have."
    ),
    CatalogueEntry(
        "FG541", E, "server table column missing", "A server table's live version lacks a declared column."
    ),
    CatalogueEntry(
        "FG542",
        E,
        "server table keys not numbers",
        "Callers' numbers are matched against a server table whose keys include values that are not numbers.",
    ),
    # --- variables
    CatalogueEntry(
        "FG601", E, "unknown variable", "A `{{name}}` is neither a call variable nor a node's output."
    ),
    CatalogueEntry(
        "FG602", E, "variable maybe undefined", "A variable is not defined on every path to its use."
    ),
    CatalogueEntry(
        "FG603",
        E,
        "digits before their menu",
        "`{{M.digits}}` is used where menu `M` may not have been answered yet.",
    ),
    CatalogueEntry(
        "FG604", E, "unknown table column", "`{{L.col}}` names a column the lookup's table lacks."
    ),
    CatalogueEntry("FG605", E, "variable not allowed here", "A field that is sent as-is holds a `{{...}}`."),
    # --- compile notes (emitted by flowgraph.compile.compiler.compile_flow, not by check())
    CatalogueEntry(
        "FG701", W, "dialplan id missing", "A step has no portal dialplan id yet; its step id is sent."
    ),
)

#: Every code, in code order.
CATALOGUE: dict[str, CatalogueEntry] = {e.code: e for e in _ENTRIES}


def diag(
    code: str,
    message: str,
    *,
    nodes: tuple[str, ...] | list[str] = (),
    edges: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (),
    evidence: dict[str, Any] | None = None,
    hint: str = "",
    field: str = "",
    advice: str = "",
) -> Diagnostic:
    """Build a diagnostic whose severity comes from the catalogue (one place decides it)."""
    return Diagnostic(
        code=code,
        severity=CATALOGUE[code].severity,
        message=message,
        nodes=tuple(nodes),
        edges=tuple(edges),
        evidence=evidence or {},
        hint=hint,
        field=field,
        advice=advice,
    )
