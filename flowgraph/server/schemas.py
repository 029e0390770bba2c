"""Response and request models of the management API (the OpenAPI contract the editor's
TypeScript types are generated from)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from flowgraph.diagnostics import Diagnostic
from flowgraph.model import Flow
from flowgraph.server.stage_models import DiagnosticOut, JourneyEvent, PlanOut
from flowgraph.store.flows import FlowRecord, VersionRecord

#: OpenAPI request body for endpoints that take a flow document (validated by load.flow_from_data,
#: so invalid documents get located problems instead of pydantic's raw error list).
FLOW_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Flow"}}},
    }
}


class Problem(BaseModel):
    """Where a flow document is wrong: a dotted path (``node 'menu' nodes[2].options``) and why."""

    path: str
    message: str


class FlowTestResultOut(BaseModel):
    """One flow test's verdict: what differs from the expectation, and how the call ended."""

    name: str
    passed: bool
    differences: list[str]
    got: dict[str, Any] | None
    #: Server tables the test read as empty (flow tests never read live data).
    notes: list[str] = Field(default_factory=list)


class ErrorOut(BaseModel):
    """Every error answer: one line of detail, plus located problems or diagnostics when relevant."""

    detail: str
    problems: list[Problem] | None = None
    diagnostics: list[DiagnosticOut] | None = None
    etag: str | None = None
    tests: list[FlowTestResultOut] | None = Field(
        default=None, description="A publish refused because flow tests fail: every test's result"
    )


#: Error answers every /api route may give (documented once for the OpenAPI schema).
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Malformed request (e.g. a body that is not UTF-8 JSON)"},
    401: {"model": ErrorOut, "description": "Missing or wrong admin token"},
    404: {"model": ErrorOut, "description": "No such flow (or it is deleted)"},
    413: {"model": ErrorOut, "description": "Request body over the size limit"},
}
#: ... and every route that writes a flow document.
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **COMMON_ERRORS,
    409: {"model": ErrorOut, "description": "Stale ETag or the id exists; nothing was written"},
    422: {"model": ErrorOut, "description": "Not a valid flow document (located problems)"},
}


class StepOut(BaseModel):
    """One API Dialplan step of the partition: its nodes and the hops before its request."""

    id: str
    depth: int
    nodes: list[str]


class CheckOut(BaseModel):
    """The full diagnostic list; ``errors`` > 0 means the flow cannot be published.

    With ``?steps=true`` it also carries the partition into steps, computed for drafts with
    errors too (the editor's step lanes), and the nesting limit the depths are held to."""

    diagnostics: list[DiagnosticOut]
    errors: int
    warnings: int
    steps: list[StepOut] | None = None
    nesting_limit: int | None = None
    version: str | None = Field(default=None, description="The document's version hash (with steps)")

    @classmethod
    def of(cls, diagnostics: list[Diagnostic]) -> CheckOut:
        errors = sum(1 for d in diagnostics if d.is_error)
        return cls(
            diagnostics=[DiagnosticOut.of(d) for d in diagnostics],
            errors=errors,
            warnings=len(diagnostics) - errors,
        )


class FlowSummary(BaseModel):
    """A flow in a listing (no document)."""

    id: str
    name: str
    revision: int
    etag: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    published_version: int | None

    @classmethod
    def of(cls, record: FlowRecord) -> FlowSummary:
        return cls(
            id=record.id,
            name=record.name,
            revision=record.revision,
            etag=record.etag,
            created_at=record.created_at,
            updated_at=record.updated_at,
            deleted_at=record.deleted_at,
            published_version=record.published_version,
        )


class FlowOut(FlowSummary):
    """A flow with its draft document (send ``etag`` back as If-Match when saving)."""

    flow: Flow

    @classmethod
    def of(cls, record: FlowRecord) -> FlowOut:
        summary = FlowSummary.of(record).model_dump()
        return cls(**summary, flow=Flow.model_validate(record.draft))


class ImportOut(BaseModel):
    """Which flows an import created and which it replaced."""

    created: list[str]
    updated: list[str]


class VersionSummary(BaseModel):
    """One published version (``hash`` is the compiled version: sha256 of the flow's logic)."""

    number: int
    hash: str
    note: str
    author: str
    created_at: datetime
    live: bool = False

    @classmethod
    def of(cls, record: VersionRecord, live: int | None = None) -> VersionSummary:
        return cls(
            number=record.number,
            hash=record.hash,
            note=record.note,
            author=record.author,
            created_at=record.created_at,
            live=record.number == live,
        )


class VersionOut(VersionSummary):
    """A version with the flow document it froze."""

    flow: dict[str, Any] = Field(description="The flow document as published (a Flow).")

    @classmethod
    def with_flow(cls, record: VersionRecord, live: int | None = None) -> VersionOut:
        return cls(**VersionSummary.of(record, live).model_dump(), flow=record.flow or {})


class PublishIn(BaseModel):
    """What to note on the version; ``etag`` (or an If-Match header) pins the draft you reviewed."""

    note: str = Field(default="", max_length=2000)
    author: str = Field(default="", max_length=200)
    etag: str | None = None


class PublishOut(BaseModel):
    """The live version after publishing (``created`` is false when the draft equals it)."""

    version: VersionSummary
    created: bool
    diagnostics: list[DiagnosticOut]


class RollbackIn(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1, description="The version number to make live again.")


class CompileOut(BaseModel):
    """The compiled plan of the draft (deterministic) and its warnings."""

    version: str
    plan: PlanOut
    diagnostics: list[DiagnosticOut]


class SimulateIn(BaseModel):
    """A scripted call: who calls, when, what they press, who answers, what HTTP lookups return."""

    caller: str = Field(min_length=1, max_length=32, examples=["+919812345678"])
    dialled: str = Field(default="+919000000000", max_length=32)
    start: datetime | None = Field(default=None, description="Call start (naive: the flow's time zone)")
    presses: list[str | None] = Field(
        default_factory=list, max_length=50, description="One per prompt; null for no input"
    )
    answers: list[bool] = Field(default_factory=list, max_length=50, description="One per transfer")
    lookups: dict[str, dict[str, str] | Literal["not_found", "error"]] = Field(
        default_factory=dict, description="Outcome of each HTTP lookup node, by node id"
    )
    mode: Literal["per_step", "single"] | None = Field(
        default=None, description="Override the deployment mode"
    )
    source: Literal["draft", "published"] = "draft"


class ExchangeOut(BaseModel):
    """One request the platform made during the simulated call, and the exact answer it got."""

    step: str | None = Field(description="The flow step that answered")
    dialplan_id: str = Field(description="The portal dialplan id the platform called")
    variables: dict[str, str] = Field(description="The request variables the platform sent")
    response: str = Field(description="The one-line JSON answer, exactly as sent")
    ended: str = Field(description="How running it ended: api_dialplan, answered, hangup or failover")


class JourneyOut(BaseModel):
    """What the caller experiences (events), the nodes the server evaluated (path), and each
    request/answer pair of the call (exchanges)."""

    events: list[JourneyEvent]
    path: list[str]
    describe: list[str]
    exchanges: list[ExchangeOut] = Field(default_factory=list)
    #: What the call read of the server's tables: each live version read, each table missing.
    notes: list[str] = Field(default_factory=list)


class BranchRef(BaseModel):
    node: str
    branch: str


class FlowTestCoverageOut(BaseModel):
    """Branch coverage of the flow's tests (menu options, no_input, invalid, switch cases, ...)."""

    percent: float
    covered: int
    branches: int
    missed: list[BranchRef]


class FlowTestRunOut(BaseModel):
    """Every flow test of the draft, run like ``flowgraph test``."""

    passed: int
    failed: int
    results: list[FlowTestResultOut]
    coverage: FlowTestCoverageOut
