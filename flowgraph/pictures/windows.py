"""Time windows for traffic and impact: ``24h`` -> a start time and "last 24 h", and reading a
record's time (epoch seconds, ISO 8601 text or a datetime)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flowgraph.diagnostics import FlowgraphError

_WINDOW_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_WINDOW_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_WINDOW_WORDS = {"s": "s", "m": "min", "h": "h", "d": "days", "w": "weeks"}


class TrafficError(FlowgraphError):
    """Call records, a stats document or a time window could not be read."""


def window_start(window: str, now: datetime | None = None) -> datetime:
    """The start of a trailing window such as ``24h``, ``7d``, ``30m`` (``now`` defaults to UTC now)."""
    match = _WINDOW_RE.match(window or "")
    if not match:
        raise TrafficError(f"traffic window {window!r}: expected a number and a unit s/m/h/d/w, e.g. 24h")
    amount, unit = int(match.group(1)), match.group(2)
    end = now or datetime.now(UTC)
    return end - timedelta(**{_WINDOW_UNITS[unit]: amount})


def window_words(window: str) -> str:
    """``24h`` -> ``last 24 h``, ``7d`` -> ``last 7 days`` (the title's words for a window)."""
    match = _WINDOW_RE.match(window or "")
    if not match:
        raise TrafficError(f"traffic window {window!r}: expected a number and a unit s/m/h/d/w, e.g. 24h")
    amount, unit = int(match.group(1)), match.group(2)
    word = _WINDOW_WORDS[unit]
    if amount == 1 and unit in "dw":
        word = word[:-1]
    return f"last {amount} {word}"


def _since_words(when: datetime) -> str:
    return "since " + when.astimezone(UTC).strftime("%d %b %Y %H:%M UTC").lstrip("0")


def _as_datetime(value: Any, where: str) -> datetime:
    """Epoch seconds, ISO 8601 text or a datetime -> an aware datetime (naive means UTC)."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        when = datetime.fromtimestamp(float(value), UTC)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            when = datetime.fromtimestamp(float(text), UTC)
        except ValueError:
            try:
                when = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                raise TrafficError(f"{where}: {value!r} is not a time (ISO 8601 or epoch seconds)") from None
    else:
        raise TrafficError(f"{where}: expected a time (ISO 8601 or epoch seconds), got {value!r}")
    return when if when.tzinfo else when.replace(tzinfo=UTC)
