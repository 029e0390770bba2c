"""Call data from a platform request, parsed leniently (NOTES.md "Request side").

The platform replaces ``$placeholders`` in a request body template the user wrote. What arrives
is loose: unused placeholders come as their literal text (``"$last_dtmf"``), empty values as
``""``, keys may carry stray whitespace, numbers come in every form (``9240202904``,
``+919240202904``, ``918287842425``, ``+91-98XXXXXXXX``). :func:`parse_call_vars` turns any
mapping (or anything at all) into a :class:`CallData` and never raises.

This runs on every live request, so it is plain Python: no pydantic, one pass over the keys,
and the fields most steps never look at (``start_stamp``, ``call_flow``, the national form of
the dialled number, ``raw``) are read from the request only when first asked for. Reading them
late never raises either: what cannot be read counts as absent.

Decisions where the platform is silent:
- An absent value (missing, ``""``, ``null``, a literal ``$placeholder``) is ``""`` for the text
  fields and ``None`` for ``start_stamp`` / ``last_dtmf``.
- ``last_dtmf`` keeps a trailing ``#`` as received (``"12#"``), for the call log. The menu
  decision drops one trailing ``#`` before matching options (:func:`menu_keys`: ``#`` ends
  input), so ``"12#"`` takes option ``12``, while a lone ``"#"`` still matches an option ``#``.
  Lists are joined (``["1","2"]`` -> ``"12"``), numbers written in decimal (``[1]`` -> ``"1"``),
  an array pasted into a quoted template as text (``'["2"]'``) read as the array it names.
- A number's national form is :func:`flowgraph.profile.national_number` (its last 10 digits).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flowgraph.profile import DEFAULT_PROFILE, PlatformProfile, call_identity, national_number

#: Used when a profile names a time zone this machine does not know (never raise on a request).
IST = timezone(timedelta(hours=5, minutes=30), "IST")
_KNOWN = frozenset(
    ("uuid", "call_id", "call_to_number", "caller_id_number", "start_stamp", "last_dtmf", "call_flow")
)
_ZONES: dict[str, tzinfo] = {}
_T = TypeVar("_T")


class _Lazy(enum.Enum):
    """Marks a field that is read from the request on first use."""

    UNREAD = 0


_UNREAD = _Lazy.UNREAD


class CallData:
    """One request's call variables; ``""`` / ``None`` mean the platform did not send a value.

    ``dialled`` / ``caller`` are the national forms of the two numbers (what comparisons and
    tables use); ``last_dtmf`` is the digits pressed as text, ``None`` when nothing was pressed;
    ``raw`` is everything received with keys stripped of whitespace (for the call log).
    """

    __slots__ = (
        "_caller",
        "_dialled",
        "_flow",
        "_known",
        "_raw",
        "_received",
        "_stamp",
        "_tz",
        "call_id",
        "call_to_number",
        "caller_id_number",
        "last_dtmf",
        "uuid",
    )

    def __init__(
        self,
        uuid: str = "",
        call_id: str = "",
        call_to_number: str = "",
        caller_id_number: str = "",
        dialled: str | None = None,
        caller: str | None = None,
        start_stamp: datetime | None = None,
        last_dtmf: str | None = None,
        call_flow: list[Any] | None = None,
        raw: dict[str, Any] | None = None,
    ):
        self.uuid = uuid
        self.call_id = call_id
        self.call_to_number = call_to_number
        self.caller_id_number = caller_id_number
        self.last_dtmf = last_dtmf
        # None: derived from the number as given, on first use.
        self._dialled: str | _Lazy = _UNREAD if dialled is None else dialled
        self._caller: str | _Lazy = _UNREAD if caller is None else caller
        self._stamp: datetime | _Lazy | None = start_stamp
        self._flow: list[Any] | _Lazy = [] if call_flow is None else call_flow
        self._raw: dict[str, Any] | _Lazy = {} if raw is None else raw
        self._known: dict[str, Any] = {}
        self._received: Any = None
        self._tz: tzinfo = IST

    @property
    def call_key(self) -> str:
        """The key this call's context is kept under (:func:`flowgraph.profile.call_identity`)."""
        return call_identity(self.call_id, self.uuid)

    @property
    def dialled(self) -> str:
        """The dialled number's national form."""
        if self._dialled is _UNREAD:
            self._dialled = _safely(national_number, self.call_to_number, "")
        return self._dialled

    @property
    def caller(self) -> str:
        """The caller's national form."""
        if self._caller is _UNREAD:
            self._caller = _safely(national_number, self.caller_id_number, "")
        return self._caller

    @property
    def start_stamp(self) -> datetime | None:
        """When the call started, in the profile's time zone; ``None`` when not sent or unreadable."""
        if self._stamp is _UNREAD:
            self._stamp = _safely(lambda v: _stamp(v, self._tz), self._known.get("start_stamp"), None)
        return self._stamp

    @property
    def call_flow(self) -> list[Any]:
        """The platform's journey of the call as a list of step objects (kept for the log)."""
        if self._flow is _UNREAD:
            self._flow = _safely(_call_flow, self._known.get("call_flow"), [])
        return self._flow

    @property
    def raw(self) -> dict[str, Any]:
        """Everything received, keys stripped of whitespace."""
        if self._raw is _UNREAD:
            empty: dict[str, Any] = {}
            self._raw = _safely(_stripped, self._received, empty)
        return self._raw

    def stamp_text(self, tz: tzinfo) -> str:
        """``start_stamp`` as ``YYYY-mm-dd HH:MM:SS`` in ``tz`` (``""`` when absent).

        The platform sends exactly that form in the profile's zone (NOTES.md), so when ``tz`` is
        the zone it was read in, a valid stamp in that form is its own answer: no conversion.
        """
        if self._stamp is _UNREAD and tz is self._tz:
            text = self._known.get("start_stamp")
            if type(text) is str and len(text) == 19 and text[10] == " " and text.isascii():
                try:
                    datetime.fromisoformat(text)
                except ValueError:
                    pass  # not that form after all ("2026/03/02 ..."): the slow way below
                else:
                    return text
        stamp = self.start_stamp
        if stamp is None:
            return ""
        try:
            # isoformat: the platform's "YYYY-mm-dd HH:MM:SS" (zero-padded years, unlike
            # strftime's %Y), several times cheaper than strftime.
            return stamp.astimezone(tz).isoformat(" ", "seconds")[:19]
        except (OverflowError, ValueError):  # a stamp at the edge of the calendar: absent
            return ""

    def variables(self, tz: tzinfo) -> dict[str, str]:
        """The call variables as ``{{templates}}`` see them: as received (numbers are not
        rewritten), the start time as ``YYYY-mm-dd HH:MM:SS`` in ``tz``."""
        return {
            "uuid": self.uuid,
            "call_id": self.call_id,
            "call_to_number": self.call_to_number,
            "caller_id_number": self.caller_id_number,
            "start_stamp": self.stamp_text(tz),
        }

    def __repr__(self) -> str:
        return (
            f"CallData(uuid={self.uuid!r}, call_id={self.call_id!r}, caller={self.caller!r}, "
            f"dialled={self.dialled!r}, last_dtmf={self.last_dtmf!r}, start_stamp={self.start_stamp!r})"
        )


def _safely(read: Callable[[Any], _T], value: Any, absent: _T) -> _T:
    try:
        return read(value)
    except Exception:  # a live call must never fail on its own data
        return absent


def national10(value: Any) -> str:
    """A received phone number's national form (:func:`flowgraph.profile.national_number`)."""
    return national_number(value if type(value) is str else _scalar_text(value))


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


def menu_keys(pressed: str | None) -> str | None:
    """The keys a menu matches its options against: one trailing ``#`` ends input and is dropped
    (``"12#"`` -> ``"12"``, ``"1#"`` -> ``"1"``); a lone ``"#"`` is a key of its own, so an
    option that is literally ``#`` still matches it. ``None`` (nothing pressed) stays ``None``.

    The one place this rule lives: the runtime's menu decision and the reference interpreter
    both call it (docs/flow-format.md, "Menus").
    """
    if pressed is not None and len(pressed) > 1 and pressed[-1] == "#":
        return pressed[:-1]
    return pressed


#: Texts that mean "nothing pressed" when a template quotes ``$last_dtmf`` (NOTES.md).
_NO_INPUT = frozenset(("null", "none", "[]", '""', "''"))
_QUOTES = "\"'"


def _dtmf(value: Any) -> str | None:
    """``last_dtmf`` as the keys received, ``None`` for no input, in every form NOTES.md lists
    (``"1"``, ``["1"]``, ``[1]``, ``"12#"``; ``""``, ``[]``, ``null``, missing, ``"$last_dtmf"``)
    and the ones a quoting template makes of them: an array as text (``'["2"]'``, ``"['2']"``,
    ``"[2]"``, what a form body or query string carries), keys in quotes (``'"2"'``)."""
    if type(value) is str and value.isdigit() and value.isascii():
        return value  # the common case: "1", "12"
    if isinstance(value, list | tuple):
        text = "".join(_scalar_text(v) for v in value)
    else:
        text = _scalar_text(value)
        if text.startswith("[") and text.endswith("]"):
            # A JSON array sent as a string ('["1"]'): read it as the array it names.
            try:
                inner = json.loads(text)
            except ValueError:
                inner = text[1:-1].split(",")  # not JSON ("['2']"): its items, quotes aside
            if isinstance(inner, list):
                text = "".join(_scalar_text(v).strip(_QUOTES) for v in inner)
    text = text.replace(" ", "")
    if text.lower() in _NO_INPUT:
        return None
    return text.strip(_QUOTES) or None


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


def _name(key: Any) -> str:
    return key.strip() if type(key) is str else str(key).strip()


def _absent(value: Any) -> bool:
    """No real value (NOTES.md): ``null``, blank text, an unreplaced ``$placeholder``, ``[]``."""
    if isinstance(value, list | tuple):
        return not value
    return _scalar_text(value) == "" and not isinstance(value, dict)


def _stripped(mapping: Any) -> dict[str, Any]:
    """Everything received, keys stripped; of a key seen twice ("uuid", "uuid "), the first real value."""
    raw: dict[str, Any] = {}
    if isinstance(mapping, Mapping):
        for key, value in mapping.items():
            name = _name(key)
            if name not in raw or _absent(raw[name]):
                raw[name] = value
    return raw


def _known(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    """The call variables by name, in one pass: keys stripped and matched without case; of a
    name seen twice, the first real value (not :func:`_absent`; the same choice :func:`_stripped`
    makes)."""
    known: dict[str, Any] = {}
    for key, value in mapping.items():
        if key in _KNOWN:  # the common case: the template's own spelling
            name = key
        else:
            name = _name(key)
            if name not in _KNOWN:
                name = name.lower()
                if name not in _KNOWN:
                    continue
        if name not in known or _absent(known[name]):
            known[name] = value
    return known


def parse_call_vars(mapping: Any, profile: PlatformProfile | None = None) -> CallData:
    """Read call variables from a merged request mapping (query, form and JSON body).

    Never raises: whatever cannot be read counts as absent.
    """
    try:
        if not isinstance(mapping, Mapping):
            return CallData()
        known = _known(mapping)
        get = known.get
        call = CallData(
            _scalar_text(get("uuid")),
            _scalar_text(get("call_id")),
            _scalar_text(get("call_to_number")),
            _scalar_text(get("caller_id_number")),
            None,
            None,
            None,
            _dtmf(get("last_dtmf")),
        )
        call._stamp = call._flow = call._raw = _UNREAD
        call._known = known
        call._received = mapping
        call._tz = zone((profile or DEFAULT_PROFILE).timezone)
        return call
    except Exception:  # a last guard: a live call must never fail on its own data
        return CallData()
