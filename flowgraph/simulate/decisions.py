"""The reference semantics of the decisions the server takes: switch conditions (numbers, weekly
windows with calendar dates, variables, table rows), table lookups and split arms.

Part of the reference interpreter (:mod:`flowgraph.simulate.interpret`): every value is read with
:mod:`flowgraph.simulate.reading` (the oracle's own reading of call data and numbers), never with
the runtime's helpers, so the property tests compare two independent implementations.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from flowgraph.model import TEMPLATE_RE, Flow
from flowgraph.runtime.calendars import Decision, calendar_problem
from flowgraph.simulate import reading
from flowgraph.simulate.reading import CallRead, time_zone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def render(text: str, variables: dict[str, str]) -> str:
    """Fill ``{{name}}`` placeholders; an undefined name renders empty (the checks forbid it)."""
    return TEMPLATE_RE.sub(lambda m: variables.get(m.group(1), ""), text)


def table_row(flow: Flow, table_name: str, match: str, probe: str) -> dict[str, str] | None:
    """The row of a flow table for ``probe``: same key, or the longest key that prefixes it.

    Keys compare as :func:`flowgraph.simulate.reading.table_key` says (one national number in any
    of its forms); where two keys compare equal, the first in sorted order wins.
    """
    table = flow.tables.get(table_name)
    if table is None:
        return None
    wanted = reading.table_key(probe)
    if match == "exact":
        same = sorted(k for k in table.rows if reading.table_key(k) == wanted)
        return table.rows[same[0]] if same else None
    prefixes = sorted(k for k in table.rows if wanted.startswith(k.strip()))
    best = max(prefixes, key=lambda k: len(k.strip()), default=None)
    return table.rows[best] if best is not None else None


def switch_case(
    flow: Flow, node: Any, variables: dict[str, str], call: CallRead, decided: list[Decision] | None = None
) -> str:
    """The branch a switch takes: its first matching case, else ``default``. ``decided`` gets
    which rule decided each dated time case asked (:func:`dated_time`)."""
    asked: list[tuple[str, tuple[str, str, str, str]]] = []
    took = "default"
    for case in node.cases:
        cond = case.when
        if cond.on == "time" and cond.date_rules():
            tz = time_zone(flow.settings.profile.timezone)
            holds, why = dated_time(flow, cond, call.start or datetime.now(tz))
            asked.append((str(case.branch), why))
        else:
            holds = condition_holds(flow, cond, variables, call)
        if holds:
            took = str(case.branch)
            break
    if decided is not None:
        decided.extend(Decision(node.id, took, case, *why) for case, why in asked)
    return took


def dated_time(flow: Flow, cond: Any, now: datetime) -> tuple[bool, tuple[str, str, str, str]]:
    """A time condition with ``except`` / ``only`` dates at local time ``now``: whether it holds,
    and ``(rule, date, holiday name, note)`` saying which rule decided.

    The date rules come first, in order: a date ``except`` lists (its dates and its calendar's
    keys) fails the case (``excluded_date``); a date ``only`` does not list fails it
    (``not_listed``); then the weekly window decides (``in_hours`` / ``outside_hours``). A
    calendar :func:`~flowgraph.runtime.calendars.calendar_problem` refuses is noted and its rule
    skipped, or with ``unavailable: no_match`` fails the case (``calendar_unavailable``).
    """
    day = f"{now.year:04d}-{now.month:02d}-{now.day:02d}"
    notes: list[str] = []
    name = ""
    for kind, rule in cond.date_rules():
        names = {d: "" for d in rule.dates}
        if rule.calendar:
            table = flow.tables.get(rule.calendar)
            problem = calendar_problem(rule.calendar, table)
            if problem or table is None:  # no problem means a table (mypy cannot know)
                notes.append(problem)
                if rule.unavailable == "no_match":
                    return False, ("calendar_unavailable", day, "", "; ".join(notes))
                continue
            names.update({key: row.get("name", "") for key, row in table.rows.items()})
        if kind == "except" and day in names:
            return False, ("excluded_date", day, names[day], "; ".join(notes))
        if kind == "only" and day not in names:
            return False, ("not_listed", day, "", "; ".join(notes))
        name = names.get(day, name)
    holds = in_window(now, cond.days, cond.start, cond.end)
    return holds, ("in_hours" if holds else "outside_hours", day, name, "; ".join(notes))


def condition_holds(flow: Flow, cond: Any, variables: dict[str, str], call: CallRead) -> bool:
    """Whether one switch condition holds for this request."""
    if cond.on in ("caller", "dialled"):
        number = call.caller if cond.on == "caller" else call.dialled
        return bool(number) and (
            number in {reading.national(n) for n in cond.numbers}
            or any(number.startswith(p.strip()) for p in cond.prefixes if p.strip())
        )
    if cond.on == "time":
        tz = time_zone(flow.settings.profile.timezone)
        # No start_stamp (or an unreadable one): the server goes by its own clock.
        return in_window(call.start or datetime.now(tz), cond.days, cond.start, cond.end)
    if cond.on == "variable":
        return variables.get(cond.variable.strip("{} "), "") in cond.values
    return table_row(flow, cond.table, "exact", render(cond.key, variables)) is not None


def in_window(when: datetime, days: list[str], start: str, end: str) -> bool:
    """``when`` is inside a weekly window: ``start`` inclusive, ``end`` exclusive, on ``days``.

    A window with ``end`` before ``start`` runs over midnight: its early part belongs to the day
    after a listed day (the checks reject such windows today; this keeps the meaning defined).
    """
    hm = when.strftime("%H:%M")
    day = DAYS[when.weekday()]
    if start < end:
        return day in days and start <= hm < end
    if start > end:
        yesterday = DAYS[(when.weekday() - 1) % 7]
        return (day in days and hm >= start) or (yesterday in days and hm < end)
    return False


def split_arm(node: Any, caller_id_number: str) -> str:
    """The arm of a split a caller takes, by the rule in the node's docs: the caller's national
    number and the node id, ``"<number>:<node id>"``, hashed with SHA-256; the first 16 hex
    digits as a number, modulo 10,000, is the caller's place; arm after arm takes 100 places per
    percent of share. A caller whose number is not one national number takes the first arm
    whose share is above 0 (an arm at 0 % gets nobody)."""
    number = reading.sendable(caller_id_number.strip())
    if number is None:
        return str(next((arm.branch for arm in node.arms if arm.share > 0), node.arms[0].branch))
    place = int(hashlib.sha256(f"{number}:{node.id}".encode()).hexdigest()[:16], 16) % 10_000
    upper = 0
    for arm in node.arms:
        upper += 100 * arm.share
        if place < upper:
            return str(arm.branch)
    return str(node.arms[0].branch)
