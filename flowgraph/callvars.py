"""Call data from a platform request, parsed leniently (NOTES.md "Request side").

The platform replaces ``$placeholders`` in a request body template the user wrote. What arrives
is loose: unused placeholders come as their literal text (``"$last_dtmf"``), empty values as
``""``, keys may carry stray whitespace, numbers come in every form (``9240202904``,
``+919240202904``, ``918287842425``, ``+91-98XXXXXXXX``). :func:`parse_call_vars` turns any
mapping (or anything at all) into a :class:`CallData` and never raises.

This runs on every live request, so it is plain Python: no pydantic, one pass over the keys.

Decisions where the platform is silent:
- An absent value (missing, ``""``, ``null``, a literal ``$placeholder``) is ``""`` for the text
  fields and ``None`` for ``start_stamp`` / ``last_dtmf``.
- ``last_dtmf`` keeps a trailing ``#`` as received (``"12#"``): ``#`` is a valid menu option of its
  own, and whether the platform strips a terminator key is unknown, so nothing is guessed here.
  The menu decision matches options exactly (:func:`flowgraph.runtime.decide_menu`): ``"12#"``
  takes ``invalid`` unless ``12#`` is an option. Lists are joined (``["1","2"]`` -> ``"12"``),
  numbers written in decimal (``[1]`` -> ``"1"``).
- A number's national form is its last 10 digits; with fewer than 10 digits (an extension, a
  short code) it is just its digits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from flowgraph.profile import PlatformProfile

#: Used when a profile names a time zone this machine does not know (never raise on a request).
IST = timezone(timedelta(hours=5, minutes=30), "IST")
_NON_DIGITS = re.compile(r"[^0-9]+")
_KNOWN = frozenset(
    ("uuid", "call_id", "call_to_number", "caller_id_number", "start_stamp", "last_dtmf", "call_flow")
)
_ZONES: dict[str, tzinfo] = {}


@dataclass(frozen=True, slots=True)
class CallData:
    """One request's call variables; ``""`` / ``None`` mean the platform did not send a value."""

    uuid: str = ""
    call_id: str = ""
    call_to_number: str = ""
    caller_id_number: str = ""
    #: National forms of the two numbers (last 10 digits): what comparisons and tables use.
    dialled: str = ""
    caller: str = ""
    start_stamp: datetime | None = None
    #: Digits pressed, as text; ``None`` when the caller pressed nothing.
    last_dtmf: str | None = None
    call_flow: list[Any] = field(default_factory=list)
    #: Everything received, keys stripped of whitespace (for the call log).
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def call_key(self) -> str:
        """The id a per-call record is kept under: the call id, else the uuid."""
        return self.call_id or self.uuid


def national10(value: Any) -> str:
    """A phone number's national form: its last 10 digits (fewer if it has fewer)."""
    text = value if type(value) is str else _scalar_text(value)
    if not (text.isascii() and text.isdigit()):
        text = _NON_DIGITS.sub("", text)
    return text[-10:]


def zone(name: str) -> tzinfo:
    """The profile's time zone (cached); IST when the name is unknown here."""
    tz = _ZONES.get(name)
    if tz is None:
        try:
            tz = ZoneInfo(name)
        except Exception:  # unknown or malformed zone name: the platform's own default
            tz = IST
        _ZONES[name] = tz
    return tz


def _scalar_text(value: Any) -> str:
    """A received scalar as text; ``""`` for absent values and for containers."""
    if type(value) is str:  # the common case first: this runs several times per request
        text = value.strip()
    elif value is None or isinstance(value, bool | list | dict | tuple):
        return ""
    elif isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    else:
        text = str(value).strip()
    if text[:1] == "$" and len(text) > 1 and text[1:].replace("_", "a").isalnum():
        return ""  # an unreplaced placeholder: the platform had no value for it
    return text


def _dtmf(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        text = "".join(_scalar_text(v) for v in value)
    else:
        text = _scalar_text(value)
        if text.startswith("[") and text.endswith("]"):
            # A JSON array sent as a string ('["1"]'): read it as the array it names.
            try:
                inner = json.loads(text)
            except ValueError:
                inner = None
            if isinstance(inner, list):
                text = "".join(_scalar_text(v) for v in inner)
    text = text.replace(" ", "")
    return text or None


def _stamp(value: Any, tz: tzinfo) -> datetime | None:
    text = _scalar_text(value)
    if not text:
        return None
    try:
        if text.replace(".", "", 1).isdigit():  # epoch seconds, as in $call_flow times
            return datetime.fromtimestamp(float(text), tz)
        stamp = datetime.fromisoformat(text.replace("/", "-"))
    except (ValueError, OverflowError, OSError):
        return None
    return stamp.replace(tzinfo=tz) if stamp.tzinfo is None else stamp.astimezone(tz)


def _call_flow(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    text = _scalar_text(value)
    if not text or text[0] not in "[{":
        return []
    try:
        parsed = json.loads(text)
    except ValueError:
        return []
    return parsed if isinstance(parsed, list) else [parsed] if isinstance(parsed, dict) else []


def _read(mapping: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """One pass over the keys: everything with keys stripped, and the known variables by name."""
    raw: dict[str, Any] = {}
    known: dict[str, Any] = {}
    if not isinstance(mapping, Mapping):
        return raw, known
    for key, value in mapping.items():
        name = key.strip() if type(key) is str else str(key).strip()
        # A key seen twice after stripping ("uuid" and "uuid "): keep the first real value.
        if name not in raw or raw[name] in (None, ""):
            raw[name] = value
            lower = name if name in _KNOWN else name.lower()
            if lower in _KNOWN and (lower not in known or known[lower] in (None, "")):
                known[lower] = value
    return raw, known


def parse_call_vars(mapping: Any, profile: PlatformProfile | None = None) -> CallData:
    """Read call variables from a merged request mapping (query, form and JSON body).

    Never raises: whatever cannot be read counts as absent.
    """
    try:
        raw, known = _read(mapping)
        tz = zone(profile.timezone if profile is not None else "Asia/Kolkata")
        get = known.get
        dialled, caller = _scalar_text(get("call_to_number")), _scalar_text(get("caller_id_number"))
        return CallData(
            uuid=_scalar_text(get("uuid")),
            call_id=_scalar_text(get("call_id")),
            call_to_number=dialled,
            caller_id_number=caller,
            dialled=national10(dialled),
            caller=national10(caller),
            start_stamp=_stamp(get("start_stamp"), tz),
            last_dtmf=_dtmf(get("last_dtmf")),
            call_flow=_call_flow(get("call_flow")),
            raw=raw,
        )
    except Exception:  # a last guard: a live call must never fail on its own data
        return CallData(raw={})
