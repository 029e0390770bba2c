"""The platform profile: every assumption about Smartflo that is not confirmed, in one place.

Defaults follow ``shared/platform/smartflo-api-dialplan.txt`` (the platform document) and
``shared/platform/NOTES.md``. A flow overrides any of them under ``settings.profile`` once its
owner has confirmed the behaviour on their own account. Nothing else in flowgraph hard-codes
these values: read them from the flow's profile.
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Digits in a national number: numbers are sent as 10 digits without +91, and compared by their
#: last 10 digits because they arrive in mixed forms (NOTES.md "Request side", "Response side").
NATIONAL_DIGITS = 10
#: The country code of the numbers the platform sends and takes (India).
COUNTRY_CODE = "91"
#: The zone of ``$start_stamp`` (IST, NOTES.md) and of time rules, unless a flow says otherwise.
TIMEZONE = "Asia/Kolkata"
#: The ring strategy the platform uses when a transfer names none (platform document, Transfer).
DEFAULT_RING_TYPE = "order_by"
#: Most api_dialplan hops on one call (platform document: "Up to 3 API dial plans can be nested").
NESTING_LIMIT = 3
_NON_DIGITS = re.compile(r"[^0-9]+")
_NUMBER_PUNCTUATION = re.compile(r"[\s\-()]")


def digits_of(text: str) -> str:
    """Only the ASCII digits of ``text`` (``+91-98765 43210`` -> ``919876543210``)."""
    if text.isascii() and text.isdigit():
        return text
    if text[:1] == "+" and text[1:].isdigit() and text.isascii():
        return text[1:]  # "+919240202904", the most common form after plain digits
    return _NON_DIGITS.sub("", text)


def national_number(text: str) -> str:
    """A *received* phone number's national form for comparisons (switch conditions on the
    caller or the dialled number): its last 10 digits, all of them when it has fewer (a masked
    ``+91-98XXXXXXXX``). Never use it to decide what may be sent: that is :func:`sendable_number`."""
    return digits_of(text)[-NATIONAL_DIGITS:]


def sendable_number(text: str) -> str | None:
    """THE number rule: the 10 national digits of a value that names exactly one Indian number,
    or None. The checks judge literal targets with it, the runtime rendered targets (failing over
    with ``bad_number`` on None) and tables their keys; nothing else decides.

    Accepted: 10 digits, optionally after ``+91``, ``91`` or the trunk ``0``, with spaces,
    hyphens or brackets anywhere (``9876543210``, ``+91 98765-43210``, ``919876543210``,
    ``09876543210``, ``+91-98765 43210``). Refused: more or fewer digits, a second number
    (``9000000105, 9000000106``), letters, extensions (``x9876``), other country codes, and a
    national number starting with 0 (Indian national numbers never do: such a value is a trunk
    0 in front of too few digits). Never cut to the last 10 digits: that would dial a guess.
    """
    if len(text) == NATIONAL_DIGITS and text.isascii() and text.isdigit() and text[0] != "0":
        return text  # the common case on the hot path (table keys, rendered targets)
    raw = _NUMBER_PUNCTUATION.sub("", text)
    if raw[:1] == "+":
        if not raw.startswith("+" + COUNTRY_CODE):
            return None
        raw = raw[1 + len(COUNTRY_CODE) :]
    elif len(raw) == NATIONAL_DIGITS + len(COUNTRY_CODE) and raw.startswith(COUNTRY_CODE):
        raw = raw[len(COUNTRY_CODE) :]
    elif len(raw) == NATIONAL_DIGITS + 1 and raw[:1] == "0":
        raw = raw[1:]
    if len(raw) == NATIONAL_DIGITS and raw.isascii() and raw.isdigit() and raw[0] != "0":
        return raw
    return None


#: Transfer types whose targets are portal ids, not phone numbers (platform document, Transfer:
#: "Agent ID", "Agent Extension", "IVR", "Auto Attendant", "Department").
ID_TRANSFER_TYPES: frozenset[str] = frozenset({"agent", "ivr", "auto_attendant", "department"})
#: The default shape of such an id: the platform document shows only digits (``05000001``,
#: ``06047530001``, ``22590``); letters, ``_`` and ``-`` are allowed too, because no source says
#: they cannot occur. Whitespace, commas (two ids in one value), ``$`` (an unreplaced
#: placeholder), braces, quotes and the like never name one id. A profile setting, since the
#: platform does not document the shape.
TARGET_ID_PATTERN = r"[0-9A-Za-z][0-9A-Za-z_-]{0,63}"


@functools.lru_cache(maxsize=16)
def _id_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def sendable_id(text: str, profile: PlatformProfile) -> bool:
    """THE id rule: whether ``text`` is, as written, one portal id for an ``agent``, ``ivr``,
    ``auto_attendant`` or ``department`` transfer (the whole value matches the profile's
    ``target_id_pattern``). The checks judge literal targets with it (FG528), the runtime rendered
    ones (failing over with ``bad_value`` when it is false) and flow tables the cells that feed
    them (FG529); nothing else decides. A value is never trimmed or split to fit."""
    return _id_regex(profile.target_id_pattern).fullmatch(text) is not None


#: Separates the two ids in a call key; neither id form NOTES.md lists contains it.
_KEY_SEPARATOR = "|"


def call_identity(call_id: str, uuid: str) -> str:
    """The one call-identity rule: the key a call's context, its call-log records and its traffic
    counts are kept under.

    NOTES.md lists both ids in every request but does not say that either is unique on its own
    (``call_id`` looks like a PBX channel id; ``uuid`` is a short hex string). So a call is
    identified by both when both are present, or by whichever one is present; ``""`` when the
    request carries neither (such a call cannot be resumed). Ids are stripped; the call id's
    length leads the key, so no pair of ids can spell another pair's key (``a|b`` + ``c`` vs
    ``a`` + ``b|c``), and an id over 100 characters is kept as its first 60 plus a hash of it all.
    """
    call_id, uuid = _bounded(call_id.strip()), _bounded(uuid.strip())
    if call_id and uuid:
        return f"{len(call_id)}:{call_id}{_KEY_SEPARATOR}{uuid}"
    return call_id or uuid


def _bounded(text: str) -> str:
    if len(text) <= 100:
        return text
    return text[:60] + "#" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class PlatformProfile(BaseModel):
    """Unconfirmed platform behaviour, as named, documented settings (see docs/platform-profile.md)."""

    model_config = ConfigDict(extra="forbid")

    nesting_limit: int = Field(
        default=NESTING_LIMIT,
        ge=1,
        le=10,
        description="Most api_dialplan hops on one call (platform document: 'Up to 3 API dial plans "
        "can be nested at a time'; its three-step example makes exactly three).",
    )
    multi_action_form: Literal["nested", "flat"] = Field(
        default="nested",
        description="How several actions are sent: 'nested' [[{..}],[{..}]] as in the platform "
        "document's three-step example; 'flat' [{..},{..}] is unconfirmed.",
    )
    number_format: Literal["national10", "e164"] = Field(
        default="national10",
        description="How 'number' transfer targets are sent: 10 national digits without +91 "
        "(platform document) or +91XXXXXXXXXX.",
    )
    ring_types: list[str] = Field(
        default_factory=lambda: [DEFAULT_RING_TYPE, "simultaneous", "random", "round_robin"],
        description="Accepted ring_type values; 'order_by' is the platform default and the only one "
        "seen live (NOTES.md).",
    )
    dtmf_timeout_ms: int = Field(default=5000, description="Platform default digit timeout (ms).")
    dtmf_max_length: int = Field(default=10, description="Platform default maximum digits.")
    dtmf_retry: int = Field(default=0, description="Platform default retries.")
    dtmf_max_retry: int = Field(default=5, description="Most retries the platform allows.")
    dtmf_timeout_range_ms: tuple[int, int] = Field(
        default=(1000, 60000), description="Digit timeouts accepted by the checks (ms)."
    )
    dtmf_max_length_range: tuple[int, int] = Field(
        default=(1, 32), description="Maximum digit counts accepted by the checks."
    )
    transfer_fallthrough: bool = Field(
        default=True,
        description="After an unanswered transfer the platform runs the next inner list of a nested "
        "response (seen once live, to confirm): enables the transfer node's 'no_answer' branch, "
        "as far as it leads to another transfer.",
    )
    transfer_fallthrough_other: bool = Field(
        default=False,
        description="After an unanswered transfer the platform also runs a recording, a menu or an "
        "api_dialplan that follows it (never seen). While false, a no_answer branch that sends one "
        "is an error (FG525).",
    )
    system_recording_as_number: bool = Field(
        default=True,
        description="Send numeric system recording ids as JSON numbers, as the platform document's "
        "examples do (1234).",
    )
    timezone: str = Field(default=TIMEZONE, description="Time zone of start_stamp and time rules.")
    retry_window_ms: int = Field(
        default=0,
        ge=0,
        le=60_000,
        description="Single-dialplan mode: a request identical to the call's previous one (every "
        "variable the same, digits included) within this many ms of it is taken as the platform "
        "retrying it: it gets the same answer again and the call does not move on. 0 (the default) "
        "turns this off: whether the platform retries is unknown (NOTES.md), while a caller who "
        "presses the same key at two menus in a row sends two identical requests.",
    )
    target_id_pattern: str = Field(
        default=TARGET_ID_PATTERN,
        min_length=1,
        description="What one agent, IVR, auto-attendant or department id may look like: a regular "
        "expression the whole id must match. The platform document shows only digits (05000001, "
        "06047530001, 22590); the default also allows letters, '_' and '-' (1 to 64 characters) and "
        "refuses spaces, commas, '$', braces and quotes. A literal target that does not match is an "
        "error (FG528); a rendered one gives the failover (bad_value).",
    )
    hangup_confirmed: bool = Field(
        default=False,
        description="Whether ending a response without a further action is known to hang up the call "
        "on this account. While false, every hangup node carries a warning.",
    )

    @field_validator("target_id_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        return value


#: The profile of a flow that overrides nothing (read-only: never modify it).
DEFAULT_PROFILE = PlatformProfile()
