"""The wire format: platform actions -> one-line JSON bytes, and back.

This is the ONLY module that knows how Smartflo spells a response (platform document
"Response Variables", NOTES.md "Response side"). Everything else builds :class:`Action` values.

Shapes sent:
- one action: ``[{"recording": {...}}]``;
- several actions in order (profile ``multi_action_form="nested"``, the platform document's
  three-step example): ``[[{...}],[{...}]]``; ``"flat"`` sends ``[{...},{...}]`` (unconfirmed);
- compact, single line, keys spelled as the document's examples (``maxLength``).

Constant actions are encoded once (:func:`encode_action` gives a byte *fragment*) and a response
is a cheap join of fragments (:func:`frame`), so the hot path does no JSON work for them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import orjson

from flowgraph.diagnostics import NothingToSend, ResponseError
from flowgraph.profile import COUNTRY_CODE, NATIONAL_DIGITS, PlatformProfile, sendable_number

TRANSFER_TYPES: tuple[str, ...] = ("number", "agent", "ivr", "auto_attendant", "department")
#: Only these transfer types may carry several values (platform document, transfer table note).
MULTI_VALUE_TYPES: frozenset[str] = frozenset({"number", "agent"})
RECORDING_TYPES: tuple[str, ...] = ("system", "url")
ACTION_KEYS: tuple[str, ...] = ("recording", "transfer", "api_dialplan")


@dataclass(frozen=True, slots=True)
class Dtmf:
    """Digit collection over a recording; ``None`` fields are left out (platform defaults apply)."""

    timeout: int | None = None
    max_length: int | None = None
    retry: int | None = None


@dataclass(frozen=True, slots=True)
class RecordingAction:
    """Play a portal recording (``type="system"``, data = id) or an audio URL (``type="url"``)."""

    type: str
    data: str
    dtmf: Dtmf | None = None


@dataclass(frozen=True, slots=True)
class TransferAction:
    """Transfer the call; ``data`` is always a list (the document's examples send lists)."""

    type: str
    data: tuple[str, ...] | list[str]
    ring_type: str | None = None
    moh: str | None = None
    skip_active: bool | None = None


@dataclass(frozen=True, slots=True)
class DialplanAction:
    """Run another API Dialplan configured in the portal (``data`` = its id)."""

    data: str


Action = RecordingAction | TransferAction | DialplanAction


# --- encoding ----------------------------------------------------------------------------


def format_number(value: str, profile: PlatformProfile) -> str:
    """A ``number`` transfer target as the platform wants it (profile ``number_format``): the
    10 national digits :func:`flowgraph.profile.sendable_number` finds, or ``+91`` + those for
    ``e164``.

    A value the rule refuses is returned unchanged, never cut to a guess: the checks refuse such
    literals (FG508) and the runtime fails over on such rendered values (``bad_number``) before
    they get here, so only a template shown in a plan (``{{who.agent}}``) passes through.
    """
    national = sendable_number(value)
    if national is None:
        return value
    return "+" + COUNTRY_CODE + national if profile.number_format == "e164" else national


#: Characters a URL may hold as they are: RFC 3986 unreserved and reserved ones, and ``%`` of an
#: escape already made. Everything else (spaces, quotes, ``<>``, non-ASCII ...) is escaped.
_URL_SAFE = "!#$&'()*+,/:;=?@[]~%"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$"
)


def recording_url(text: str) -> str | None:
    """A ``url`` recording's data as sent: ``text`` percent-encoded where needed
    (``https://media.example.com/x y"z.mp3`` -> ``.../x%20y%22z.mp3``), or None when it is not
    an http(s) URL with a host even then.

    Escapes already made are kept, so encoding twice changes nothing. Reserved characters keep
    their URL meaning (a variable may hold a path or a whole URL). Control characters and hosts
    that are not plain DNS names or IP literals are refused rather than escaped: no encoding
    makes them a URL the platform can fetch.
    """
    text = text.strip()
    if not text.isprintable():
        return None
    encoded = quote(_LONE_PERCENT.sub("%25", text), safe=_URL_SAFE)
    try:
        parts = urlsplit(encoded)
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if _HOST.match(host) is None and not _is_ip(host):
        return None
    return encoded


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _recording_data(rec: RecordingAction, profile: PlatformProfile) -> str | int:
    data = rec.data
    # The document's examples send system ids as numbers (1234); a leading zero would be lost
    # as a number, so such ids stay strings.
    if (
        rec.type == "system"
        and profile.system_recording_as_number
        and data.isascii()
        and data.isdigit()
        and len(data) <= 15
        and (data == "0" or data[0] != "0")
    ):
        return int(data)
    return data


def action_object(action: Action, profile: PlatformProfile) -> dict[str, Any]:
    """The JSON object for one action, keys in the platform document's order."""
    if isinstance(action, RecordingAction):
        body: dict[str, Any] = {"type": action.type, "data": _recording_data(action, profile)}
        if action.dtmf is not None:
            dtmf: dict[str, int] = {}
            if action.dtmf.timeout is not None:
                dtmf["timeout"] = action.dtmf.timeout
            if action.dtmf.max_length is not None:
                dtmf["maxLength"] = action.dtmf.max_length
            if action.dtmf.retry is not None:
                dtmf["retry"] = action.dtmf.retry
            body["dtmf"] = dtmf
        return {"recording": body}
    if isinstance(action, TransferAction):
        data = list(action.data)
        if action.type == "number":
            data = [format_number(v, profile) for v in data]
        out: dict[str, Any] = {"type": action.type, "data": data}
        if action.ring_type is not None:
            out["ring_type"] = action.ring_type
        if action.skip_active is not None:
            out["skip_active"] = action.skip_active
        if action.moh is not None:
            out["moh"] = action.moh
        return {"transfer": out}
    if isinstance(action, DialplanAction):
        return {"api_dialplan": {"data": action.data}}
    raise TypeError(f"not a platform action: {action!r}")


def encode_action(action: Action, profile: PlatformProfile) -> bytes:
    """One action as a compact JSON fragment (``{"recording":{...}}``), for :func:`frame`."""
    return orjson.dumps(action_object(action, profile))


def encode_object(obj: dict[str, Any]) -> bytes:
    """An :func:`action_object` result as a fragment (saves building the object twice)."""
    return orjson.dumps(obj)


def frame(fragments: Sequence[bytes], form: str = "nested", where: str = "a response") -> bytes:
    """Join pre-encoded action fragments into a response body.

    One fragment gives ``[{...}]``; several give ``[[{...}],[{...}]]`` (``nested``) or
    ``[{...},{...}]`` (``flat``). The one place that refuses an empty response: ``[]`` has unknown
    effect on the platform (NOTES.md), so :class:`NothingToSend` (naming ``where``) tells the
    caller to answer with the failover instead.
    """
    if not fragments:
        raise NothingToSend(f"{where} has no action to send (never send [])")
    if len(fragments) == 1:
        return b"[" + fragments[0] + b"]"
    if form == "flat":
        return b"[" + b",".join(fragments) + b"]"
    return b"[[" + b"],[".join(fragments) + b"]]"


def encode_response(actions: Sequence[Action], profile: PlatformProfile) -> bytes:
    """Actions in order -> the one-line response body the platform expects."""
    return frame([encode_action(a, profile) for a in actions], profile.multi_action_form)


# --- parsing -----------------------------------------------------------------------------


def _as_int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ResponseError(f"{where}: expected an integer, got {value!r}")
    return value


def _parse_recording(body: Any) -> RecordingAction:
    if not isinstance(body, dict):
        raise ResponseError("recording: expected an object")
    kind, data = body.get("type"), body.get("data")
    if not isinstance(kind, str):
        raise ResponseError(f"recording.type: expected a string, got {kind!r}")
    if isinstance(data, bool) or not isinstance(data, str | int):
        raise ResponseError(f"recording.data: expected a string or number, got {data!r}")
    dtmf = None
    if "dtmf" in body:
        raw = body["dtmf"]
        if not isinstance(raw, dict):
            raise ResponseError("recording.dtmf: expected an object")
        # The document's table spells it 'maxlength', its examples 'maxLength': read both.
        max_len = raw.get("maxLength", raw.get("maxlength"))
        dtmf = Dtmf(
            timeout=_as_int(raw.get("timeout"), "recording.dtmf.timeout"),
            max_length=_as_int(max_len, "recording.dtmf.maxLength"),
            retry=_as_int(raw.get("retry"), "recording.dtmf.retry"),
        )
    return RecordingAction(type=kind, data=str(data), dtmf=dtmf)


def _parse_transfer(body: Any) -> TransferAction:
    if not isinstance(body, dict):
        raise ResponseError("transfer: expected an object")
    kind, data = body.get("type"), body.get("data")
    if not isinstance(kind, str):
        raise ResponseError(f"transfer.type: expected a string, got {kind!r}")
    if isinstance(data, str):
        data = [data]  # the document's table allows "Array/String"
    if not isinstance(data, list) or not all(isinstance(v, str) for v in data):
        raise ResponseError(f"transfer.data: expected a list of strings, got {data!r}")
    ring, moh, skip = body.get("ring_type"), body.get("moh"), body.get("skip_active")
    if ring is not None and not isinstance(ring, str):
        raise ResponseError(f"transfer.ring_type: expected a string, got {ring!r}")
    if moh is not None and not isinstance(moh, str):
        raise ResponseError(f"transfer.moh: expected a string, got {moh!r}")
    if skip is not None and not isinstance(skip, bool):
        raise ResponseError(f"transfer.skip_active: expected a boolean, got {skip!r}")
    return TransferAction(type=kind, data=tuple(data), ring_type=ring, moh=moh, skip_active=skip)


def _parse_action(obj: Any) -> Action:
    if not isinstance(obj, dict) or len(obj) != 1:
        raise ResponseError(f"an action must be an object with one key, got {obj!r}")
    ((key, body),) = obj.items()
    if key == "recording":
        return _parse_recording(body)
    if key == "transfer":
        return _parse_transfer(body)
    if key == "api_dialplan":
        if not isinstance(body, dict) or not isinstance(body.get("data"), str) or not body["data"]:
            raise ResponseError("api_dialplan.data: expected a non-empty string")
        return DialplanAction(data=body["data"])
    raise ResponseError(f"unknown action {key!r} (known: {', '.join(ACTION_KEYS)})")


def parse_response(body: bytes | str) -> list[list[Action]]:
    """Parse a response body into groups of actions, run by the platform in order.

    ``[{a}]`` -> ``[[a]]``; nested ``[[{a}],[{b}]]`` -> ``[[a],[b]]``; flat ``[{a},{b}]`` ->
    ``[[a, b]]``. Raises :class:`ResponseError` on anything else.
    """
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ResponseError(f"invalid JSON: {exc}") from None
    if not isinstance(doc, list) or not doc:
        raise ResponseError("a response must be a non-empty JSON list")
    if all(isinstance(item, list) for item in doc):
        groups = []
        for item in doc:
            if not item:
                raise ResponseError("an inner list of a nested response is empty")
            groups.append([_parse_action(a) for a in item])
        return groups
    if any(isinstance(item, list) for item in doc):
        raise ResponseError("a response mixes inner lists and action objects")
    return [[_parse_action(a) for a in doc]]


# --- validation (used by the platform emulator) ------------------------------------------

_RECORDING_KEYS = frozenset({"type", "data", "dtmf"})
_DTMF_KEYS = frozenset({"timeout", "maxLength", "maxlength", "retry"})
_TRANSFER_KEYS = frozenset({"type", "data", "ring_type", "moh", "skip_active"})


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_dtmf(raw: Any, where: str, profile: PlatformProfile) -> list[str]:
    if not isinstance(raw, dict):
        return [f"{where}.dtmf: expected an object"]
    problems = [f"{where}.dtmf: unknown key {k!r}" for k in sorted(raw) if k not in _DTMF_KEYS]
    for key in ("timeout", "maxLength", "maxlength", "retry"):
        if key in raw and (not _is_int(raw[key]) or raw[key] < 0):
            problems.append(f"{where}.dtmf.{key}: expected a non-negative integer, got {raw[key]!r}")
    retry = raw.get("retry")
    if isinstance(retry, int) and not isinstance(retry, bool) and retry > profile.dtmf_max_retry:
        problems.append(f"{where}.dtmf.retry: {retry} exceeds the platform maximum {profile.dtmf_max_retry}")
    return problems


def _check_recording(body: dict[str, Any], where: str, profile: PlatformProfile) -> list[str]:
    problems = [f"{where}: unknown key {k!r}" for k in sorted(body) if k not in _RECORDING_KEYS]
    if body.get("type") not in RECORDING_TYPES:
        problems.append(f"{where}.type: expected one of {RECORDING_TYPES}, got {body.get('type')!r}")
    data = body.get("data")
    if not (isinstance(data, str) and data) and not _is_int(data):
        problems.append(f"{where}.data: expected a recording id or URL, got {data!r}")
    if "dtmf" in body:
        problems += _check_dtmf(body["dtmf"], where, profile)
    return problems


def _check_transfer(body: dict[str, Any], where: str, profile: PlatformProfile) -> list[str]:
    problems = [f"{where}: unknown key {k!r}" for k in sorted(body) if k not in _TRANSFER_KEYS]
    kind, data = body.get("type"), body.get("data")
    if kind not in TRANSFER_TYPES:
        problems.append(f"{where}.type: expected one of {TRANSFER_TYPES}, got {kind!r}")
    values = [data] if isinstance(data, str) else data
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        problems.append(f"{where}.data: expected a non-empty list of strings, got {data!r}")
        values = []
    if len(values) > 1 and kind not in MULTI_VALUE_TYPES:
        problems.append(f"{where}.data: type {kind!r} takes one value, got {len(values)}")
    if kind == "number":
        for v in values:
            digits = v.removeprefix("+" + COUNTRY_CODE) if profile.number_format == "e164" else v
            if format_number(v, profile) != v or not (len(digits) == NATIONAL_DIGITS and digits.isdecimal()):
                problems.append(f"{where}.data: {v!r} is not a number in {profile.number_format} form")
    ring = body.get("ring_type")
    if "ring_type" in body and ring not in profile.ring_types:
        problems.append(f"{where}.ring_type: {ring!r} is not one of {profile.ring_types}")
    if "moh" in body and not (isinstance(body["moh"], str) and body["moh"]):
        problems.append(f"{where}.moh: expected a recording id as a string, got {body['moh']!r}")
    if "skip_active" in body and not isinstance(body["skip_active"], bool):
        problems.append(f"{where}.skip_active: expected a boolean, got {body['skip_active']!r}")
    return problems


def _check_action(obj: Any, where: str, profile: PlatformProfile) -> list[str]:
    if not isinstance(obj, dict) or len(obj) != 1:
        return [f"{where}: an action must be an object with exactly one key"]
    ((key, body),) = obj.items()
    if key not in ACTION_KEYS:
        return [f"{where}: unknown action {key!r} (known: {', '.join(ACTION_KEYS)})"]
    if not isinstance(body, dict):
        return [f"{where}.{key}: expected an object"]
    if key == "recording":
        return _check_recording(body, f"{where}.recording", profile)
    if key == "transfer":
        return _check_transfer(body, f"{where}.transfer", profile)
    problems = [f"{where}.api_dialplan: unknown key {k!r}" for k in sorted(body) if k != "data"]
    if not (isinstance(body.get("data"), str) and body["data"]):
        problems.append(f"{where}.api_dialplan.data: expected a dialplan id as a string")
    return problems


def validate_response(body: bytes | str, profile: PlatformProfile) -> list[str]:
    """Every way ``body`` departs from the platform's response format (empty list = valid).

    Checks: one line, valid JSON, a non-empty list (single, nested or flat form), known actions,
    field types, retry within the platform maximum, several values only for number/agent.
    """
    raw = body.encode() if isinstance(body, str) else body
    problems: list[str] = []
    if b"\n" in raw.rstrip(b"\n") or b"\r" in raw:
        problems.append("the response spans several lines (the platform wants one line)")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return [*problems, f"invalid JSON: {exc}"]
    if not isinstance(doc, list) or not doc:
        return [*problems, "a response must be a non-empty JSON list of actions"]
    nested = [isinstance(item, list) for item in doc]
    if any(nested) and not all(nested):
        return [*problems, "a response mixes inner lists and action objects"]
    for i, item in enumerate(doc):
        if isinstance(item, list):
            if not item:
                problems.append(f"[{i}]: empty inner list")
            for j, obj in enumerate(item):
                problems += _check_action(obj, f"[{i}][{j}]", profile)
        else:
            problems += _check_action(item, f"[{i}]", profile)
    return problems
