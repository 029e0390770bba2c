"""The platform profile: every assumption about Smartflo that is not confirmed, in one place.

Defaults follow ``shared/platform/smartflo-api-dialplan.txt`` (the platform document) and
``shared/platform/NOTES.md``. A flow overrides any of them under ``settings.profile`` once its
owner has confirmed the behaviour on their own account. Nothing else in flowgraph hard-codes
these values: read them from the flow's profile.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PlatformProfile(BaseModel):
    """Unconfirmed platform behaviour, as named, documented settings (see docs/platform-profile.md)."""

    model_config = ConfigDict(extra="forbid")

    nesting_limit: int = Field(
        default=3,
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
        default_factory=lambda: ["order_by", "simultaneous", "random", "round_robin"],
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
        "response (seen once live, to confirm). Enables the transfer node's 'no_answer' branch.",
    )
    system_recording_as_number: bool = Field(
        default=True,
        description="Send numeric system recording ids as JSON numbers, as the platform document's "
        "examples do (1234).",
    )
    timezone: str = Field(default="Asia/Kolkata", description="Time zone of start_stamp and time rules.")
    hangup_confirmed: bool = Field(
        default=False,
        description="Whether ending a response without a further action is known to hang up the call "
        "on this account. While false, every hangup node carries a warning.",
    )
