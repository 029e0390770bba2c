"""The platform's side of the wire: the caller's script, what they experience, and Smartflo.

- :class:`CallScript`: one scripted call (who calls, when, what they press, who answers).
- :class:`Journey`: what the platform — and so the caller — experiences: recordings, prompts and
  presses, transfers, hand-offs, the end of the call, a failover; plus the node path the server
  evaluated and (simulation only) each request/response exchange.
- :class:`Player`: runs a response's actions like Smartflo would:

  - recordings play; one with ``dtmf`` collects the next scripted press (``maxLength``
    truncates, ``retry`` replays the prompt after no input), defaults from the platform profile;
  - actions run in order, each inner list after the one before it ended; an answered transfer
    ends the call, an unanswered one falls through to what follows (NOTES.md: seen once, to
    confirm; profile ``transfer_fallthrough``), or ends the call when nothing follows;
  - ``api_dialplan`` hands the call on (the caller decides where: the next request, a hand-off
    out of the flow, or the failover past the nesting limit).

- :class:`PlatformEmulator`: makes a call's requests through a *transport* (in-process for
  ``flowgraph simulate``, real HTTP for ``flowgraph call``), checks every answer with
  :func:`flowgraph.compile.emit.validate_response` and plays it; ``last_dtmf`` carries the digits
  collected; more than ``nesting_limit`` hops, an invalid response or a transport failure runs
  the dialplan's failover destination (platform document: "In case of any kind of failure ...").

:mod:`flowgraph.simulate.interpret` (the reference semantics) plays the actions it derives from the graph
with the same :class:`Player`, so both paths agree on what the platform does with actions.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from flowgraph.compile.emit import (
    Action,
    DialplanAction,
    RecordingAction,
    TransferAction,
    parse_response,
    validate_response,
)
from flowgraph.diagnostics import FlowgraphError
from flowgraph.profile import DEFAULT_RING_TYPE, TIMEZONE, PlatformProfile
from flowgraph.runtime.calendars import Decision
from flowgraph.runtime.callvars import zone

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
    #: (simulation only) ``(node, branch)`` the server evaluated, request after request; a
    #: branch sent with a transfer counts only where the path shows it ran (flow tests' coverage).
    trace: list[tuple[str, str]] = field(default_factory=list, compare=False)
    #: Which rule decided each dated time case asked (holiday, outside hours, ...), in order.
    decisions: list[Decision] = field(default_factory=list)
    #: (simulation only) What the call read of the server's tables: a live version, or a table
    #: that was not available (read as empty offline); one line each, for the reader.
    notes: list[str] = field(default_factory=list, compare=False)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form (golden files, ``--json``); exchanges are left out, and
        ``decisions`` too when no dated time case was asked, ``notes`` when none were made."""
        out: dict[str, Any] = {"events": [event_json(e) for e in self.events], "path": list(self.path)}
        if self.decisions:
            out["decisions"] = [d.to_json() for d in self.decisions]
        if self.notes:
            out["notes"] = list(self.notes)
        return out

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
LookupOutcome = dict[str, str] | Literal["not_found", "error", "timeout"]


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
    start: datetime = field(default_factory=lambda: datetime.now(zone(TIMEZONE)))
    presses: list[str | None] = field(default_factory=list)
    answers: list[bool] = field(default_factory=list)
    lookups: dict[str, LookupOutcome] = field(default_factory=dict)
    uuid: str = "5f1e2d3c"
    call_id: str = "1775719461.306731"
    #: The exact call data every request carries, for calls whose data comes in a raw form (key
    #: spellings, JSON types, placeholders: NOTES.md "Request side"); None: the five fields above.
    call_data: dict[str, Any] | None = None

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
    tz = zone(profile.timezone)
    start = script.start
    return start.replace(tzinfo=tz) if start.tzinfo is None else start.astimezone(tz)


def request_variables(script: CallScript, profile: PlatformProfile) -> dict[str, Any]:
    """The variables the platform puts in every request of this call (platform doc, Request Variables)."""
    if script.call_data is not None:
        return dict(script.call_data)
    return {
        "uuid": script.uuid,
        "call_id": script.call_id,
        "call_to_number": script.dialled,
        "caller_id_number": script.caller,
        "start_stamp": local_start(script, profile).strftime("%Y-%m-%d %H:%M:%S"),
    }


def normalise_press(press: str | None) -> str | None:
    """``""`` and ``"-"`` mean no input, like ``None``."""
    return None if press in (None, "", "-") else press


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


def reached(
    step_nodes: list[str], transfers: Collection[str], actions: Sequence[Action], ran: int, ended: str
) -> list[str]:
    """The part of one request's evaluated nodes the caller actually reached.

    What follows a transfer's ``no_answer`` branch is sent along with the transfer (NOTES.md:
    each inner list runs when the one before it has ended), so the server evaluates it whether
    or not the far end answers. When the platform stopped at an answered transfer, the nodes
    after that transfer were never reached: cut there. ``transfers`` holds the transfer node ids.
    """
    if ended != "answered":
        return step_nodes
    answered = sum(1 for a in actions[:ran] if isinstance(a, TransferAction))
    seen = 0
    for i, node in enumerate(step_nodes):
        if node in transfers:
            seen += 1
            if seen == answered:
                return step_nodes[: i + 1]
    return step_nodes


# --- running actions ----------------------------------------------------------------------


class Player:
    """The platform running one call's responses: consumes presses and answers, records events."""

    def __init__(
        self,
        script: CallScript,
        profile: PlatformProfile,
        failover: tuple[str, tuple[str, ...]] | None,
    ):
        self.profile = profile
        self.destination = failover
        self.journey = Journey()
        self.presses = deque(normalise_press(p) for p in script.presses)
        self.answers = deque(script.answers)
        #: Digits collected by the last prompt of the current response (None: nothing).
        self.last_dtmf: str | None = None
        #: Actions of the current response run so far, and how running it ended.
        self.ran = 0
        self.ended = ""

    def failover(self, reason: str, detail: str) -> None:
        """The platform runs the failover destination; the call ends there."""
        self.ended = "failover"
        self.journey.events.append(Failover(reason, self.destination, detail))

    def run(self, actions: list[Action]) -> str | None:
        """Execute one response's actions; the ``api_dialplan`` id it ends with, else None."""
        self.last_dtmf, self.ran, self.ended = None, 0, ""
        for i, action in enumerate(actions):
            self.ran = i + 1
            if isinstance(action, RecordingAction):
                self._recording(action)
            elif isinstance(action, TransferAction):
                if not self._transfer(action, more=i + 1 < len(actions)):
                    return None
            elif isinstance(action, DialplanAction):
                self.ended = "api_dialplan"
                return action.data
        self.ended = "hangup"
        self.journey.events.append(Hangup())
        return None

    def _recording(self, rec: RecordingAction) -> None:
        if rec.dtmf is None:
            self.journey.events.append(Play(rec.type, rec.data))
            return
        p = self.profile
        timeout = rec.dtmf.timeout if rec.dtmf.timeout is not None else p.dtmf_timeout_ms
        max_length = rec.dtmf.max_length if rec.dtmf.max_length is not None else p.dtmf_max_length
        retry = rec.dtmf.retry if rec.dtmf.retry is not None else p.dtmf_retry
        self.last_dtmf = collect(
            self.presses,
            max_length,
            retry,
            lambda got: self.journey.events.append(
                Prompt(rec.type, rec.data, timeout, max_length, retry, got)
            ),
        )

    def _transfer(self, t: TransferAction, more: bool) -> bool:
        """Ring the transfer; True when the call goes on with the next action."""
        answered = self.answers.popleft() if self.answers else True
        self.journey.events.append(
            Transfer(
                type=t.type,
                targets=tuple(t.data),
                ring_type=t.ring_type or DEFAULT_RING_TYPE,
                moh=t.moh,
                skip_active=bool(t.skip_active),
                answered=answered,
            )
        )
        if answered:
            self.ended = "answered"
            return False
        if more and self.profile.transfer_fallthrough:
            return True
        self.ended = "hangup"
        self.journey.events.append(Hangup())
        return False


# --- the emulator -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A transport's answer: the body, and (in-process only) why the server failed over."""

    body: bytes
    failover_reason: str | None = None
    #: The flow step that answered, when the transport knows it.
    step: str | None = None


class TransportError(Exception):
    """The request failed (timeout, connection refused, non-200): the platform fails over."""


#: ``transport(dialplan_id, variables) -> body`` makes one request the way the portal would.
Transport = Callable[[str, dict[str, str]], Awaitable[bytes | Reply]]


@dataclass(frozen=True)
class PortalSetup:
    """What the portal holds for the flow: the dialplan the number points at, the dialplans the
    transport serves, the failover destination (``(type, data)``) and the platform profile."""

    entry: str
    served: Collection[str]
    failover: tuple[str, tuple[str, ...]] | None
    profile: PlatformProfile = field(default_factory=PlatformProfile)


class PlatformEmulator:
    """Plays the platform's part for scripted calls against a transport."""

    def __init__(self, transport: Transport, setup: PortalSetup):
        self.transport = transport
        self.setup = setup

    def call_sync(self, script: CallScript) -> Journey:
        """:meth:`call` for code that is not already inside an event loop."""
        return asyncio.run(self.call(script))

    async def call(self, script: CallScript) -> Journey:
        """Run one call from the first request to its end; the journey keeps every exchange."""
        player = Player(script, self.setup.profile, self.setup.failover)
        base = request_variables(script, self.setup.profile)
        dialplan: str | None = self.setup.entry
        hops = 0
        while dialplan is not None:
            variables = dict(base)
            if hops:
                variables["last_dtmf"] = player.last_dtmf or ""
            actions = await self._request(player, dialplan, variables)
            nxt = player.run(actions) if actions is not None else None
            exchanges = player.journey.exchanges
            exchanges[-1] = replace(exchanges[-1], ran=player.ran, ended=player.ended)
            if nxt is None:
                break
            hops += 1
            dialplan = self._hop(player, nxt, hops)
        return player.journey

    def _hop(self, player: Player, dialplan: str, hops: int) -> str | None:
        """Where an ``api_dialplan`` action leads: the next request, a hand-off or the failover."""
        limit = self.setup.profile.nesting_limit
        if hops > limit:
            player.failover("nesting_limit", f"hop {hops} to '{dialplan}' exceeds {limit}")
            return None
        if dialplan not in self.setup.served:
            player.journey.events.append(Handoff(dialplan))
            return None
        return dialplan

    async def _request(self, player: Player, dialplan: str, variables: dict[str, str]) -> list[Action] | None:
        """One request; the actions to run, or None after recording a failover."""
        try:
            reply = await self.transport(dialplan, variables)
        except TransportError as exc:
            player.journey.exchanges.append(Exchange(dialplan, variables, b""))
            player.failover("invalid_response", f"request to '{dialplan}' failed: {exc}")
            return None
        if isinstance(reply, bytes):
            reply = Reply(reply)
        player.journey.exchanges.append(Exchange(dialplan, variables, reply.body, reply.step))
        if reply.failover_reason is not None:
            player.failover("server", reply.failover_reason)
            return None
        problems = validate_response(reply.body, self.setup.profile)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            player.failover("invalid_response", f"dialplan '{dialplan}': {problems[0]}{more}")
            return None
        return [action for group in parse_response(reply.body) for action in group]
