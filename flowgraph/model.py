"""The flow model: a call flow as a validated document.

Values the platform needs but an editor draft may not have yet (a recording id, transfer
targets, a dialplan id, a URL) may be empty here: the checks report them (FG523) so that an
unfinished draft still saves and shows every other problem.

A flow is a directed graph of nodes. Each node type declares its branches as data
(:mod:`flowgraph.specs`, where every fact about a node type lives); a node wires a branch by naming the target node id in
``node.branches[branch]``. The model validates shape only (types, unknown keys, value forms);
everything that needs the whole graph lives in :mod:`flowgraph.checks`.

``layout`` holds editor positions and notes and ``tests`` scripted calls; neither changes what
a flow does.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from flowgraph.profile import PlatformProfile
from flowgraph.specs import NODE_TYPES as NODE_TYPES
from flowgraph.specs import TERMINAL_TYPES as TERMINAL_TYPES
from flowgraph.specs import declared_branches as declared_branches
from flowgraph.specs import required_branches as required_branches

ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$"
TEMPLATE_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)?)\s*\}\}")

#: Call variables every request carries (after lenient parsing, see NOTES.md "Request side").
CALL_VARIABLES: tuple[str, ...] = (
    "uuid",
    "call_id",
    "call_to_number",
    "caller_id_number",
    "start_stamp",
)

TransferType = Literal["number", "agent", "ivr", "auto_attendant", "department"]
NodeId = Annotated[str, Field(pattern=ID_PATTERN)]


class Strict(BaseModel):
    """Base for every model: unknown keys are errors, so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --- settings and catalogues -------------------------------------------------------------


class Destination(Strict):
    """A transfer target used as the flow's failover destination."""

    type: TransferType
    data: list[str] = Field(default_factory=list)


class Deployment(Strict):
    """How the compiled steps map onto API Dialplans configured in the portal.

    ``per_step``: one portal dialplan per step, the step named in its URL (stateless).
    ``single``: one portal dialplan for the whole flow that re-enters itself; the server keeps
    a per-call record of where each call is. ``dialplan_ids`` holds the ids the portal gave
    (per step in ``per_step`` mode; key ``"flow"`` in ``single`` mode).
    """

    mode: Literal["per_step", "single"] = "per_step"
    dialplan_ids: dict[str, str] = Field(default_factory=dict)
    secret_header: str = Field(default="X-Flowgraph-Secret", pattern=r"^[A-Za-z0-9-]{1,64}$")


class Settings(Strict):
    failover: Destination | None = None
    profile: PlatformProfile = Field(default_factory=PlatformProfile)
    deployment: Deployment = Field(default_factory=Deployment)


class Recording(Strict):
    """A system recording uploaded to the portal; ``moh`` marks music-on-hold recordings."""

    id: str = Field(pattern=r"^[0-9A-Za-z_-]{1,64}$")
    name: str = ""
    moh: bool = False


class Table(Strict):
    """A key -> row table a flow routes on (registered callers, region by prefix, ...).

    Small tables keep their ``rows`` here. ``server: true`` names a table kept on the server
    instead (``PUT /api/tables/<name>``): its rows stay out of the document and every import is
    live at once; ``columns`` then lists the columns the flow reads (checked at publish).
    """

    columns: list[str] = Field(default_factory=list)
    rows: dict[str, dict[str, str]] = Field(default_factory=dict)
    #: None rather than False when unset, so flows without server tables hash as before.
    server: bool | None = None

    @model_validator(mode="after")
    def _server_rows_stay_on_the_server(self) -> Table:
        if self.server and self.rows:
            raise ValueError("a server table keeps its rows on the server: remove `rows` (or `server`)")
        return self


class Position(Strict):
    x: float
    y: float


class Note(Strict):
    id: str
    text: str
    x: float = 0
    y: float = 0
    node: str | None = None


class Layout(Strict):
    positions: dict[str, Position] = Field(default_factory=dict)
    notes: list[Note] = Field(default_factory=list)
    viewport: dict[str, float] = Field(default_factory=dict)


# --- nodes -------------------------------------------------------------------------------


class RecordingRef(Strict):
    """What to play: a portal recording id (``system``) or an audio file URL (``url``)."""

    type: Literal["system", "url"] = "system"
    data: str = ""

    @field_validator("data", mode="before")
    @classmethod
    def _number_to_text(cls, v: Any) -> Any:
        # The platform document writes system ids as numbers (1234); accept both.
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class NodeBase(Strict):
    id: NodeId
    name: str = ""
    note: str = ""
    branches: dict[str, NodeId] = Field(default_factory=dict)


class PlayNode(NodeBase):
    type: Literal["play"]
    recording: RecordingRef


class MenuNode(NodeBase):
    """Play a recording and collect digits; the caller's input arrives in the next request."""

    type: Literal["menu"]
    recording: RecordingRef
    options: list[str] = Field(default_factory=list)
    timeout_ms: int | None = None
    max_length: int | None = None
    retry: int | None = None


class TransferNode(NodeBase):
    type: Literal["transfer"]
    transfer: TransferType
    targets: list[str] = Field(default_factory=list)
    ring_type: str | None = None
    moh: str | None = None
    skip_active: bool | None = None


class DialplanNode(NodeBase):
    """Hand the call to an API Dialplan configured in the portal (costs one nesting level)."""

    type: Literal["dialplan"]
    dialplan_id: str = ""


class HangupNode(NodeBase):
    type: Literal["hangup"]


class CallerCondition(Strict):
    """Caller (or dialled) number equals one of ``numbers`` (last 10 digits) or starts with a prefix."""

    on: Literal["caller", "dialled"]
    numbers: list[str] = Field(default_factory=list)
    prefixes: list[str] = Field(default_factory=list)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class DateRule(Strict):
    """Dates a time condition leaves out (``except``) or keeps to (``only``): the listed ``dates``
    and the dates of a ``calendar``, a table keyed by ``YYYY-MM-DD`` with a ``name`` column (in
    the flow's ``tables``). A calendar that cannot be read (missing, empty, a key that is not a
    date, no ``name`` column) skips the rule: ``unavailable: hours`` (default) lets the weekly
    hours decide (fail open); ``no_match`` makes the case not match. Either way FG533 warns and
    the call log notes it."""

    dates: list[str] = Field(default_factory=list)
    calendar: str = ""
    unavailable: Literal["hours", "no_match"] = "hours"

    @field_validator("dates")
    @classmethod
    def _real_dates(cls, dates: list[str]) -> list[str]:
        for i, text in enumerate(dates):
            if not is_date(text):
                raise ValueError(f"dates[{i}] {text!r} is not a date YYYY-MM-DD")
        return dates


def is_date(text: str) -> bool:
    """``text`` is a real calendar date written ``YYYY-MM-DD`` (``2026-02-30`` is not)."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


#: A time of day HH:MM, 00:00-23:59 (a time window's ``to`` may also be 24:00, the end of the day).
_CLOCK = r"([01][0-9]|2[0-3]):[0-5][0-9]"


class TimeCondition(Strict):
    """Call start time falls in a weekly window (``from`` inclusive, ``to`` exclusive, HH:MM),
    on a date ``except`` does not name and, when given, ``only`` names (:class:`DateRule`)."""

    on: Literal["time"]
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS))
    start: str = Field(alias="from", pattern=rf"^{_CLOCK}$")
    end: str = Field(alias="to", pattern=rf"^({_CLOCK}|24:00)$")
    except_: DateRule | None = Field(default=None, alias="except")
    only: DateRule | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, v: Any, info: ValidationInfo) -> Any:
        # Said in words before the schema's pattern would say it as a regex: only the end of a
        # window may be 24:00 (the end of the day); 24:01-24:59 are no time of day.
        end = info.field_name == "end"
        last, allowed = ("24:00", f"{_CLOCK}|24:00") if end else ("23:59", _CLOCK)
        if isinstance(v, str) and not re.fullmatch(allowed, v):
            raise ValueError(f"{v!r} is not a time HH:MM from 00:00 to {last}")
        return v

    def date_rules(self) -> list[tuple[str, DateRule]]:
        """``("except", rule)`` and ``("only", rule)`` for the rules given, in that order."""
        return [(kind, rule) for kind, rule in (("except", self.except_), ("only", self.only)) if rule]


class VariableCondition(Strict):
    """A variable (``{{lookup.column}}`` name without braces) equals one of ``values``."""

    on: Literal["variable"]
    variable: str
    values: list[str] = Field(default_factory=list)


class TableCondition(Strict):
    """A key built from call data is a row of a flow table."""

    on: Literal["table"]
    table: str
    key: str = "{{caller_id_number}}"


Condition = Annotated[
    CallerCondition | TimeCondition | VariableCondition | TableCondition,
    Field(discriminator="on"),
]


class SwitchCase(Strict):
    branch: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    when: Condition


class SwitchNode(NodeBase):
    """Decide on the server without a new request; first matching case wins, else ``default``."""

    type: Literal["switch"]
    cases: list[SwitchCase] = Field(default_factory=list)


class SplitArm(Strict):
    """One arm of a split: its branch and the share of callers (whole percent) it gets."""

    branch: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    share: int = Field(ge=0, le=100)


class SplitNode(NodeBase):
    """Send a fixed share of callers down each arm (A/B tests), decided on the server.

    The arm is sticky: a hash of the caller's national number and the node id (not the flow
    version) places each caller, so a caller who phones again, before or after a publish, takes
    the same arm while the shares stay the same. A caller whose number cannot be read (withheld,
    masked, not one national number) takes the first arm with a share above 0. The shares add up to 100 (FG108).
    """

    type: Literal["split"]
    arms: list[SplitArm] = Field(default_factory=list)


class TableSource(Strict):
    kind: Literal["table"]
    table: str
    key: str = "{{caller_id_number}}"
    match: Literal["exact", "prefix"] = "exact"


class HttpSource(Strict):
    """Ask the business's own API; a JSON object answer's fields become variables."""

    kind: Literal["http"]
    url: str = ""
    method: Literal["GET", "POST"] = "GET"
    timeout_ms: int = Field(default=800, ge=50, le=5000)


class LookupNode(NodeBase):
    """Find a row; its columns become ``{{<node id>.<column>}}`` variables."""

    type: Literal["lookup"]
    source: Annotated[TableSource | HttpSource, Field(discriminator="kind")]


Node = Annotated[
    PlayNode | MenuNode | TransferNode | DialplanNode | HangupNode | SwitchNode | LookupNode | SplitNode,
    Field(discriminator="type"),
]

#: The model class of each node type (``tests/test_specs.py``: the same types as the specs).
NODE_MODELS: dict[str, type[NodeBase]] = {
    "play": PlayNode,
    "menu": MenuNode,
    "transfer": TransferNode,
    "dialplan": DialplanNode,
    "switch": SwitchNode,
    "lookup": LookupNode,
    "split": SplitNode,
    "hangup": HangupNode,
}


# --- flow tests (data, versioned with the flow, not part of its logic) ---------------------

#: What a scripted HTTP lookup answers: a row, or one of these outcomes.
LookupAnswer = dict[str, str] | Literal["not_found", "error", "timeout"]


class FlowTestCall(Strict):
    """Who calls, which number, when (``YYYY-MM-DD HH:MM`` in the flow's time zone)."""

    caller: str
    dialled: str = "+919000000000"
    at: str = "2026-01-05 10:00"

    @field_validator("at")
    @classmethod
    def _when(cls, at: str) -> str:
        # Checked when the flow loads, so it is reported with the tests' other problems.
        try:
            datetime.strptime(at, "%Y-%m-%d %H:%M")
        except ValueError:
            raise ValueError(f"{at!r} is not 'YYYY-MM-DD HH:MM'") from None
        return at


class FlowTestExpect(Strict):
    """How the call must end, and optionally the way there.

    ``outcome``: ``transfer`` (with ``transfer`` type and ``targets`` when given), ``handoff``
    (to ``dialplan``), ``hangup`` or ``failover``. ``path``: the node ids the call goes through;
    ``recordings``: the recording ids (or URLs) the caller hears, in order; ``decided``: which rule
    decided each dated time case, ``"<switch>: <rule>"`` in order (``"hours: holiday Republic
    Day (2026-01-26)"``, ``"hours: outside hours"``).
    """

    outcome: Literal["transfer", "handoff", "hangup", "failover"]
    transfer: TransferType | None = None
    targets: list[str] | None = None
    dialplan: str | None = None
    path: list[str] | None = None
    recordings: list[str] | None = None
    decided: list[str] | None = None


class FlowTest(Strict):
    """One scripted call and what must happen: the caller's keys at each prompt (``"1"``,
    ``"12#"``, ``null`` for no input), who answers each transfer, each HTTP lookup's answer."""

    name: str = Field(min_length=1, max_length=200)
    call: FlowTestCall
    presses: list[str | None] = Field(default_factory=list)
    answers: list[bool] = Field(default_factory=list)
    lookups: dict[str, LookupAnswer] = Field(default_factory=dict)
    expect: FlowTestExpect


class Flow(Strict):
    """A call flow document (JSON, or YAML with the same shape)."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = ""
    description: str = ""
    entry: str
    nodes: list[Node] = Field(default_factory=list)
    settings: Settings = Field(default_factory=Settings)
    recordings: list[Recording] = Field(default_factory=list)
    tables: dict[str, Table] = Field(default_factory=dict)
    layout: Layout = Field(default_factory=Layout)
    #: Scripted calls with expected outcomes (``flowgraph test``); like ``layout``, not logic.
    tests: list[FlowTest] = Field(default_factory=list)

    def node_map(self) -> dict[str, Any]:
        """Nodes by id (the first one wins where ids repeat; the structure check reports that)."""
        out: dict[str, Any] = {}
        for node in self.nodes:
            out.setdefault(node.id, node)
        return out

    def server_tables(self) -> list[str]:
        """Names of the tables kept on the server (``server: true``), in document order."""
        return [name for name, table in self.tables.items() if table.server]

    def logic(self) -> dict[str, Any]:
        """The flow without its layout and tests: what decides behaviour (hashing, diffs)."""
        # Defaults left out: a setting added with a default in a later release (or a value spelled
        # out equal to its default) is not a change of behaviour, so it is not a new version.
        return self.model_dump(
            mode="json", by_alias=True, exclude={"layout", "tests"}, exclude_none=True, exclude_defaults=True
        )


def template_names(text: str) -> list[str]:
    """Variable names used as ``{{name}}`` in a field value, in order of appearance."""
    return TEMPLATE_RE.findall(text)
