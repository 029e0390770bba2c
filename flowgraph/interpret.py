"""Reference semantics: walk a flow's graph directly for one scripted call.

:func:`walk` is the meaning of a flow, written over the graph itself (no partition, no compiler).
The simulator (:mod:`flowgraph.simulate`) runs the same call through the compiled steps, the
emitted JSON and the platform emulator (:mod:`flowgraph.platform`); tests compare the two
:class:`Journey` values with ``==``. A journey's events are what the platform — and so the
caller — experiences (recordings, prompts and presses, transfers, hand-offs, the end, a
failover); its ``path`` is the nodes the server evaluated (the simulator reads it from the
runtime's trace).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from flowgraph.callvars import national10, parse_call_vars
from flowgraph.diagnostics import FlowgraphError
from flowgraph.emit import format_number
from flowgraph.lookups import table_key
from flowgraph.model import TEMPLATE_RE, Flow
from flowgraph.profile import PlatformProfile

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# --- the journey ------------------------------------------------------------------------


@dataclass(frozen=True)
class Play:
    """The caller hears a recording (``type`` system/url, ``data`` id or URL)."""

    type: str
    data: str


@dataclass(frozen=True)
class Prompt:
    """The caller hears a recording that collects digits; ``pressed`` is None for no input.

    One event per attempt: with ``retry`` > 0 the platform replays the prompt after a timeout.
    """

    type: str
    data: str
    timeout_ms: int
    max_length: int
    retry: int
    pressed: str | None


@dataclass(frozen=True)
class Transfer:
    """The call is transferred; ``answered`` is what the script said the far end did."""

    type: str
    targets: tuple[str, ...]
    ring_type: str
    moh: str | None
    skip_active: bool
    answered: bool


@dataclass(frozen=True)
class Handoff:
    """The call leaves the flow for another API Dialplan configured in the portal."""

    dialplan_id: str


@dataclass(frozen=True)
class Hangup:
    """Nothing more to do: the platform ends the call (or nobody answered the last transfer)."""


@dataclass(frozen=True)
class Failover:
    """The platform runs the dialplan's failover destination.

    ``reason`` is a stable word (``nesting_limit``, ``invalid_response``, ``server``,
    ``unwired``, ``cycle``); ``detail`` explains and is left out of comparisons.
    """

    reason: str
    destination: tuple[str, tuple[str, ...]] | None = None
    detail: str = field(default="", compare=False)


Event = Play | Prompt | Transfer | Handoff | Hangup | Failover


@dataclass(frozen=True)
class Exchange:
    """One request the platform made and the response it got (what the editor shows)."""

    dialplan_id: str
    variables: dict[str, str]
    response: bytes
    #: The flow step that answered, when the transport knows it (in-process simulation).
    step: str | None = None
    #: How many of the response's actions the platform ran (it stops at an answered transfer).
    ran: int = 0
    #: How running the response ended: ``api_dialplan``, ``answered``, ``hangup`` or ``failover``.
    ended: str = "failover"


@dataclass
class Journey:
    """One call: events in order, the node path, and (simulation only) the raw exchanges."""

    events: list[Event] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list, compare=False)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form (golden files, ``--json``); exchanges are left out."""
        return {"events": [event_json(e) for e in self.events], "path": list(self.path)}

    def describe(self) -> list[str]:
        """What the caller experiences, one line per event."""
        return [describe_event(e) for e in self.events]


def event_json(event: Event) -> dict[str, Any]:
    """``{"event": "play", ...fields}``; tuples become lists, ``detail`` is kept for reading."""
    out: dict[str, Any] = {"event": type(event).__name__.lower()}
    for name, value in vars(event).items():
        if isinstance(value, tuple):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        if name == "detail" and not value:
            continue
        out[name] = value
    return out


def describe_event(event: Event) -> str:
    """One human-readable line for an event."""
    if isinstance(event, Play):
        return f"hears {event.type} recording {event.data}"
    if isinstance(event, Prompt):
        got = f"presses {event.pressed}" if event.pressed is not None else "presses nothing"
        return f"hears {event.type} prompt {event.data} (up to {event.max_length} digits), {got}"
    if isinstance(event, Transfer):
        state = "answered" if event.answered else "not answered"
        return f"transferred to {event.type} {', '.join(event.targets)}: {state}"
    if isinstance(event, Handoff):
        return f"handed to API Dialplan {event.dialplan_id}"
    if isinstance(event, Hangup):
        return "call ends"
    where = f" -> {event.destination[0]} {', '.join(event.destination[1])}" if event.destination else ""
    detail = f" ({event.detail})" if event.detail else ""
    return f"failover: {event.reason}{detail}{where}"


# --- the call script --------------------------------------------------------------------

#: What an HTTP lookup answers in a script: a found row, or the words not_found / error.
LookupOutcome = dict[str, str] | Literal["not_found", "error"]


class ScriptError(FlowgraphError):
    """A call script does not say something the call needs (e.g. an HTTP lookup's outcome)."""


@dataclass
class CallScript:
    """One scripted call: who calls, when, what they press, who answers, what lookups return.

    ``presses``: one entry per prompt attempt, ``None`` (or ``""``) for no input; when they run
    out the caller presses nothing. ``answers``: one per transfer, in order; when they run out
    transfers are answered. ``lookups``: outcome of each HTTP lookup node by node id (a
    simulation never touches the network). A naive ``start`` is read in the flow's time zone.
    """

    caller: str
    dialled: str = "+919000000000"
    start: datetime = field(default_factory=lambda: datetime.now(ZoneInfo("Asia/Kolkata")))
    presses: list[str | None] = field(default_factory=list)
    answers: list[bool] = field(default_factory=list)
    lookups: dict[str, LookupOutcome] = field(default_factory=dict)
    uuid: str = "5f1e2d3c"
    call_id: str = "1775719461.306731"

    def lookup(self, node_id: str) -> LookupOutcome:
        """The scripted outcome of HTTP lookup ``node_id``; a clear error when the script is silent."""
        if node_id not in self.lookups:
            raise ScriptError(
                f"lookup node '{node_id}' asks an HTTP API: the call script must give its outcome "
                f"(e.g. --lookup {node_id}=found:column=value, {node_id}=not_found or {node_id}=error)"
            )
        return self.lookups[node_id]


def local_start(script: CallScript, profile: PlatformProfile) -> datetime:
    """The call's start time in the profile's time zone (naive times are taken as already there)."""
    tz = ZoneInfo(profile.timezone)
    start = script.start
    return start.replace(tzinfo=tz) if start.tzinfo is None else start.astimezone(tz)


def request_variables(script: CallScript, profile: PlatformProfile) -> dict[str, str]:
    """The variables the platform puts in every request of this call (platform doc, Request Variables)."""
    return {
        "uuid": script.uuid,
        "call_id": script.call_id,
        "call_to_number": script.dialled,
        "caller_id_number": script.caller,
        "start_stamp": local_start(script, profile).strftime("%Y-%m-%d %H:%M:%S"),
    }


def template_variables(script: CallScript, profile: PlatformProfile) -> dict[str, str]:
    """The call variables templates see: what the platform sends, as the server reads it."""
    data = parse_call_vars(request_variables(script, profile), profile)
    stamp = data.start_stamp
    return {
        "uuid": data.uuid,
        "call_id": data.call_id,
        "call_to_number": data.call_to_number,
        "caller_id_number": data.caller_id_number,
        "start_stamp": stamp.strftime("%Y-%m-%d %H:%M:%S") if stamp else "",
    }


def normalise_press(press: str | None) -> str | None:
    """``""`` and ``"-"`` mean no input, like ``None``."""
    return None if press in (None, "", "-") else press


# --- value semantics shared by the walk ---------------------------------------------------


def render(text: str, variables: dict[str, str]) -> str:
    """Fill ``{{name}}`` placeholders; an undefined name renders empty (the checks forbid it)."""
    return TEMPLATE_RE.sub(lambda m: variables.get(m.group(1), ""), text)


def national(number: str) -> str:
    """A phone number's last 10 digits (NOTES.md: compare numbers by their last 10 digits)."""
    return national10(number)


def table_row(flow: Flow, table_name: str, match: str, probe: str) -> dict[str, str] | None:
    """The row of a flow table for ``probe``: same key, or the longest key that prefixes it.

    Keys compare as :func:`flowgraph.lookups.table_key` says (phone-like ones by their last 10
    digits); where two keys compare equal, the first in sorted order wins.
    """
    table = flow.tables.get(table_name)
    if table is None:
        return None
    wanted = table_key(probe)
    if match == "exact":
        same = sorted(k for k in table.rows if table_key(k) == wanted)
        return table.rows[same[0]] if same else None
    prefixes = sorted(k for k in table.rows if wanted.startswith(k.strip()))
    best = max(prefixes, key=lambda k: len(k.strip()), default=None)
    return table.rows[best] if best is not None else None


def switch_case(flow: Flow, node: Any, variables: dict[str, str], script: CallScript) -> str:
    """The branch a switch takes: its first matching case, else ``default``."""
    for case in node.cases:
        if condition_holds(flow, case.when, variables, script):
            return str(case.branch)
    return "default"


def condition_holds(flow: Flow, cond: Any, variables: dict[str, str], script: CallScript) -> bool:
    """Whether one switch condition holds for this call."""
    if cond.on in ("caller", "dialled"):
        number = national(script.caller if cond.on == "caller" else script.dialled)
        return bool(number) and (
            number in {national(n) for n in cond.numbers}
            or any(number.startswith(p.strip()) for p in cond.prefixes if p.strip())
        )
    if cond.on == "time":
        now = local_start(script, flow.settings.profile)
        return in_window(now, cond.days, cond.start, cond.end)
    if cond.on == "variable":
        return variables.get(cond.variable.strip("{} "), "") in cond.values
    return table_row(flow, cond.table, "exact", render(cond.key, variables)) is not None


def in_window(when: datetime, days: list[str], start: str, end: str) -> bool:
    """``when`` is inside a weekly window: ``start`` inclusive, ``end`` exclusive, on ``days``.

    A window with ``end`` before ``start`` runs over midnight: its early part belongs to the day
    after a listed day (the checks reject such windows today; this keeps the meaning defined).
    """
    hm = when.strftime("%H:%M")
    day = DAYS[when.weekday()]
    if start < end:
        return day in days and start <= hm < end
    if start > end:
        yesterday = DAYS[(when.weekday() - 1) % 7]
        return (day in days and hm >= start) or (yesterday in days and hm < end)
    return False


# --- the walk ---------------------------------------------------------------------------


@dataclass
class _Call:
    """One call in progress: what is left of the script and what happened so far."""

    flow: Flow
    script: CallScript
    presses: deque[str | None]
    answers: deque[bool]
    base: dict[str, str]
    variables: dict[str, str]
    journey: Journey = field(default_factory=Journey)
    hops: int = 0
    #: Nodes evaluated since the last request: a cycle with no menu on it would loop forever.
    since_request: int = 0
    #: Events before the current request's (a request the server cannot answer plays nothing).
    request_events: int = 0

    @property
    def profile(self) -> PlatformProfile:
        return self.flow.settings.profile

    def failover(self, reason: str, detail: str) -> None:
        dest = self.flow.settings.failover
        where = (dest.type, tuple(dest.data)) if dest is not None else None
        self.journey.events.append(Failover(reason, where, detail))

    def hop(self, what: str) -> bool:
        """Count one api_dialplan hop; past the nesting limit the platform fails over instead."""
        self.hops += 1
        self.since_request = 0
        if self.hops > self.profile.nesting_limit:
            self.failover("nesting_limit", f"hop {self.hops} ({what}) exceeds {self.profile.nesting_limit}")
            return False
        self.request_events = len(self.journey.events)
        return True

    def fail_request(self, reason: str, detail: str) -> None:
        """The server cannot answer this request: it sends the failover instead of its actions."""
        del self.journey.events[self.request_events :]
        self.failover(reason, detail)

    def value(self, text: str, node: Any, what: str) -> str:
        """A field's value for this call; an empty one makes the server fail over (as compiled)."""
        if "{{" not in text:
            return text
        out = render(text, self.variables).strip()
        if not out:
            raise _RequestFailed(f"node '{node.id}': {what} '{text}' is empty for this call")
        return out


class _RequestFailed(Exception):
    """The current request cannot be answered (its detail becomes the failover's)."""


def walk(flow: Flow, script: CallScript) -> Journey:
    """The journey of one scripted call through ``flow``, by the reference semantics.

    Works on broken flows too: an unwired branch or a cycle without a menu ends the journey with
    a :class:`Failover` saying why (a compiled flow would fail over there). Raises
    :class:`ScriptError` when the script lacks an HTTP lookup's outcome.
    """
    base = template_variables(script, flow.settings.profile)
    call = _Call(
        flow=flow,
        script=script,
        presses=deque(normalise_press(p) for p in script.presses),
        answers=deque(script.answers),
        base=base,
        variables=dict(base),
    )
    nodes = flow.node_map()
    node_id: str | None = flow.entry
    if node_id not in nodes:
        call.failover("unwired", f"entry '{node_id}' is not a node")
        return call.journey
    while node_id is not None:
        call.since_request += 1
        if call.since_request > len(nodes):
            call.fail_request("cycle", f"node '{node_id}' is reached again without a new request")
            break
        call.journey.path.append(node_id)
        try:
            branch = _STEP[nodes[node_id].type](call, nodes[node_id])
        except _RequestFailed as exc:
            call.journey.path.pop()  # the server stops before the node it cannot render
            call.fail_request("server", str(exc))
            break
        node_id = _follow(call, nodes[node_id], branch, nodes)
    return call.journey


def _follow(call: _Call, node: Any, branch: str | None, nodes: dict[str, Any]) -> str | None:
    """The node a branch leads to; None ends the walk (a failover when the branch is unwired)."""
    if branch is None:
        return None
    target = node.branches.get(branch)
    if target in nodes:
        return str(target)
    what = "not wired" if target is None else f"wired to unknown node '{target}'"
    call.fail_request("unwired", f"node '{node.id}' branch '{branch}' is {what}")
    return None


def _play(call: _Call, node: Any) -> str:
    rec = node.recording
    call.journey.events.append(Play(rec.type, call.value(rec.data, node, "recording")))
    return "next"


def _menu(call: _Call, node: Any) -> str | None:
    p = call.profile
    timeout = node.timeout_ms if node.timeout_ms is not None else p.dtmf_timeout_ms
    max_length = node.max_length if node.max_length is not None else p.dtmf_max_length
    retry = node.retry if node.retry is not None else p.dtmf_retry
    rec_type, data = node.recording.type, call.value(node.recording.data, node, "recording")
    pressed = collect(
        call.presses,
        max_length,
        retry,
        lambda got: call.journey.events.append(Prompt(rec_type, data, timeout, max_length, retry, got)),
    )
    if not call.hop(f"after menu '{node.id}'"):
        return None
    # Variables do not cross a menu: the continuation is a new request (docs/architecture.md).
    call.variables = {**call.base, f"{node.id}.digits": pressed or ""}
    if pressed is None:
        return "no_input"
    return pressed if pressed in node.options else "invalid"


def collect(presses: deque[str | None], max_length: int, retry: int, heard: Any) -> str | None:
    """Play a prompt up to ``retry + 1`` times until the caller presses something.

    Each attempt takes the next scripted press (none left = no input), truncated to
    ``max_length`` digits as the platform does; ``heard(pressed)`` is called per attempt.
    """
    pressed: str | None = None
    for _attempt in range(max(retry, 0) + 1):
        got = normalise_press(presses.popleft()) if presses else None
        pressed = got[:max_length] if got is not None else None
        heard(pressed)
        if pressed is not None:
            break
    return pressed


def _transfer(call: _Call, node: Any) -> str | None:
    targets = tuple(call.value(t, node, "target") for t in node.targets)
    moh = call.value(node.moh, node, "moh") if node.moh is not None else None
    if node.transfer == "number":
        targets = tuple(format_number(t, call.profile) for t in targets)
    answered = call.answers.popleft() if call.answers else True
    call.journey.events.append(
        Transfer(
            type=node.transfer,
            targets=targets,
            ring_type=node.ring_type or "order_by",
            moh=moh,
            skip_active=bool(node.skip_active),
            answered=answered,
        )
    )
    if answered:
        return None
    if call.profile.transfer_fallthrough and "no_answer" in node.branches:
        return "no_answer"
    call.journey.events.append(Hangup())
    return None


def _dialplan(call: _Call, node: Any) -> None:
    if call.hop(f"hand-off '{node.id}'"):
        call.journey.events.append(Handoff(node.dialplan_id))


def _hangup(call: _Call, node: Any) -> None:
    call.journey.events.append(Hangup())


def _switch(call: _Call, node: Any) -> str:
    return switch_case(call.flow, node, call.variables, call.script)


def _lookup(call: _Call, node: Any) -> str:
    source = node.source
    if source.kind == "table":
        probe = render(source.key, call.variables)
        row: LookupOutcome | None = table_row(call.flow, source.table, source.match, probe)
        outcome: LookupOutcome = row if row is not None else "not_found"
    else:
        outcome = call.script.lookup(node.id)
    if isinstance(outcome, dict):
        call.variables.update({f"{node.id}.{col}": str(val) for col, val in outcome.items()})
        return "found"
    return outcome


_STEP: dict[str, Any] = {
    "play": _play,
    "menu": _menu,
    "transfer": _transfer,
    "dialplan": _dialplan,
    "hangup": _hangup,
    "switch": _switch,
    "lookup": _lookup,
}
