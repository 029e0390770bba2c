"""Holiday calendars: the dates a switch's time condition leaves out or keeps to.

A *calendar* is a table keyed by dates ``YYYY-MM-DD`` with a ``name`` column (the holiday's
name), kept in the flow's ``tables`` (``examples/calendars/india_fixed.csv`` is one as a file) or
on the server (``tables: {"india": {"server": true}}``, uploaded like any server table). A
:class:`flowgraph.model.DateRule` names listed ``dates`` and/or a ``calendar``.

A server calendar is read at request time from the request's view of the server tables
(:func:`live_dates`, the accessor lookups use), so a new version is live at once; each version is
parsed into dates once (:meth:`flowgraph.runtime.tables.TableVersion.derived`). Outside a live
request (checks, offline simulation, flow tests) it is unavailable like a missing one; the
simulate API reads the server's live version, as a call does.

A calendar is read whole or not at all (:func:`calendar_problem`): a missing or empty table, a
key that is not a real date or a table without a ``name`` column is *unavailable*. Then the rule
is skipped: ``unavailable: hours`` (default) lets the weekly hours decide alone (fail open, so a
broken calendar never strands a caller); ``no_match`` makes the case not match. The check warns
(FG533) and the runtime notes the problem in the decision it records (the call log's
``decisions``).

:class:`DateCheck` is one compiled rule; :func:`judge_dates` applies a condition's rules to the
call's date and says which rule decided (the words of :data:`RULES`).
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flowgraph.model import DateRule, is_date
from flowgraph.runtime.tables import TableVersion, current_view

#: Which rule decided a dated time case: the date was left out, was not one of the ``only``
#: dates, the calendar could not be read (``no_match``), or the weekly hours decided.
RULES = ("excluded_date", "not_listed", "calendar_unavailable", "in_hours", "outside_hours")
NAME_COLUMN = "name"


@dataclass(frozen=True, slots=True)
class DateCheck:
    """One compiled date rule: ``kind`` ``except`` / ``only``, its dates with their names
    (``""`` for a listed date without a calendar name), and why the calendar is unavailable.
    ``server``: the calendar is a server table, whose dates are read per request
    (:func:`live_dates`); ``problem`` then says why it is unavailable outside a live request."""

    kind: str
    dates: Mapping[str, str]
    calendar: str
    problem: str
    unavailable: str
    server: bool = False

    def plan(self) -> dict[str, Any]:
        out: dict[str, Any] = {"dates": sorted(self.dates), "unavailable": self.unavailable}
        if self.calendar:
            out["calendar"] = self.calendar
        if self.problem:
            out["problem"] = self.problem
        return out


@dataclass(frozen=True, slots=True)
class DateVerdict:
    """A dated time case for one call: matched or not, the rule that decided (:data:`RULES`),
    the call's date, the holiday's name, and notes on calendars that could not be read."""

    matched: bool
    rule: str
    day: str
    name: str = ""
    note: str = ""


def calendar_problem(name: str, table: Any) -> str:
    """Why table ``name`` (a :class:`flowgraph.model.Table` or ``None``) is not a usable calendar,
    naming the first bad row; ``""`` when it is one."""
    if table is None:
        return f"calendar '{name}' is not a table of this flow"
    if getattr(table, "server", None):
        return f"calendar '{name}' is a server table: only the live server reads its dates"
    return rows_problem(name, table.columns, sorted(table.rows))


def rows_problem(name: str, columns: Iterable[str], keys: Iterable[str]) -> str:
    """Why a table with ``columns`` and ``keys`` is not a usable calendar (the one rule for
    calendars in the flow and on the server); ``""`` when it is one."""
    columns = list(columns)
    if NAME_COLUMN not in columns:
        return f"calendar '{name}' has no '{NAME_COLUMN}' column (columns: {', '.join(columns) or 'none'})"
    empty = True
    for key in keys:
        empty = False
        if not is_date(key):
            return f"calendar '{name}' row '{key[:40]}' is not a date YYYY-MM-DD"
    return f"calendar '{name}' is empty" if empty else ""


def missing_on_server(name: str) -> str:
    """The problem of a server calendar the server does not have (publish check and runtime)."""
    return f"calendar '{name}' is not on this server"


def server_calendar_problem(name: str, live: Mapping[str, Any] | None) -> str:
    """What the publish check can tell of server calendar ``name`` from the live version's
    description (``TableStore.catalogue()``; None: the server lacks it). Its keys are judged
    when the version is read (:func:`live_dates`); a ``date`` key column is checked on upload."""
    if live is None:
        return missing_on_server(name)
    if NAME_COLUMN not in live["columns"]:
        return rows_problem(name, live["columns"], ())
    return f"calendar '{name}' is empty" if not live["rows"] else ""


def read_version(version: TableVersion) -> tuple[dict[str, str], str]:
    """A server table version as a calendar: its dates with their names, and why it is not one
    (then no dates). Built once per version (:meth:`TableVersion.derived`)."""
    rows = version.rows
    problem = rows_problem(version.name, rows.columns, (rows.key(i) for i in range(len(rows))))
    if problem:
        return {}, problem
    at = rows.columns.index(NAME_COLUMN)
    return {key: values[at] for key, values in rows}, ""


def live_dates(check: DateCheck) -> tuple[Mapping[str, str], str]:
    """A server calendar's dates (with the rule's listed ones) for this request, and its problem:
    the request's version of the table, parsed once per version; the compiled problem outside a
    live request; "not on this server" when the request's tables lack it (recorded as used in
    the call log's ``tables`` otherwise)."""
    view = current_view()
    if view is None:
        return check.dates, check.problem
    version = view.version(check.calendar)
    if version is None:  # offline (a simulation without the server): as without a view
        return (check.dates, check.problem) if view.offline else ({}, missing_on_server(check.calendar))
    dates, problem = version.derived("calendar", read_version)
    if problem:
        return {}, problem
    if not check.dates:
        return dates, ""
    return ChainMap(dates, check.dates), ""  # type: ignore[arg-type]  # read only; no copy per request


def compile_dates(kind: str, rule: DateRule, tables: Mapping[str, Any]) -> DateCheck:
    """A :class:`DateCheck` for one rule of a time condition; calendars come from ``tables``."""
    dates = dict.fromkeys(rule.dates, "")
    problem = ""
    if rule.calendar:
        table = tables.get(rule.calendar)
        problem = calendar_problem(rule.calendar, table)
        if getattr(table, "server", None):
            return DateCheck(kind, dates, rule.calendar, problem, rule.unavailable, server=True)
        if not problem and table is not None:
            dates.update({key: str(row.get(NAME_COLUMN, "")) for key, row in table.rows.items()})
    return DateCheck(kind, dates, rule.calendar, problem, rule.unavailable)


def judge_dates(checks: tuple[DateCheck, ...], day: str, in_hours: bool) -> DateVerdict:
    """Apply a condition's date rules to ``day`` (``YYYY-MM-DD``, the call's date in the flow's
    zone), then the weekly hours (``in_hours``). The date rules are asked first, so a holiday on
    a Sunday reads "holiday", not "outside hours"."""
    notes = []
    name = ""
    for check in checks:
        dates, problem = live_dates(check) if check.server else (check.dates, check.problem)
        if problem:
            notes.append(problem)
            if check.unavailable == "no_match":
                return DateVerdict(False, "calendar_unavailable", day, note="; ".join(notes))
            continue  # fail open: this rule is skipped, the hours decide
        if check.kind == "except" and day in dates:
            return DateVerdict(False, "excluded_date", day, dates[day], "; ".join(notes))
        if check.kind == "only":
            if day not in dates:
                return DateVerdict(False, "not_listed", day, note="; ".join(notes))
            name = dates[day]
    rule = "in_hours" if in_hours else "outside_hours"
    return DateVerdict(in_hours, rule, day, name, "; ".join(notes))


@dataclass(frozen=True)
class Decision:
    """Which rule decided one dated time case of a switch, for one call: the switch ``node``,
    the branch it ``took``, the ``case`` asked, and the :class:`DateVerdict`'s rule, date, name
    and note. The simulator, flow tests, the call log and the traffic picture show these."""

    node: str
    took: str
    case: str
    rule: str
    day: str
    name: str = ""
    note: str = ""

    @classmethod
    def of(cls, node: str, took: str, case: str, verdict: DateVerdict) -> Decision:
        return cls(node, took, case, verdict.rule, verdict.day, verdict.name, verdict.note)

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v or k in ("node", "took", "case", "rule")}

    def reason(self) -> str:
        """The deciding rule in words: "holiday Republic Day (2026-01-26)", "outside hours"."""
        if self.rule == "excluded_date":
            return f"holiday {self.name} ({self.day})" if self.name else f"holiday {self.day}"
        if self.rule == "not_listed":
            return f"{self.day} is not one of the listed dates"
        if self.rule == "calendar_unavailable":
            return "calendar unavailable (unavailable: no_match)"
        if self.rule == "in_hours":
            return f"{self.name} ({self.day}), in hours" if self.name else "in hours"
        return "outside hours"

    def describe(self) -> str:
        """One line: ``hours -> default: 'open' not taken, holiday Republic Day (2026-01-26)``."""
        line = f"{self.node} -> {self.took}: "
        line += self.reason() if self.took == self.case else f"'{self.case}' not taken, {self.reason()}"
        if self.note:
            skipped = "" if self.rule == "calendar_unavailable" else ", date rule skipped: hours decide"
            line += f" [{self.note}{skipped}]"
        return line
