"""Reference semantics: walk a flow's graph directly for one scripted call.

:func:`walk` is the meaning of a flow, written over the graph itself (no partition, no compiler,
no JSON). For each request the platform would make, it evaluates the nodes the server would
(decisions, lookups, rendered fields) up to a menu or an end, giving the actions of the answer;
the platform's :class:`~flowgraph.simulate.platform.Player` then plays them against the call script.
The simulator (:mod:`flowgraph.simulate.simulator`) runs the same call through the compiled steps, the
runtime, the emitted bytes and the platform emulator; tests compare the two :class:`Journey`
values with ``==`` (events, and the path of nodes the server evaluated).

It is an independent oracle: every request's call data, key presses and numbers are read by
:mod:`flowgraph.simulate.reading` (written from NOTES.md and the platform document), never by the
runtime's own helpers, so a bug in either reading shows up as a difference. :func:`answer`
gives one request's answer, for comparing with the live server request by request.
Node types dispatch through :data:`SERVE`, one entry per type; the decisions (switch conditions,
tables, split arms) are :mod:`flowgraph.simulate.decisions`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowgraph.compile.emit import (
    Action,
    DialplanAction,
    Dtmf,
    RecordingAction,
    TransferAction,
    recording_url,
)
from flowgraph.model import Flow
from flowgraph.profile import PlatformProfile
from flowgraph.runtime.calendars import Decision
from flowgraph.simulate import reading
from flowgraph.simulate.decisions import render, split_arm, switch_case, table_row
from flowgraph.simulate.platform import (
    CallScript,
    Event,
    Exchange,
    Failover,
    Handoff,
    Hangup,
    Journey,
    LookupOutcome,
    Play,
    Player,
    Prompt,
    ScriptError,
    Transfer,
    local_start,
    reached,
    request_variables,
)
from flowgraph.simulate.reading import CallRead, read_call, time_zone

__all__ = [
    "CallScript",
    "Event",
    "Exchange",
    "Failover",
    "Handoff",
    "Hangup",
    "Journey",
    "LookupOutcome",
    "Play",
    "Prompt",
    "ScriptError",
    "Transfer",
    "answer",
    "local_start",
    "walk",
]

#: The api_dialplan "id" a menu's prompt is followed by: the flow's own next request.
_CONTINUE = "\x00after:"


# --- the walk ---------------------------------------------------------------------------


class _RequestFailed(Exception):
    """The request ends in the failover: the server cannot answer it (``server``) or what it
    would send is not valid platform JSON (``invalid_response``)."""

    def __init__(self, detail: str, reason: str = "server"):
        super().__init__(detail)
        self.reason = reason


#: An HTTP lookup's outcome by node id (the call script's, in a walk).
Lookup = Callable[[str], LookupOutcome]


@dataclass
class _Request:
    """The server's side of one request: evaluate nodes from ``start`` to a menu or an end.

    ``carried`` holds what earlier requests of the call set (lookup columns, menu digits); it is
    updated in place. ``variables`` is what templates see in this request: the call data read
    from it, and ``carried``.
    """

    flow: Flow
    call: CallRead
    lookup: Lookup
    nodes: dict[str, Any]
    path: list[str]
    carried: dict[str, str]
    actions: list[Action] = field(default_factory=list)
    #: Which rule decided each dated time case asked in this request.
    decided: list[Decision] = field(default_factory=list)
    variables: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.variables = self.call.variables() | self.carried

    @property
    def profile(self) -> PlatformProfile:
        return self.flow.settings.profile

    def set(self, name: str, value: str) -> None:
        """Set a variable for the rest of the call."""
        self.variables[name] = self.carried[name] = value

    def value(self, text: str, node: Any, what: str) -> str:
        """A field's value for this call; a templated one that renders empty fails the request."""
        if "{{" not in text:
            return text
        out = render(text, self.variables).strip()
        if not out:
            raise _RequestFailed(f"node '{node.id}': {what} '{text}' is empty for this call")
        return out

    def target(self, node: Any, branch: str) -> str:
        target = node.branches.get(branch)
        if target is None:
            raise _RequestFailed(f"node '{node.id}' branch '{branch}' is not wired")
        return str(target)

    def serve(self, start: str | None, menu: str | None) -> list[Action]:
        """The actions of this request's answer (the platform checks and plays them)."""
        node_id = start
        if menu is not None:
            node_id = self._decide_menu(self.nodes[menu], self.call.last_dtmf)
        budget = len(self.nodes) + 1  # only a cycle without a menu could use it up
        while node_id is not None:
            budget -= 1
            node = self.nodes.get(node_id)
            if node is None or budget < 0:
                why = "is not a node" if node is None else "is reached again without a new request"
                raise _RequestFailed(f"node '{node_id}' {why}")
            node_id = SERVE[node.type](self, node)
        if not self.actions:
            # Never [] (NOTES.md): a request with nothing to play gets the failover.
            raise _RequestFailed(f"nothing to send (ends at '{self.path[-1]}')")
        return self.actions

    def recording(self, rec: Any, node: Any) -> str:
        """A recording's data for this call; a URL escaped as sent, or the request fails (bad_url)."""
        data = self.value(rec.data, node, "recording")
        if rec.type != "url":
            return data
        url = recording_url(data)
        if url is None:
            raise _RequestFailed(f"bad_url: node '{node.id}': {data!r} is not an http(s) URL")
        return url

    def _decide_menu(self, menu: Any, pressed: str | None) -> str:
        """The continuation of a menu: the keys (:func:`flowgraph.simulate.reading.menu_keys`) matching
        an option exactly, else ``invalid``; nothing is ``no_input``."""
        keys = reading.menu_keys(pressed)
        self.set(f"{menu.id}.digits", keys or "")
        branch = "no_input"
        if keys is not None:
            branch = keys if keys in menu.options else "invalid"
        if not self.path or self.path[-1] != menu.id:
            self.path.append(menu.id)
        return self.target(menu, branch)


def _play(req: _Request, node: Any) -> str | None:
    req.path.append(node.id)  # before rendering: a failed render is blamed on this node
    req.actions.append(RecordingAction(node.recording.type, req.recording(node.recording, node)))
    return node.branches.get("next")


def _menu(req: _Request, node: Any) -> None:
    req.path.append(node.id)  # before rendering: a failed render is blamed on this node
    p = req.profile
    dtmf = Dtmf(
        timeout=node.timeout_ms if node.timeout_ms is not None else p.dtmf_timeout_ms,
        max_length=node.max_length if node.max_length is not None else p.dtmf_max_length,
        retry=node.retry if node.retry is not None else p.dtmf_retry,
    )
    data = req.recording(node.recording, node)
    req.actions += [RecordingAction(node.recording.type, data, dtmf), DialplanAction(_CONTINUE + node.id)]


def _transfer(req: _Request, node: Any) -> str | None:
    req.path.append(node.id)  # before rendering: a failed render is blamed on this node
    targets = tuple(req.value(t, node, "target") for t in node.targets)
    moh = req.value(node.moh, node, "moh") if node.moh is not None else None
    if node.transfer == "number":
        bad = [t for t in targets if reading.sendable(t) is None]
        if bad:
            # The server answers with the failover rather than send a guess (bad_number); the
            # request ends at this node, whatever would follow it.
            raise _RequestFailed(f"bad_number: node '{node.id}': {bad[0]!r} is not one national number")
        targets = tuple(reading.formatted(t, req.profile.number_format) for t in targets)
    elif node.transfer != "number":
        # Ids: the whole value matches the profile's id shape, or the server fails over (bad_value).
        bad = [t for t in targets if re.fullmatch(req.profile.target_id_pattern, t) is None]
        if bad:
            raise _RequestFailed(f"bad_value: node '{node.id}': {bad[0]!r} is not one {node.transfer} id")
    req.actions.append(TransferAction(node.transfer, targets, node.ring_type, moh, node.skip_active))
    # What follows an unanswered transfer is sent with it (profile transfer_fallthrough).
    return node.branches.get("no_answer") if req.profile.transfer_fallthrough else None


def _dialplan(req: _Request, node: Any) -> None:
    req.path.append(node.id)  # before rendering: a failed render is blamed on this node
    req.actions.append(DialplanAction(node.dialplan_id))


def _hangup(req: _Request, node: Any) -> None:
    req.path.append(node.id)  # no action: the platform ends the call when the answer runs out


def _switch(req: _Request, node: Any) -> str:
    branch = switch_case(req.flow, node, req.variables, req.call, req.decided)
    req.path.append(node.id)
    return req.target(node, branch)


def _split(req: _Request, node: Any) -> str:
    branch = split_arm(node, req.call.caller_id_number)
    req.path.append(node.id)
    return req.target(node, branch)


def _lookup(req: _Request, node: Any) -> str:
    source = node.source
    if source.kind == "table":
        probe = render(source.key, req.variables)
        row: LookupOutcome | None = table_row(req.flow, source.table, source.match, probe)
        outcome: LookupOutcome = row if row is not None else "not_found"
    else:
        outcome = req.lookup(node.id)
    branch = "found" if isinstance(outcome, dict) else outcome
    if isinstance(outcome, dict):
        for col, val in outcome.items():
            req.set(f"{node.id}.{col}", str(val))
    req.path.append(node.id)
    return req.target(node, branch)


#: How each node type is served: ``handler(request, node)`` -> the next node id, or None where the
#: answer ends. One entry per node type.
SERVE: dict[str, Callable[[_Request, Any], str | None]] = {
    "play": _play,
    "menu": _menu,
    "transfer": _transfer,
    "dialplan": _dialplan,
    "hangup": _hangup,
    "switch": _switch,
    "lookup": _lookup,
    "split": _split,
}


@dataclass(frozen=True)
class Answered:
    """One request's answer by the reference semantics: the actions sent, or the failover's
    ``failover`` reason (with ``detail``); ``path`` is the nodes the server evaluated."""

    actions: list[Action] | None
    path: list[str]
    failover: str | None = None
    detail: str = ""


def answer(
    flow: Flow,
    request: Mapping[str, Any],
    menu: str | None = None,
    carried: dict[str, str] | None = None,
    lookup: Lookup | None = None,
) -> Answered:
    """The answer to one platform request (its variables merged from query and body).

    ``menu``: the request continues after that menu node (its digits in ``last_dtmf``), else it
    is the call's first. ``carried``: variables earlier requests set (updated in place).
    ``lookup``: HTTP lookups' outcomes by node id (none by default: such a lookup is an error).
    """
    tz = time_zone(flow.settings.profile.timezone)
    path: list[str] = []
    carried = {} if carried is None else carried
    req = _Request(flow, read_call(request, tz), lookup or _no_http, flow.node_map(), path, carried)
    try:
        return Answered(req.serve(None if menu else flow.entry, menu), path)
    except _RequestFailed as exc:
        return Answered(None, path, exc.reason, str(exc))


def _no_http(node_id: str) -> LookupOutcome:
    return "error"


def walk(flow: Flow, script: CallScript) -> Journey:
    """The journey of one scripted call through ``flow``, by the reference semantics.

    Works on broken flows too: a request the server could not answer (an unwired branch, a
    cycle without a menu, nothing to send) ends the journey with a :class:`Failover`. Raises
    :class:`ScriptError` when the script lacks an HTTP lookup's outcome.
    """
    profile = flow.settings.profile
    tz = time_zone(profile.timezone)
    dest = flow.settings.failover
    player = Player(script, profile, (dest.type, tuple(dest.data)) if dest is not None else None)
    sent = request_variables(script, profile)  # what the platform puts in every request
    # Variables live for the whole call: lookup columns and menu digits cross menus.
    carried: dict[str, str] = {}
    nodes = flow.node_map()
    transfers = frozenset(n for n, node in nodes.items() if node.type == "transfer")
    start: str | None = flow.entry
    menu: str | None = None
    hops = 0
    while True:
        request = dict(sent)
        if menu is not None:  # as the platform sends the digits of the prompt before
            request["last_dtmf"] = player.last_dtmf or ""
        path = player.journey.path
        mark = len(path)
        req = _Request(flow, read_call(request, tz), script.lookup, nodes, path, carried)
        try:
            actions = req.serve(start, menu)
        except _RequestFailed as exc:
            player.journey.decisions += req.decided
            player.failover(exc.reason, str(exc))
            break
        player.journey.decisions += req.decided
        nxt = player.run(actions)
        path[mark:] = reached(path[mark:], transfers, actions, player.ran, player.ended)
        if nxt is None:
            break
        hops += 1
        if hops > profile.nesting_limit:
            player.failover("nesting_limit", f"hop {hops} exceeds {profile.nesting_limit}")
            break
        if not nxt.startswith(_CONTINUE):
            player.journey.events.append(Handoff(nxt))
            break
        start, menu = None, nxt.removeprefix(_CONTINUE)
    return player.journey
