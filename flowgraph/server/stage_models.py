"""Typed forms of what the pipeline's stages hand the management API: the compiled plan
(:meth:`flowgraph.compile.compiler.CompiledFlow.plan`), the platform actions in it, diagnostics,
the events of a simulated journey (:func:`flowgraph.simulate.platform.event_json`) and the
deployment sheet (:func:`flowgraph.compile.deploy.deployment_sheet`).

The stages keep producing plain JSON-able dicts (the plan's golden files are those dicts'
canonical JSON, byte for byte); these models describe exactly those dicts, so the OpenAPI
schema, and the editor's types generated from it, say what each field is. Every model forbids
unknown keys, and a key the stage leaves out stays out of the answer (``exclude_if``), so a
model validated from a stage's dict dumps back to the same dict: ``tests/server/test_stage_models.py``
checks that for every example, which is how a new op kind, condition or event field that is not
described here fails a test instead of passing untyped.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from flowgraph.diagnostics import Diagnostic
from flowgraph.model import Destination

#: A key the stage may leave out: absent from the answer (never ``null``), optional in the schema.
Absent = SkipJsonSchema[None]


def _is_none(value: Any) -> bool:
    return value is None


def omitted(description: str = "") -> Any:
    """A field the stage leaves out when it has no value (so it is left out here too)."""
    return Field(default=None, exclude_if=_is_none, description=description or None)


class Strict(BaseModel):
    """A stage's JSON: unknown keys are an error, so the model cannot fall behind the stage."""

    model_config = ConfigDict(extra="forbid")


# --- diagnostics -------------------------------------------------------------------------


class EdgeRef(BaseModel):
    source: str
    branch: str


class DiagnosticOut(BaseModel):
    """One diagnostic (see docs/diagnostics.md for the codes)."""

    code: str
    severity: Literal["error", "warning"]
    message: str
    nodes: list[str]
    edges: list[EdgeRef]
    evidence: dict[str, Any]
    hint: str
    field: str
    advice: str = Field(default="", description="The hint in the editor's words (its controls)")

    @classmethod
    def of(cls, diagnostic: Diagnostic) -> DiagnosticOut:
        return cls.model_validate(diagnostic.to_json())


# --- platform actions (the JSON the platform receives) -----------------------------------


class Dtmf(Strict):
    """Digit collection after a recording (only the keys the profile sets)."""

    timeout: int | Absent = omitted("Milliseconds to wait for the first key")
    max_length: int | Absent = Field(default=None, alias="maxLength", exclude_if=_is_none)
    retry: int | Absent = omitted("How many times the prompt is replayed after no input")


class RecordingBody(Strict):
    type: Literal["system", "url"]
    data: int | str = Field(description="A system recording id (a number) or a URL")
    dtmf: Dtmf | Absent = omitted("Present on a menu's prompt")


class TransferBody(Strict):
    type: str = Field(description="number, agent, department, ...")
    data: list[str] = Field(description="The targets, as sent (numbers in the profile's format)")
    ring_type: str | Absent = omitted()
    skip_active: bool | Absent = omitted()
    moh: str | Absent = omitted("Music on hold")


class DialplanBody(Strict):
    data: str = Field(description="The portal dialplan id handed to")


class RecordingAction(Strict):
    """``{"recording": {...}}``: play a recording (collecting keys with ``dtmf``)."""

    recording: RecordingBody


class TransferAction(Strict):
    """``{"transfer": {...}}``: transfer the call."""

    transfer: TransferBody


class DialplanAction(Strict):
    """``{"api_dialplan": {...}}``: hand the call to another API Dialplan."""

    api_dialplan: DialplanBody


#: One platform action object (the answer is a list of them).
PlatformAction = RecordingAction | TransferAction | DialplanAction


# --- the compiled plan -------------------------------------------------------------------


class NumberConditionPlan(Strict):
    on: Literal["caller", "dialled"]
    numbers: list[str] = Field(description="National 10-digit numbers, sorted")
    prefixes: list[str]


class DateRulePlan(Strict):
    """A time case's ``except`` / ``only`` dates (a list, or a calendar table read at compile)."""

    dates: list[str] = Field(description="YYYY-MM-DD, sorted")
    unavailable: str = Field(description="What the case does when the calendar cannot be read")
    calendar: str | Absent = omitted("The calendar table the dates came from")
    problem: str | Absent = omitted("Why the calendar could not be read")


class TimeConditionPlan(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    on: Literal["time"]
    days: list[str] = Field(description="mon..sun, in week order")
    start: str = Field(alias="from", description="HH:MM, inclusive")
    end: str = Field(alias="to", description="HH:MM, exclusive")
    except_: DateRulePlan | Absent = Field(
        default=None, alias="except", exclude_if=_is_none, description="Dates the case never matches"
    )
    only: DateRulePlan | Absent = omitted("The only dates the case matches")


class VariableConditionPlan(Strict):
    on: Literal["variable"]
    variable: str
    values: list[str]


class TableConditionPlan(Strict):
    on: Literal["table"]
    table: str
    key: str = Field(description="The key template")


Condition = Annotated[
    NumberConditionPlan | TimeConditionPlan | VariableConditionPlan | TableConditionPlan,
    Field(discriminator="on"),
]


class CasePlan(Strict):
    branch: str
    when: Condition


class EmittingOp(Strict):
    """An op that sends an action: ``emit`` when it is constant, ``template`` when it holds
    ``{{variables}}`` (rendered per call); exactly one of them is present."""

    emit: PlatformAction | Absent = omitted("The constant action, as sent")
    template: PlatformAction | Absent = omitted("The action before its variables are filled in")


class PlayOp(EmittingOp):
    kind: Literal["play"]
    next: str | Absent = omitted("The node run after the recording (absent: the call ends)")


class TransferOp(EmittingOp):
    kind: Literal["transfer"]
    no_answer: str | Absent = omitted("Where an unanswered call falls through (profile setting)")


class DialplanOp(EmittingOp):
    kind: Literal["dialplan"]


class HangupOp(Strict):
    kind: Literal["hangup"]


class MenuOp(EmittingOp):
    kind: Literal["menu"]
    handoff: DialplanAction = Field(description="Sent after the prompt: the step deciding the branch")
    next_step: str
    decide: dict[str, str] = Field(description="Branch by key pressed (and no_input / invalid)")


class SwitchOp(Strict):
    kind: Literal["switch"]
    cases: list[CasePlan] = Field(description="In order; the first match decides")
    branches: dict[str, str]


class TableSourcePlan(Strict):
    table: str
    key: str
    match: str


class HttpSourcePlan(Strict):
    url: str
    method: str
    timeout_ms: int


class LookupOp(Strict):
    kind: Literal["lookup"]
    source: TableSourcePlan | HttpSourcePlan
    branches: dict[str, str]


class SplitArmPlan(Strict):
    branch: str
    below: int = Field(description="A caller whose bucket is below this (and not an earlier arm's) takes it")


class SplitOp(Strict):
    kind: Literal["split"]
    arms: list[SplitArmPlan] = Field(description="In order, with the upper bucket of each")
    buckets: int = Field(description="How many buckets callers are hashed into")
    branches: dict[str, str]


OpPlan = Annotated[
    PlayOp | TransferOp | DialplanOp | HangupOp | MenuOp | SwitchOp | LookupOp | SplitOp,
    Field(discriminator="kind"),
]


class StepPlan(Strict):
    """One API Dialplan step: where it starts and the op of each of its nodes."""

    id: str
    depth: int
    start: str | None = Field(description="The entry node (null for a menu's continuation)")
    menu: str | None = Field(description="The menu whose key this continuation decides on")
    decide: dict[str, str] | None = Field(description="A continuation's branch by key pressed")
    dialplan_id: str = Field(description="The portal dialplan id that reaches this step")
    nodes: list[str]
    ops: dict[str, OpPlan]


class PlanOut(Strict):
    """The compiled plan: deterministic, the same JSON as ``flowgraph compile``."""

    flow: str
    version: str
    mode: Literal["per_step", "single"]
    failover: list[PlatformAction] = Field(description="The failover answer, as sent")
    steps: list[StepPlan] = Field(description="In partition order")
    warnings: list[DiagnosticOut]


# --- journey events ----------------------------------------------------------------------


class PlayEvent(Strict):
    """The caller hears a recording."""

    event: Literal["play"]
    type: str
    data: str


class PromptEvent(Strict):
    """The caller hears a recording that collects digits (one event per attempt)."""

    event: Literal["prompt"]
    type: str
    data: str
    timeout_ms: int
    max_length: int
    retry: int
    pressed: str | None = Field(description="The keys pressed; null for no input")


class TransferEvent(Strict):
    """The call is transferred; ``answered`` is what the script said the far end did."""

    event: Literal["transfer"]
    type: str
    targets: list[str]
    ring_type: str
    moh: str | None
    skip_active: bool
    answered: bool


class HandoffEvent(Strict):
    """The call leaves the flow for another API Dialplan."""

    event: Literal["handoff"]
    dialplan_id: str


class HangupEvent(Strict):
    """The platform ends the call."""

    event: Literal["hangup"]


class FailoverEvent(Strict):
    """The platform runs the dialplan's failover destination."""

    event: Literal["failover"]
    reason: str = Field(description="A stable word: nesting_limit, invalid_response, server, ...")
    destination: tuple[str, list[str]] | None = Field(description="(type, targets) of the failover")
    detail: str | Absent = omitted("What went wrong, for reading")


JourneyEvent = Annotated[
    PlayEvent | PromptEvent | TransferEvent | HandoffEvent | HangupEvent | FailoverEvent,
    Field(discriminator="event"),
]


# --- the deployment sheet ----------------------------------------------------------------


class HeaderOut(Strict):
    """The header carrying the flow's shared secret (its value shown only to an admin)."""

    name: str
    value: str


class PortalDialplanOut(Strict):
    """One API Dialplan to create in the portal (:func:`flowgraph.compile.deploy._entry`)."""

    step: str | None = Field(description="The step it runs (null: the whole flow, single mode)")
    name: str
    url: str
    method: str
    request_body: dict[str, str] = Field(description="The request body: variable -> $placeholder")
    request_body_text: str = Field(description="The same body as text to paste")
    header: HeaderOut
    failover: Destination
    dialplan_id_key: str | None = Field(
        description="Where its portal id goes in settings.deployment.dialplan_ids (null: the entry)"
    )
    dialplan_id: str | None = Field(description="The portal id pasted so far")
    assign_to_number: bool = Field(description="true: the number (DID) points at this dialplan")
    depth: int


class DeploymentOut(Strict):
    """What to create in the portal for the live version (or the draft), with the secret."""

    flow: str
    version: str
    mode: Literal["per_step", "single"]
    base_url: str
    dialplans: list[PortalDialplanOut]
    notes: list[str]
    warnings: list[str] = Field(description="Why the platform cannot call these URLs, if it cannot")
    portal_steps: list[str] = Field(description="What to do in the portal, in order")
    source: Literal["published", "draft"] = Field(description="published: the live version callers get")
    published_version: int | None
    draft_differs: bool = Field(description="The draft differs from the version described")
    header: HeaderOut
