"""The reference interpreter's own reading of call data, key presses and phone numbers.

Written from ``shared/platform/NOTES.md`` ("Request side", "Response side"), the platform
document ("Request Variables", "Transfer") and docs/flow-format.md (menus, numbers, tables), and
deliberately *not* from the runtime's code (:mod:`flowgraph.runtime.callvars`,
:mod:`flowgraph.profile`, :mod:`flowgraph.runtime.lookups`): the property tests compare this
reading with the runtime's, so a bug in either shows up as a difference. It is meant to be
small and plainly right, not fast.

The rules, each with where it comes from:

- **Variables** (platform document): ``uuid``, ``call_id``, ``call_to_number``,
  ``caller_id_number``, ``start_stamp``, ``last_dtmf``, ``call_flow``. Keys may carry stray
  whitespace (NOTES); a key names a variable whatever its case (the template is the user's own
  writing; flowgraph's choice). Of two keys naming one variable, the first with a value counts.
- **Absent** (NOTES): a missing key, ``null``, ``""`` and an unreplaced placeholder
  (the literal ``$name``). Values are text (platform document: "String"); a JSON number is read as
  the number it denotes (``9876543210`` and ``9876543210.0`` are both ``"9876543210"``); ``true``,
  ``false``, arrays and objects are no text value.
- **start_stamp** (NOTES): ``YYYY-mm-dd HH:MM:SS`` in the profile's zone; another form is absent.
- **last_dtmf** (NOTES, docs/flow-format.md "Menus"): ``"1"``, ``["1"]``, ``[1]``, ``"12#"``, an
  array written as text (``'["2"]'``, ``"['2']"``, ``"[2]"``) and keys in quotes; ``""``, ``[]``,
  ``null``, ``"null"``, missing and ``"$last_dtmf"`` are no input.
- **Menu keys** (docs/flow-format.md): one trailing ``#`` ends input and is dropped; a lone ``#``
  is a key.
- **Comparing numbers** (NOTES): by their last 10 digits (fewer when fewer are given; only the
  ASCII digits ``0``-``9`` count).
- **Sending numbers** (platform document, NOTES, docs/flow-format.md): a ``number`` target is
  exactly one 10-digit national number, not starting with 0, written with or without ``+91``,
  ``91`` or the trunk ``0``, spaces, hyphens and brackets aside; sent as the 10 digits (or
  ``+91`` and them, profile ``number_format: e164``). Anything else is refused, never cut.
- **Table keys** (docs/flow-format.md): a key that is such a number matches in any of its forms;
  any other key as written, surrounding whitespace aside.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

VARIABLES = ("uuid", "call_id", "call_to_number", "caller_id_number", "start_stamp", "last_dtmf", "call_flow")
DIGITS = "0123456789"
#: What a placeholder's name is made of (``$call_id``).
_NAME = frozenset(string.ascii_letters + DIGITS + "_")
#: What people write between a number's digits.
_SEPARATORS = frozenset(" -()")
STAMP_FORM = "%Y-%m-%d %H:%M:%S"
IST = timezone(timedelta(hours=5, minutes=30), "IST")


def is_placeholder(text: str) -> bool:
    """``text`` is an unreplaced ``$name`` (NOTES: "arrive as the literal text")."""
    return len(text) > 1 and text[0] == "$" and all(ch in _NAME for ch in text[1:])


def text_value(value: Any) -> str:
    """A received value as text, ``""`` when absent or not a text value."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value == int(value) else repr(value)
    if not isinstance(value, str):
        return ""
    text = value.strip()
    return "" if is_placeholder(text) else text


def _absent(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return len(value) == 0
    return text_value(value) == ""


def variables_of(request: Any) -> dict[str, Any]:
    """The platform's variables by name, as received (before reading their values)."""
    found: dict[str, Any] = {}
    if not isinstance(request, Mapping):
        return found
    for key, value in request.items():
        name = str(key).strip().lower()
        if name in VARIABLES and (name not in found or _absent(found[name])):
            found[name] = value
    return found


def read_dtmf(value: Any) -> str | None:
    """The keys pressed, or None for no input."""
    if isinstance(value, list | tuple):
        items: list[Any] = list(value)
    else:
        text = text_value(value)
        items = [text]
        if len(text) >= 2 and text[0] == "[" and text[-1] == "]":
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = text[1:-1].split(",")
            items = parsed if isinstance(parsed, list) else [parsed]
    keys = "".join(text_value(item).strip("\"'") for item in items)
    keys = keys.strip("\"'")
    return None if keys in ("", "null") else keys


def menu_keys(pressed: str | None) -> str | None:
    """The keys an option is matched against: without one final ``#`` that ended the input."""
    if pressed is not None and len(pressed) >= 2 and pressed.endswith("#"):
        return pressed[:-1]
    return pressed


def digits(text: str) -> str:
    """The ASCII digits of ``text``, in order."""
    return "".join(ch for ch in text if ch in DIGITS)


def national(text: str) -> str:
    """A received number's form for comparisons: its last 10 digits."""
    return digits(text)[-10:]


def sendable(text: str) -> str | None:
    """The 10 national digits of a value that names exactly one Indian number, else None."""
    compact = "".join(ch for ch in text if ch not in _SEPARATORS and not ch.isspace())
    if compact.startswith("+91"):
        rest = compact[3:]
    elif compact.startswith("+"):
        return None  # another country
    elif len(compact) == 12 and compact.startswith("91"):
        rest = compact[2:]
    elif len(compact) == 11 and compact.startswith("0"):
        rest = compact[1:]
    else:
        rest = compact
    if len(rest) == 10 and all(ch in DIGITS for ch in rest) and rest[0] != "0":
        return rest
    return None


def formatted(text: str, number_format: str) -> str:
    """A ``number`` target as sent; a value :func:`sendable` refuses is returned unchanged."""
    number = sendable(text)
    if number is None:
        return text
    return "+91" + number if number_format == "e164" else number


def table_key(text: str) -> str:
    """How a table key or probe compares."""
    return sendable(text.strip()) or text.strip()


@dataclass(frozen=True)
class CallRead:
    """One request's call data as the reference semantics reads it (``""``: absent)."""

    uuid: str
    call_id: str
    call_to_number: str
    caller_id_number: str
    start: datetime | None
    last_dtmf: str | None

    @property
    def caller(self) -> str:
        return national(self.caller_id_number)

    @property
    def dialled(self) -> str:
        return national(self.call_to_number)

    def variables(self) -> dict[str, str]:
        """What ``{{templates}}`` see: numbers as received, the start time as the platform wrote it."""
        return {
            "uuid": self.uuid,
            "call_id": self.call_id,
            "call_to_number": self.call_to_number,
            "caller_id_number": self.caller_id_number,
            "start_stamp": self.start.strftime(STAMP_FORM) if self.start is not None else "",
        }


def read_stamp(value: Any, tz: tzinfo) -> datetime | None:
    """``start_stamp`` in the documented form, in ``tz``; None otherwise."""
    text = text_value(value)
    if len(text) != 19 or not text.isascii():  # strptime would take "2026-1-2 3:4:5" too
        return None
    try:
        return datetime.strptime(text, STAMP_FORM).replace(tzinfo=tz)
    except ValueError:
        return None


def time_zone(name: str) -> tzinfo:
    """The profile's zone; IST (NOTES: the platform's default) when this machine does not know it."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return IST


def read_call(request: Any, tz: tzinfo) -> CallRead:
    """Read one request's call data (``request``: the variables merged from query and body)."""
    found = variables_of(request)
    return CallRead(
        uuid=text_value(found.get("uuid")),
        call_id=text_value(found.get("call_id")),
        call_to_number=text_value(found.get("call_to_number")),
        caller_id_number=text_value(found.get("caller_id_number")),
        start=read_stamp(found.get("start_stamp"), tz),
        last_dtmf=read_dtmf(found.get("last_dtmf")),
    )
