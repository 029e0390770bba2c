"""The platform's side of the wire: execute API Dialplan responses like Smartflo would.

:class:`PlatformEmulator` makes a call's requests through a *transport* (in-process for
``flowgraph simulate``, real HTTP for ``flowgraph call``), checks every answer with
:func:`flowgraph.emit.validate_response`, and plays it against a :class:`CallScript`:

- recordings play; one with ``dtmf`` collects the next scripted press (``maxLength`` truncates,
  ``retry`` replays the prompt after no input), defaults from the platform profile;
- actions run in order, each inner list after the one before it ended; an answered transfer
  ends the call, an unanswered one falls through to what follows (NOTES.md: seen once, to
  confirm; profile ``transfer_fallthrough``), or ends the call when nothing follows;
- ``api_dialplan`` makes the next request to that dialplan with ``last_dtmf`` = the digits
  collected; a dialplan the transport does not serve is a hand-off out of the flow;
- more than ``nesting_limit`` hops, an invalid response or a transport failure runs the
  dialplan's failover destination (platform document: "In case of any kind of failure ...").
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field, replace

from flowgraph.emit import (
    Action,
    DialplanAction,
    RecordingAction,
    TransferAction,
    parse_response,
    validate_response,
)
from flowgraph.interpret import (
    CallScript,
    Exchange,
    Failover,
    Handoff,
    Hangup,
    Journey,
    Play,
    Prompt,
    Transfer,
    collect,
    normalise_press,
    request_variables,
)
from flowgraph.profile import PlatformProfile


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


@dataclass
class _CallState:
    journey: Journey
    presses: deque[str | None]
    answers: deque[bool]
    #: Digits collected by the last prompt (None: nothing pressed or no prompt yet).
    last_dtmf: str | None = None
    #: Actions of the current response run so far, and how running it ended.
    ran: int = 0
    ended: str = ""


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
        profile = self.setup.profile
        state = _CallState(
            journey=Journey(),
            presses=deque(normalise_press(p) for p in script.presses),
            answers=deque(script.answers),
        )
        base = request_variables(script, profile)
        dialplan: str | None = self.setup.entry
        hops = 0
        while dialplan is not None:
            variables = dict(base)
            if hops:
                variables["last_dtmf"] = state.last_dtmf or ""
            actions = await self._request(state, dialplan, variables)
            nxt = self._run(state, actions) if actions is not None else None
            if actions is not None:
                last = state.journey.exchanges[-1]
                state.journey.exchanges[-1] = replace(last, ran=state.ran, ended=state.ended)
            if nxt is None:
                break
            hops += 1
            dialplan = self._hop(state, nxt, hops)
        return state.journey

    def _hop(self, state: _CallState, dialplan: str, hops: int) -> str | None:
        """Where an ``api_dialplan`` action leads: the next request, a hand-off or the failover."""
        limit = self.setup.profile.nesting_limit
        if hops > limit:
            self._failover(state, "nesting_limit", f"hop {hops} to '{dialplan}' exceeds {limit}")
            return None
        if dialplan not in self.setup.served:
            state.journey.events.append(Handoff(dialplan))
            return None
        return dialplan

    async def _request(
        self, state: _CallState, dialplan: str, variables: dict[str, str]
    ) -> list[Action] | None:
        """One request; the actions to run, or None after recording a failover."""
        try:
            reply = await self.transport(dialplan, variables)
        except TransportError as exc:
            self._failover(state, "invalid_response", f"request to '{dialplan}' failed: {exc}")
            return None
        if isinstance(reply, bytes):
            reply = Reply(reply)
        state.journey.exchanges.append(Exchange(dialplan, variables, reply.body, reply.step))
        if reply.failover_reason is not None:
            self._failover(state, "server", reply.failover_reason)
            return None
        problems = validate_response(reply.body, self.setup.profile)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            self._failover(state, "invalid_response", f"dialplan '{dialplan}': {problems[0]}{more}")
            return None
        return [action for group in parse_response(reply.body) for action in group]

    def _run(self, state: _CallState, actions: list[Action]) -> str | None:
        """Execute one response's actions; the next dialplan id, or None when the call ended."""
        state.last_dtmf = None
        for i, action in enumerate(actions):
            state.ran = i + 1
            if isinstance(action, RecordingAction):
                self._recording(state, action)
            elif isinstance(action, TransferAction):
                if not self._transfer(state, action, more=i + 1 < len(actions)):
                    return None
            elif isinstance(action, DialplanAction):
                state.ended = "api_dialplan"
                return action.data
        state.ended = "hangup"
        state.journey.events.append(Hangup())
        return None

    def _recording(self, state: _CallState, rec: RecordingAction) -> None:
        if rec.dtmf is None:
            state.journey.events.append(Play(rec.type, rec.data))
            return
        p = self.setup.profile
        timeout = rec.dtmf.timeout if rec.dtmf.timeout is not None else p.dtmf_timeout_ms
        max_length = rec.dtmf.max_length if rec.dtmf.max_length is not None else p.dtmf_max_length
        retry = rec.dtmf.retry if rec.dtmf.retry is not None else p.dtmf_retry
        state.last_dtmf = collect(
            state.presses,
            max_length,
            retry,
            lambda got: state.journey.events.append(
                Prompt(rec.type, rec.data, timeout, max_length, retry, got)
            ),
        )

    def _transfer(self, state: _CallState, t: TransferAction, more: bool) -> bool:
        """Ring the transfer; True when the call goes on with the next action."""
        answered = state.answers.popleft() if state.answers else True
        state.journey.events.append(
            Transfer(
                type=t.type,
                targets=tuple(t.data),
                ring_type=t.ring_type or "order_by",
                moh=t.moh,
                skip_active=bool(t.skip_active),
                answered=answered,
            )
        )
        if answered:
            state.ended = "answered"
            return False
        if more and self.setup.profile.transfer_fallthrough:
            return True
        state.ended = "hangup"
        state.journey.events.append(Hangup())
        return False

    def _failover(self, state: _CallState, reason: str, detail: str) -> None:
        state.journey.events.append(Failover(reason, self.setup.failover, detail))
