"""Publish impact: replay the calls in the call log against a draft, before it goes live.

Each recorded call (its requests grouped by :func:`flowgraph.profile.call_identity`, in order)
is played again through the draft's compiled runtime: the first request runs the entry step,
each later one the step the *draft* hands over to, with the recorded request's variables and
digits, and each HTTP lookup answers what it answered then (the call log keeps it). The call's
outcome under the draft is compared with the live version's, replayed the same way (so a draft
equal to the live version affects nobody, whichever version answered the calls then; without a
live version, with what the call log recorded): how the call ends, and, when that is the same,
the recordings it plays (a new greeting, a split's moved shares).

Server tables answer from the version each request used then (the call log's ``tables``), or
from the live version for a table that request did not look up; a request repeated identically
(same step, same variables: the platform retrying it) is replayed once.

A call cannot be replayed when an HTTP lookup of the draft has no recorded answer for it (the
draft asks an API the call never asked), when the call's first recorded request was not its
entry, when its records hold no variables, or when a server-table version it used is no longer
kept. Those are counted with their reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowgraph.compile.compiler import compile_flow
from flowgraph.compile.emit import (
    DialplanAction,
    RecordingAction,
    ResponseError,
    TransferAction,
    parse_response,
)
from flowgraph.compile.partition import ENTRY_STEP
from flowgraph.diagnostics import CompileError
from flowgraph.model import Flow
from flowgraph.profile import call_identity
from flowgraph.runtime.callvars import parse_call_vars
from flowgraph.runtime.engine import Answer, Runtime
from flowgraph.runtime.lookups import ERROR, FOUND, NOT_FOUND, HttpLookups, LookupResult
from flowgraph.runtime.tables import TableSet, TableVersion, bind_server_tables, bind_view, unbind_view
from flowgraph.simulate.simulator import SCRIPTED_URL, scripted

#: Example calls kept per (old outcome -> new outcome) group.
EXAMPLES_PER_GROUP = 5


def heard(bodies: Iterable[bytes | str], memo: dict[bytes, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The recordings a call's answers play, in order (what the caller hears). ``memo`` keeps
    each distinct body's recordings for one report: calls repeat the same few answers."""
    memo = {} if memo is None else memo
    out: list[str] = []
    for body in bodies:
        raw = body if isinstance(body, bytes) else body.encode()
        if raw not in memo:
            memo[raw] = _played(raw)
        out += memo[raw]
    return tuple(out)


def _played(body: bytes) -> tuple[str, ...]:
    try:
        groups = parse_response(body)
    except ResponseError:
        return ()
    return tuple(str(a.data) for group in groups for a in group if isinstance(a, RecordingAction))


def compared(
    old_end: str, old_heard: tuple[str, ...], new_end: str, new_heard: tuple[str, ...]
) -> tuple[str, str]:
    """The (old, new) outcomes a call is grouped by: how it ends, and, when that is the same but
    the recordings played differ (a greeting changed, a split's shares moved), what it hears."""
    if old_end != new_end or old_heard == new_heard:
        return old_end, new_end
    return f"{old_end}, hearing {' '.join(old_heard)}", f"{new_end}, hearing {' '.join(new_heard)}"


class NotReplayable(Exception):
    """This recorded call cannot be played against the draft (the reason is reported)."""


def outcome(body: bytes | str, failover_reason: str | None = None) -> str:
    """How an answer ends the call, in words: ``transfer agent 05000001``, ``menu 400101``,
    ``hand-off 66ab…``, ``failover (reason)``, ``plays 101, then hangs up``."""
    if failover_reason:
        return f"failover ({failover_reason.split(':', 1)[0].strip()})"
    try:
        groups = parse_response(body)
    except ResponseError:
        return "no action list (platform failover)"
    actions = [a for group in groups for a in group]
    transfers = [a for a in actions if isinstance(a, TransferAction)]
    if transfers:
        first = transfers[0]
        return f"transfer {first.type} {' '.join(first.data)}" + (
            " (then more)" if len(transfers) > 1 else ""
        )
    last = actions[-1]
    if isinstance(last, DialplanAction):
        menu = [a for a in actions if isinstance(a, RecordingAction) and a.dtmf is not None]
        return f"menu {menu[-1].data}" if menu else f"hand-off {last.data}"
    assert isinstance(last, RecordingAction)
    return f"plays {last.data}, then hangs up"


#: Reads one version of a server table, ``(name, number)``, ``None`` for the live one; returns
#: None when that version (or the table) is not kept.
TableReader = Callable[[str, int | None], TableVersion | None]


class RecordedTables:
    """The server-table versions recorded requests used, each read once (see the module docstring)."""

    def __init__(self, names: Iterable[str], read: TableReader | None):
        self.names, self.read = sorted(names), read
        self.cache: dict[tuple[str, int | None], TableVersion | None] = {}

    def for_request(self, record: Mapping[str, Any]) -> TableSet:
        """The tables one recorded request sees again."""
        tables = TableSet()
        found = record.get("tables")
        used: Mapping[str, Any] = found if isinstance(found, dict) else {}
        for name in self.names:
            number = used.get(name) if isinstance(used.get(name), int) else None
            key = (name, number)
            if key not in self.cache:
                self.cache[key] = self.read(name, number) if self.read is not None else None
            version = self.cache[key]
            if version is None and number is not None:
                raise NotReplayable(f"server table '{name}' version {number} is no longer kept")
            if version is not None:
                tables.put(version)
        return tables


class RecordedLookups(HttpLookups):
    """Answers HTTP lookups with what the call log recorded for that request."""

    def __init__(self) -> None:  # no client: nothing here touches the network
        self.recorded: Mapping[str, Any] = {}

    async def fetch(self, url: str, method: str, timeout_ms: int, params: Mapping[str, str]) -> LookupResult:
        node = url.removeprefix(SCRIPTED_URL)  # the flow was compiled with simulate.scripted
        if node not in self.recorded:
            raise NotReplayable(f"lookup '{node}' has no recorded answer")
        answer = self.recorded[node]
        if isinstance(answer, dict):
            return LookupResult(FOUND, {str(k): str(v) for k, v in answer.items()})
        return LookupResult(ERROR if answer == ERROR else NOT_FOUND, reason="recorded")

    async def aclose(self) -> None:
        """Nothing to close."""


@dataclass
class ImpactReport:
    """Calls replayed, how many would now end differently (grouped), and those not replayed."""

    replayed: int = 0
    changed: int = 0
    #: (old outcome, new outcome) -> ``{"calls": n, "examples": [{call, caller, time}, ...]}``.
    groups: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    not_replayed: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        groups = sorted(self.groups.items(), key=lambda kv: (-kv[1]["calls"], kv[0]))
        return {
            "replayed": self.replayed,
            "changed": self.changed,
            "groups": [{"old": o, "new": n, **g} for (o, n), g in groups],
            "not_replayed": [{"reason": r, "calls": c} for r, c in sorted(self.not_replayed.items())],
        }


def example(requests: list[Mapping[str, Any]]) -> dict[str, Any]:
    """One example call of a group: the id ``/calls/{id}`` finds it by, who called, and when."""
    first = requests[0]
    found = first.get("variables")
    variables: Mapping[str, Any] = found if isinstance(found, dict) else {}
    return {
        "call": str(first.get("call_id") or first.get("uuid") or ""),
        "caller": str(variables.get("caller_id_number") or ""),
        "time": first.get("time"),
    }


def group_calls(records: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Call-log records by call (the call-identity rule), each call's requests in order."""
    calls: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        if record.get("retry"):  # the platform retrying a request: answered the same, replayed once
            continue
        key = call_identity(str(record.get("call_id") or ""), str(record.get("uuid") or ""))
        if key:
            calls.setdefault(key, []).append(record)
    for key, requests in calls.items():
        requests.sort(key=lambda r: (r.get("time") or 0, r.get("id") or 0))
        calls[key] = [r for i, r in enumerate(requests) if i == 0 or not _repeats(requests[i - 1], r)]
    return calls


def _repeats(before: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether ``record`` is ``before`` sent again (the platform retrying a request, NOTES.md)."""
    return before.get("step") == record.get("step") and before.get("variables") == record.get("variables")


async def _replay(
    runtime: Runtime, lookups: RecordedLookups, tables: RecordedTables, requests: list[Mapping[str, Any]]
) -> list[Answer]:
    """The draft's answers to this call's recorded requests (the last ends or leaves the call)."""
    if requests[0].get("step") not in (ENTRY_STEP, "", None):
        raise NotReplayable("the call's first recorded request is not its entry")
    step, carried, answers = ENTRY_STEP, None, []
    for record in requests:
        variables = record.get("variables")
        if not isinstance(variables, dict):
            raise NotReplayable("a request without recorded variables")
        lookups.recorded = record.get("lookups") or {}
        call = parse_call_vars(variables, runtime.compiled.profile)
        _view, token = bind_view(tables.for_request(record))
        try:
            answer = await runtime.answer(step, call, lookups, carried)
        finally:
            unbind_view(token)
        answers.append(answer)
        if answer.next_step is None or answer.failover_reason is not None:
            return answers
        step, carried = answer.next_step, answer.carried
    return answers


def impact(
    draft: Flow,
    records: Iterable[Mapping[str, Any]],
    read_table: TableReader | None = None,
    live: Flow | None = None,
) -> ImpactReport:
    """Replay every recorded call of ``records`` against ``draft`` (raises ``CompileError`` for a
    draft with errors) and compare each call's outcome with the one it had: the ``live``
    version's, replayed the same way, when given (so a draft equal to the live version changes
    nothing, whatever version answered the calls then); else the one recorded. ``read_table``
    reads the server's tables (without it, server tables are empty, as offline)."""
    replay_draft = _Replayer(draft, read_table)
    replay_live = None
    if live is not None:
        try:
            replay_live = _Replayer(live, read_table)
        except CompileError:  # a live version this release no longer compiles: compare with the log
            replay_live = None
    report = ImpactReport()
    played: dict[bytes, tuple[str, ...]] = {}  # each distinct answer body, parsed once

    async def run_all() -> None:
        for requests in group_calls(records).values():
            try:
                answers = await replay_draft.run(requests)
                before = await replay_live.run(requests) if replay_live is not None else None
            except NotReplayable as exc:
                report.not_replayed[str(exc)] = report.not_replayed.get(str(exc), 0) + 1
                continue
            report.replayed += 1
            if before is not None:
                old_end = outcome(before[-1].body, before[-1].failover_reason)
                old_heard = heard((a.body for a in before if a.failover_reason is None), played)
            else:
                last = requests[-1]
                old_end = outcome(str(last.get("response") or ""), last.get("failover_reason"))
                old_heard = heard(
                    (str(r.get("response") or "") for r in requests if not r.get("failover_reason")), played
                )
            new_end = outcome(answers[-1].body, answers[-1].failover_reason)
            new_heard = heard((a.body for a in answers if a.failover_reason is None), played)
            old, new = compared(old_end, old_heard, new_end, new_heard)
            if new != old:
                report.changed += 1
                group = report.groups.setdefault((old, new), {"calls": 0, "examples": []})
                group["calls"] += 1
                if len(group["examples"]) < EXAMPLES_PER_GROUP:
                    group["examples"].append(example(requests))

    asyncio.run(run_all())
    return report


class _Replayer:
    """One flow compiled for replay, with its server tables and recorded HTTP answers."""

    def __init__(self, flow: Flow, read_table: TableReader | None):
        self.runtime = Runtime(bind_server_tables(scripted(compile_flow(flow)), flow))
        self.lookups = RecordedLookups()
        self.tables = RecordedTables(flow.server_tables(), read_table)

    async def run(self, requests: list[Mapping[str, Any]]) -> list[Answer]:
        return await _replay(self.runtime, self.lookups, self.tables, requests)


def impact_json(
    draft: dict[str, Any],
    source: str,
    records: list[dict[str, Any]],
    database_url: str | None = None,
    live: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """:func:`impact` for stored documents (the draft, and the ``live`` version when there is
    one), as JSON: the worker process runs this, with the server tables of the database at
    ``database_url``."""
    from flowgraph.load import flow_from_data

    live_flow = flow_from_data(live, "the live version") if live is not None else None
    if database_url is None:
        return impact(flow_from_data(draft, source), records, live=live_flow).to_json()
    from flowgraph.store.db import make_engine
    from flowgraph.store.tables import table_reader

    engine = make_engine(database_url)
    try:
        return impact(flow_from_data(draft, source), records, table_reader(engine), live_flow).to_json()
    finally:
        engine.dispose()
