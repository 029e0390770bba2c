"""Reference semantics: walk a flow's graph directly for one scripted call.

:func:`walk` is the meaning of a flow, written over the graph itself (no partition, no compiler,
no JSON). For each request the platform would make, it evaluates the nodes the server would
(decisions, lookups, rendered fields) up to a menu or an end, giving the actions of the answer;
the platform's :class:`~flowgraph.simulate.platform.Player` then plays them against the call script.
The simulator (:mod:`flowgraph.simulate.simulator`) runs the same call through the compiled steps, the
runtime, the emitted bytes and the platform emulator; tests compare the two :class:`Journey`
values with ``==`` (events, and the path of nodes the server evaluated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flowgraph.compile.emit import (
    Action,
    DialplanAction,
    Dtmf,
    RecordingAction,
    TransferAction,
    format_number,
    recording_url,
)
from flowgraph.model import TEMPLATE_RE, Flow
from flowgraph.profile import PlatformProfile, sendable_number
from flowgraph.runtime.callvars import menu_keys, national10, parse_call_vars, zone
from flowgraph.runtime.lookups import table_key
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
    "local_start",
    "walk",
]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The api_dialplan "id" a menu's prompt is followed by: the flow's own next request.
_CONTINUE = "\x00after:"


# --- value semantics shared by the walk ---------------------------------------------------


def render(text: str, variables: dict[str, str]) -> str:
    """Fill ``{{name}}`` placeholders; an undefined name renders empty (the checks forbid it)."""
    return TEMPLATE_RE.sub(lambda m: variables.get(m.group(1), ""), text)


def national(number: str) -> str:
    """A phone number's last 10 digits (NOTES.md: compare numbers by their last 10 digits)."""
    return national10(number)


def table_row(flow: Flow, table_name: str, match: str, probe: str) -> dict[str, str] | None:
    """The row of a flow table for ``probe``: same key, or the longest key that prefixes it.

    Keys compare as :func:`flowgraph.runtime.lookups.table_key` says (phone-like ones by their last 10
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


def template_variables(script: CallScript, profile: PlatformProfile) -> dict[str, str]:
    """The call variables templates see: what the platform sends, as the server reads it."""
    return parse_call_vars(request_variables(script, profile), profile).variables(zone(profile.timezone))


# --- the walk ---------------------------------------------------------------------------


class _RequestFailed(Exception):
    """The request ends in the failover: the server cannot answer it (``server``) or what it
    would send is not valid platform JSON (``invalid_response``)."""

    def __init__(self, detail: str, reason: str = "server"):
        super().__init__(detail)
        self.reason = reason


@dataclass
class _Request:
    """The server's side of one request: evaluate nodes from ``start`` to a menu or an end."""

    flow: Flow
    script: CallScript
    nodes: dict[str, Any]
    path: list[str]
    variables: dict[str, str]
    actions: list[Action] = field(default_factory=list)

    @property
    def profile(self) -> PlatformProfile:
        return self.flow.settings.profile

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

    def serve(self, start: str | None, menu: str | None, last_dtmf: str | None) -> list[Action]:
        """The actions of this request's answer (the platform checks and plays them)."""
        node_id = start
        if menu is not None:
            node_id = self._decide_menu(self.nodes[menu], last_dtmf)
        budget = len(self.nodes) + 1  # only a cycle without a menu could use it up
        while node_id is not None:
            budget -= 1
            node = self.nodes.get(node_id)
            if node is None or budget < 0:
                why = "is not a node" if node is None else "is reached again without a new request"
                raise _RequestFailed(f"node '{node_id}' {why}")
            node_id = _SERVE[node.type](self, node)
        if not self.actions:
            # Never [] (NOTES.md): a request with nothing to play gets the failover.
            raise _RequestFailed(f"nothing to send (ends at '{self.path[-1]}')")
        numbers = (
            t for a in self.actions if isinstance(a, TransferAction) and a.type == "number" for t in a.data
        )
        bad = [t for t in numbers if sendable_number(t) is None]
        if bad:
            # The server answers with the failover rather than send a guess (bad_number).
            raise _RequestFailed(f"bad_number: {bad[0]!r} is not one national number")
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
        """The continuation of a menu: the keys (:func:`flowgraph.runtime.callvars.menu_keys`) matching an
        option exactly, else ``invalid``; nothing is ``no_input``."""
        keys = menu_keys(pressed)
        self.variables[f"{menu.id}.digits"] = keys or ""
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
        targets = tuple(format_number(t, req.profile) for t in targets)
    req.actions.append(TransferAction(node.transfer, targets, node.ring_type, moh, node.skip_active))
    # What follows an unanswered transfer is sent with it (profile transfer_fallthrough).
    return node.branches.get("no_answer") if req.profile.transfer_fallthrough else None


def _dialplan(req: _Request, node: Any) -> None:
    req.path.append(node.id)  # before rendering: a failed render is blamed on this node
    req.actions.append(DialplanAction(node.dialplan_id))


def _hangup(req: _Request, node: Any) -> None:
    req.path.append(node.id)  # no action: the platform ends the call when the answer runs out


def _switch(req: _Request, node: Any) -> str:
    branch = switch_case(req.flow, node, req.variables, req.script)
    req.path.append(node.id)
    return req.target(node, branch)


def _lookup(req: _Request, node: Any) -> str:
    source = node.source
    if source.kind == "table":
        probe = render(source.key, req.variables)
        row: LookupOutcome | None = table_row(req.flow, source.table, source.match, probe)
        outcome: LookupOutcome = row if row is not None else "not_found"
    else:
        outcome = req.script.lookup(node.id)
    branch = "found" if isinstance(outcome, dict) else outcome
    if isinstance(outcome, dict):
        req.variables.update({f"{node.id}.{col}": str(val) for col, val in outcome.items()})
    req.path.append(node.id)
    return req.target(node, branch)


_SERVE: dict[str, Any] = {
    "play": _play,
    "menu": _menu,
    "transfer": _transfer,
    "dialplan": _dialplan,
    "hangup": _hangup,
    "switch": _switch,
    "lookup": _lookup,
}


def walk(flow: Flow, script: CallScript) -> Journey:
    """The journey of one scripted call through ``flow``, by the reference semantics.

    Works on broken flows too: a request the server could not answer (an unwired branch, a
    cycle without a menu, nothing to send) ends the journey with a :class:`Failover`. Raises
    :class:`ScriptError` when the script lacks an HTTP lookup's outcome.
    """
    profile = flow.settings.profile
    dest = flow.settings.failover
    player = Player(script, profile, (dest.type, tuple(dest.data)) if dest is not None else None)
    # Variables live for the whole call: lookup columns and menu digits cross menus.
    variables = template_variables(script, profile)
    nodes = flow.node_map()
    transfers = frozenset(n for n, node in nodes.items() if node.type == "transfer")
    start: str | None = flow.entry
    menu: str | None = None
    hops = 0
    while True:
        path = player.journey.path
        mark = len(path)
        req = _Request(flow, script, nodes, path, variables)
        try:
            actions = req.serve(start, menu, player.last_dtmf)
        except _RequestFailed as exc:
            player.failover(exc.reason, str(exc))
            break
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
