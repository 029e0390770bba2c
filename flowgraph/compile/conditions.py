"""Switch conditions compiled into small matchers, and field templates (``{{variables}}``).

Numbers compare by their national form (last 10 digits, NOTES.md), prefixes apply to that form;
time windows are read in the profile's time zone on the call's ``start_stamp`` (now when the
platform sent none: :func:`call_time`), days ``mon``..``sun``, ``from`` inclusive, ``to`` exclusive,
and the call's date there against the ``except`` / ``only`` date rules; a variable
equals one of the values; a rendered key is a row of a flow table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import quote

from flowgraph.model import TEMPLATE_RE, WEEKDAYS, Flow
from flowgraph.runtime.calendars import DateCheck, DateVerdict, compile_dates, judge_dates
from flowgraph.runtime.callvars import CallData, national10
from flowgraph.runtime.lookups import TableIndex

Env = dict[str, str]


@dataclass(frozen=True, slots=True)
class Template:
    """A field value with ``{{variables}}``, split once: literals at even, names at odd indexes."""

    text: str
    parts: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Template:
        return cls(text, tuple(TEMPLATE_RE.split(text)))

    def render(self, env: Env) -> str:
        parts = self.parts
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 3:  # one variable, the usual case: skip the generic join
            return parts[0] + env.get(parts[1], "") + parts[2]
        return "".join(p if i % 2 == 0 else env.get(p, "") for i, p in enumerate(parts))

    def render_url(self, env: Env) -> str:
        """:meth:`render` for a URL: each variable's value is percent-encoded whole, so a caller
        number ``+91 98123 45678`` or a value holding ``&`` or ``/`` reaches the API as one
        value (the template's own text is kept as written)."""
        parts = self.parts
        if len(parts) == 1:
            return parts[0]
        return "".join(p if i % 2 == 0 else quote(str(env.get(p, "")), safe="") for i, p in enumerate(parts))


@dataclass(frozen=True, slots=True)
class NumberCond:
    """Caller or dialled number: one of ``numbers`` (national forms) or starts with a prefix."""

    on: str
    numbers: frozenset[str]
    prefixes: tuple[str, ...]

    def matches(self, call: CallData, env: Env, tz: tzinfo) -> bool:
        number = call.caller if self.on == "caller" else call.dialled
        if not number:
            return False
        return number in self.numbers or any(number.startswith(p) for p in self.prefixes)

    def plan(self) -> dict[str, Any]:
        return {"on": self.on, "numbers": sorted(self.numbers), "prefixes": list(self.prefixes)}


@dataclass(frozen=True, slots=True)
class TimeCond:
    """A weekly window in the profile's zone: ``start`` inclusive, ``end`` exclusive (minutes).

    Windows that run over midnight are rejected by the checks (FG517): split them in two cases.
    """

    days: frozenset[int]
    start: int
    end: int
    #: The ``except`` / ``only`` date rules (:mod:`flowgraph.runtime.calendars`), in that order.
    dates: tuple[DateCheck, ...] = ()

    def matches(self, call: CallData, env: Env, tz: tzinfo) -> bool:
        if self.dates:
            return self.judge(call, tz).matched
        when = call_time(call, tz)
        minute = when.hour * 60 + when.minute
        return when.weekday() in self.days and self.start <= minute < self.end

    def judge(self, call: CallData, tz: tzinfo) -> DateVerdict:
        """Whether the case matches and which rule decided (the date rules, then the hours)."""
        when = call_time(call, tz)
        minute = when.hour * 60 + when.minute
        in_hours = when.weekday() in self.days and self.start <= minute < self.end
        return judge_dates(self.dates, when.strftime("%Y-%m-%d"), in_hours)

    def plan(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "on": "time",
            "days": [WEEKDAYS[d] for d in sorted(self.days)],
            "from": _hhmm(self.start),
            "to": _hhmm(self.end),
        }
        out.update({check.kind: check.plan() for check in self.dates})
        return out


def call_time(call: CallData, tz: tzinfo) -> datetime:
    """When the call started, in the flow's zone ``tz`` (now when the platform sent no
    ``start_stamp``): the one reading of the call's time for hours and dates."""
    return (call.start_stamp or datetime.now(tz)).astimezone(tz)


@dataclass(frozen=True, slots=True)
class VariableCond:
    """A variable (call variable, ``L.column`` or ``M.digits``) equals one of ``values``."""

    variable: str
    values: frozenset[str]

    def matches(self, call: CallData, env: Env, tz: tzinfo) -> bool:
        return env.get(self.variable, "") in self.values

    def plan(self) -> dict[str, Any]:
        return {"on": "variable", "variable": self.variable, "values": sorted(self.values)}


@dataclass(frozen=True, slots=True)
class TableCond:
    """The rendered key is a row of the table."""

    table: str
    index: TableIndex
    key: Template

    def matches(self, call: CallData, env: Env, tz: tzinfo) -> bool:
        return self.index.find(self.key.render(env)) is not None

    def plan(self) -> dict[str, Any]:
        return {"on": "table", "table": self.table, "key": self.key.text}


Condition = NumberCond | TimeCond | VariableCond | TableCond


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def compile_condition(when: Any, flow: Flow) -> Condition:
    """One switch case's condition as a matcher."""
    if when.on in ("caller", "dialled"):
        numbers = frozenset(national10(n) for n in when.numbers if national10(n))
        prefixes = tuple(p.strip() for p in when.prefixes if p.strip())
        return NumberCond(when.on, numbers, prefixes)
    if when.on == "time":
        days = frozenset(WEEKDAYS.index(d) for d in when.days)
        dates = tuple(compile_dates(kind, rule, flow.tables) for kind, rule in when.date_rules())
        return TimeCond(days, _minutes(when.start), _minutes(when.end), dates)
    if when.on == "variable":
        return VariableCond(when.variable.strip("{} "), frozenset(when.values))
    table = flow.tables.get(when.table)
    index = TableIndex.build(table.rows if table else {}, "exact")
    return TableCond(when.table, index, Template.of(when.key))
