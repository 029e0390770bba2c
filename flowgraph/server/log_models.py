"""Typed forms of what the call log and its traffic counts hand the management API: one call-log
record (:mod:`flowgraph.store.calls`, ``/calls`` and ``/calls/{call_id}``) and the traffic stats
document (:meth:`flowgraph.pictures.traffic.Traffic.to_stats`, ``/stats``).

Like :mod:`flowgraph.server.stage_models`, the stores keep producing plain dicts and these models
describe exactly those dicts: unknown keys are refused and a key the store leaves out stays out, so
a record or stats document validated here dumps back to the same dict
(``tests/server/test_log_models.py`` checks it, and that the count names are the modules' own).

What a caller or a lookup sent is the platform's and the lookup server's data, kept as it came
(after the call log's cuts, :func:`flowgraph.store.calls_writer.clean`): ``variables`` and the
rows in ``lookups`` are JSON objects of any values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from flowgraph.server.stage_models import Absent, Strict, omitted

# --- the call log --------------------------------------------------------------------------


class TraceHop(Strict):
    """A node a request ran, and the branch it left by ("" where it waited or ended)."""

    node: str
    branch: str


class DecisionOut(Strict):
    """Which rule decided one dated time case (:class:`flowgraph.runtime.calendars.Decision`)."""

    node: str = Field(description="The switch")
    took: str = Field(description="The branch it took")
    case: str = Field(description="The case asked")
    rule: str = Field(description="excluded_date, not_listed, calendar_unavailable, in_hours, ...")
    day: str | Absent = omitted("The call's date, YYYY-MM-DD")
    name: str | Absent = omitted("The calendar's name for the date (a holiday)")
    note: str | Absent = omitted("Why the calendar could not be read")


class CallRecordOut(Strict):
    """One answered platform request (a step of a call): what came in, what was sent, and how."""

    id: int
    time: float = Field(description="When the request arrived (epoch seconds, UTC)")
    call_id: str
    uuid: str
    flow_id: str
    version: str = Field(description="The flow version (12-hex hash) that answered")
    step: str
    variables: dict[str, Any] = Field(description="The request's variables, as the platform sent them")
    response: str = Field(description="The answer's JSON text, as sent")
    latency_ms: float
    failover_reason: str | None = Field(description="Why the answer is the failover (null: it is not)")
    trace: list[TraceHop] = Field(description="The nodes the request ran, in order")
    end: str | None = Field(description="The node the call ended at (null: it continues)")
    lookups: dict[str, Any] | None = Field(
        description="What each HTTP lookup answered, by node: its row, or not_found / error"
    )
    retry: bool | None = Field(description="true: taken for the platform retrying the previous request")
    decisions: list[DecisionOut] | None = Field(description="The dated time cases the request asked")
    tables: dict[str, int] | None = Field(description="The server-table version each table answered from")


# --- traffic stats -------------------------------------------------------------------------


class NodeCountsOut(Strict):
    """Counts for one node (:class:`flowgraph.pictures.traffic.NodeTraffic`)."""

    calls: int = Field(description="Calls that reached it")
    visits: int = Field(description="Times it ran (a call may come back)")
    ended: int = Field(description="Calls that left the flow there")
    failovers: int = Field(description="Requests that fell to the failover there")
    unknown: int = Field(description="Transfers whose fall-through was sent, never proven to run")
    sent: int = Field(description="Times it was in such a fall-through, not known to have run")


class EdgeCountOut(Strict):
    source: str
    branch: str
    count: int


class ArmCountsOut(Strict):
    """One arm of a split: its calls and how they ended (:class:`flowgraph.pictures.arms.ArmOutcome`)."""

    source: str = Field(description="The split node")
    branch: str = Field(description="The arm")
    calls: int
    transferred: int
    handed_off: int
    hung_up: int
    failed_over: int
    unfinished: int = Field(description="The caller left before the flow ended the call")
    pressed: int = Field(description="Calls that pressed keys at a menu after the split")


class RuleCountOut(Strict):
    """How often one rule decided the dated time cases of a switch (from the call log's decisions)."""

    source: str = Field(description="The switch")
    rule: str = Field(description="excluded_date, outside_hours, ... (runtime/calendars.py)")
    count: int = Field(description="Requests it decided")


class StatsOut(Strict):
    """Traffic over a window: calls, requests, failovers; per node, step, edge and split arm; and
    the rules that decided dated time cases."""

    format: Literal["flowgraph.traffic/2"] = Field(description="traffic.STATS_FORMAT")
    since: str | None = Field(description="The window's start (ISO 8601), null: all records")
    window: str | None = Field(description='The window in words: "last 24 h"')
    version: str | None = Field(description="Only this flow version was counted")
    calls: int
    requests: int
    failovers: int
    unattributed_failovers: int = Field(description="Failovers before any node ran")
    versions: dict[str, int] = Field(description="Calls per flow version")
    nodes: dict[str, NodeCountsOut]
    steps: dict[str, dict[str, NodeCountsOut]] = Field(description="Node counts by the step that ran them")
    edges: list[EdgeCountOut] = Field(description="Branches known taken")
    unknown_edges: list[EdgeCountOut] = Field(description="Branches sent, not proven taken")
    arms: list[ArmCountsOut] = Field(description="Each split arm's calls and how they ended")
    rules: list[RuleCountOut] = Field(description="Which rule decided each switch's dated time cases")
