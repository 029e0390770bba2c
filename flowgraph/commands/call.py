"""``flowgraph call URL --flow ID --caller N [--dtmf 1,2] [--mode per-step|single] ...``.

Plays the platform's part against a *running* server over HTTP: the requests are built from the
flow's deployment sheet (the request body template with its ``$placeholders`` filled the way the
portal fills them, the secret header, GET or POST), every answer is checked with
:func:`flowgraph.compile.emit.validate_response`, ``api_dialplan`` ids are followed to the dialplan the
sheet configures under that id, the nesting limit is enforced, and the call falls to the
failover destination where the platform would (:class:`flowgraph.simulate.platform.PlatformEmulator`).

Where the sheet comes from (decided): the *published* flow is fetched from the management API
(``GET URL/api/flows/ID/published`` with ``--token`` or ``FLOWGRAPH_ADMIN_TOKEN``), or read from
``--flow-file FILE`` (no token needed), compiled, and given to
:func:`flowgraph.compile.deploy.deployment_sheet` -- the same function that produces the sheet users
paste into the portal, so the emulator sends exactly the templates the portal would. The
secret comes from ``--secret`` or ``FLOWGRAPH_SECRET``, else from the server's authenticated
deployment sheet when an admin token is given.

Exit codes: 0 the call ran and ended normally; 1 it ended in a failover; 2 usage, connection or
sheet problems.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx

from flowgraph.commands.simulate import parse_answers, parse_dtmf, parse_mode
from flowgraph.compile.compiler import CompiledFlow, compile_flow
from flowgraph.compile.deploy import deployment_sheet
from flowgraph.compile.partition import ENTRY_STEP
from flowgraph.diagnostics import FlowgraphError
from flowgraph.load import flow_from_data, load_flow
from flowgraph.model import Flow
from flowgraph.simulate.platform import (
    CallScript,
    Failover,
    Journey,
    PlatformEmulator,
    PortalSetup,
    TransportError,
)

_PLACEHOLDER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_ALL_UNANSWERED = 64


class CallError(FlowgraphError):
    """The call could not be set up (no sheet, unreachable server, bad arguments)."""


@dataclass(frozen=True)
class PortalDialplan:
    """One API Dialplan as the portal holds it: where and how the platform calls it."""

    url: str
    method: str
    template: dict[str, Any]
    header: str


def fill_template(template: Any, variables: dict[str, Any]) -> Any:
    """The portal's substitution: ``$name`` replaced by the call's value; unknown names stay
    literal (``"$last_dtmf"`` on a first request), as NOTES.md says the platform sends them.

    A value that is a list (the call's journey) replaces a template value that is only its
    placeholder as a real JSON array, the way NOTES.md shows ``$call_flow`` arriving; inside
    longer text it is pasted as JSON text.
    """
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole is not None and isinstance(variables.get(whole.group(1)), list):
            return list(variables[whole.group(1)])
        return _PLACEHOLDER.sub(lambda m: _text(variables.get(m.group(1), m.group(0))), template)
    if isinstance(template, dict):
        return {k: fill_template(v, variables) for k, v in template.items()}
    if isinstance(template, list):
        return [fill_template(v, variables) for v in template]
    return template


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def fresh_ids(now: float | None = None) -> tuple[str, str]:
    """A new call's ``(call_id, uuid)`` in the forms NOTES.md shows: ``call_id`` as epoch seconds
    with microseconds (``1775719461.306731``), ``uuid`` a short hex string (``5f1e2d3c``)."""
    return f"{time.time() if now is None else now:.6f}", secrets.token_hex(4)


class CallJourney:
    """The ``$call_flow`` the platform would send: the call's journey so far, one step object
    per request, growing as the call goes on.

    Its first step is the ``init`` step of the real samples in NOTES.md (``value`` the call id,
    ``time`` epoch seconds as a string). No sample shows the steps an API Dialplan hop adds, so
    each later request adds ``{"type": "api_dialplan", "value": <dialplan id>, "time": <epoch>}``
    (with ``dtmf`` when digits were collected): realistic in shape (mixed ``time`` types, as
    NOTES.md says), never relied on by the server.
    """

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []

    def advance(self, dialplan_id: str, variables: dict[str, str]) -> list[dict[str, Any]]:
        """The journey as this request carries it (the steps so far, this one included)."""
        now = time.time()
        if not self.steps:
            self.steps.append({"type": "init", "value": variables.get("call_id", ""), "time": str(int(now))})
        else:
            step: dict[str, Any] = {"type": "api_dialplan", "value": dialplan_id, "time": int(now)}
            if variables.get("last_dtmf"):
                step["dtmf"] = variables["last_dtmf"]
            self.steps.append(step)
        return [dict(s) for s in self.steps]


@dataclass(frozen=True)
class Portal:
    """What the portal holds for a published flow: its dialplans by the id ``api_dialplan`` names
    them with, and the emulator's setup (entry, served ids, failover destination, profile)."""

    mode: str
    dialplans: dict[str, PortalDialplan]
    setup: PortalSetup


def build_portal(compiled: CompiledFlow, base_url: str) -> Portal:
    """The portal configured from the flow's deployment sheet, URLs on ``base_url``.

    Ids are the ones the compiled flow sends: the portal ids pasted into the flow, else the step
    id (per-step) that stands in for a missing one. In single mode every id the flow sends
    names the one dialplan (the flow re-enters itself).
    """
    sheet = deployment_sheet(compiled, base_url)
    by_step: dict[str | None, PortalDialplan] = {}
    for d in sheet["dialplans"]:
        by_step[d["step"]] = PortalDialplan(
            url=d["url"],
            method=str(d["method"]).upper(),
            template=d["request_body"],
            header=d["header"]["name"],
        )
    if compiled.mode == "single":
        dialplans = {dialplan_id: by_step[None] for dialplan_id in compiled.dialplan_ids.values()}
    else:
        dialplans = {compiled.dialplan_ids[step]: d for step, d in by_step.items() if step is not None}
    dest = compiled.failover_destination
    setup = PortalSetup(
        entry=compiled.dialplan_ids[ENTRY_STEP],
        served=frozenset(dialplans),
        failover=(dest["type"], tuple(dest["data"])),
        profile=compiled.profile,
    )
    return Portal(compiled.mode, dialplans, setup)


class HttpTransport:
    """Makes each request of a call the way the portal would, over a shared httpx client."""

    def __init__(self, client: httpx.AsyncClient, dialplans: dict[str, PortalDialplan], secret: str):
        self.client = client
        self.dialplans = dialplans
        self.secret = secret
        self.journey = CallJourney()  # one transport per call (play_call)
        self.sent: list[Any] = []

    async def __call__(self, dialplan_id: str, variables: dict[str, str]) -> bytes:
        d = self.dialplans[dialplan_id]
        body = fill_template(
            d.template, {**variables, "call_flow": self.journey.advance(dialplan_id, variables)}
        )
        headers = {d.header: self.secret}
        self.sent.append(body)
        try:
            if d.method == "GET":
                query = {k: _text(v) for k, v in body.items()} if isinstance(body, dict) else body
                resp = await self.client.get(d.url, params=query, headers=headers)
            else:
                resp = await self.client.post(d.url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from None
        if resp.status_code != 200:
            raise TransportError(f"HTTP {resp.status_code}")
        return resp.content


async def play_call(
    client: httpx.AsyncClient, portal: Portal, secret: str, script: CallScript, sent: list[Any] | None = None
) -> Journey:
    """One call through ``portal``'s dialplans; the journey keeps every exchange. ``sent``, when
    given, receives each request body exactly as sent (``$call_flow`` filled in)."""
    transport = HttpTransport(client, portal.dialplans, secret)
    emulator = PlatformEmulator(transport, portal.setup)
    try:
        return await emulator.call(script)
    finally:
        if sent is not None:
            sent.extend(transport.sent)


def _api_get(base_url: str, path: str, token: str) -> tuple[str, Any]:
    url = f"{base_url.rstrip('/')}/api/{path}"
    try:
        resp = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    except httpx.HTTPError as exc:
        raise CallError(f"{url}: {exc}") from None
    if resp.status_code != 200:
        raise CallError(f"{url}: HTTP {resp.status_code}: {resp.text[:200]}")
    try:
        return url, resp.json()
    except ValueError:
        raise CallError(f"{url}: the answer is not JSON (is this a flowgraph server?)") from None


def published_flow(base_url: str, flow_id: str, token: str) -> Flow:
    """The live version of a flow, from the management API."""
    url, body = _api_get(base_url, f"flows/{flow_id}/published", token)
    if not isinstance(body, dict) or not isinstance(body.get("flow"), dict):
        raise CallError(f"{url}: the answer holds no flow document")
    return flow_from_data(body["flow"], source=url)


def flow_secret(base_url: str, flow_id: str, token: str) -> str:
    """The flow's shared secret, from its deployment sheet (the one place the server shows it)."""
    url, sheet = _api_get(base_url, f"flows/{flow_id}/deployment", token)
    try:
        return str(sheet["header"]["value"])
    except (KeyError, TypeError):
        raise CallError(f"{url}: the deployment sheet holds no secret header") from None


def with_mode(flow: Flow, mode: str | None) -> Flow:
    """``flow`` with its deployment mode set (unchanged when ``mode`` is None)."""
    if mode is None or mode == flow.settings.deployment.mode:
        return flow
    deployment = flow.settings.deployment.model_copy(update={"mode": mode})
    settings = flow.settings.model_copy(update={"deployment": deployment})
    return flow.model_copy(update={"settings": settings})


def parse_base_url(text: str) -> str:
    """An http(s) server base URL (argparse type): a clear usage error for anything else."""
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise argparse.ArgumentTypeError(f"not a valid URL ({exc}): {text!r}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise argparse.ArgumentTypeError(
            f"expected an http(s) URL such as http://127.0.0.1:8000, got {text!r}"
        )
    return text


def register(sub: Any) -> None:
    """Add the ``call`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "call",
        help="play the platform against a running server",
        description="Make one call's requests to a running flowgraph server, as the platform would.",
    )
    p.add_argument(
        "url", metavar="URL", type=parse_base_url, help="server base URL, e.g. http://127.0.0.1:8000"
    )
    p.add_argument("--flow", required=True, help="flow id on the server")
    p.add_argument("--caller", required=True, help="caller number, e.g. +919876543210")
    p.add_argument("--dialled", default="+919000000000", help="dialled (DID) number")
    p.add_argument("--dtmf", type=parse_dtmf, default=[], help="key presses per prompt: 1,-,2 ('-' = none)")
    p.add_argument("--mode", type=parse_mode, default=None, help="per-step or single (default: the flow's)")
    p.add_argument("--secret", help="the flow's shared secret (default: FLOWGRAPH_SECRET, or the sheet)")
    p.add_argument(
        "--token", help="admin token to fetch the deployment sheet (default: FLOWGRAPH_ADMIN_TOKEN)"
    )
    p.add_argument("--flow-file", help="build the deployment sheet from this flow file instead")
    p.add_argument("--no-answer", action="store_true", help="nobody answers any transfer")
    p.add_argument("--answers", type=parse_answers, default=None, help="per transfer: y/n list, e.g. n,y")
    p.add_argument(
        "--call-id", default=None, help="the call id the platform sends (default: a new one per call)"
    )
    p.add_argument("--uuid", default=None, help="the call's uuid (default: a new one per call)")
    p.add_argument("-v", "--verbose", action="store_true", help="also print each request and response")
    p.set_defaults(func=run)


def _flow(args: argparse.Namespace) -> Flow:
    if args.flow_file:
        flow = with_mode(load_flow(args.flow_file), args.mode)
        if flow.id != args.flow:
            raise CallError(f"{args.flow_file}: holds flow '{flow.id}', not '{args.flow}'")
        return flow
    token = args.token or os.environ.get("FLOWGRAPH_ADMIN_TOKEN")
    if not token:
        raise CallError("give --token (or FLOWGRAPH_ADMIN_TOKEN) to fetch the published flow, or --flow-file")
    flow = published_flow(args.url, args.flow, token)
    live_mode = flow.settings.deployment.mode
    if args.mode and args.mode != live_mode:
        raise CallError(
            f"flow '{args.flow}' is published for {live_mode} mode: set settings.deployment.mode to "
            f"'{args.mode}' and publish it to call it in {args.mode} mode"
        )
    return flow


def run(args: argparse.Namespace) -> int:
    """Play the call and print its journey."""
    flow = _flow(args)
    secret = args.secret or os.environ.get("FLOWGRAPH_SECRET")
    token = args.token or os.environ.get("FLOWGRAPH_ADMIN_TOKEN")
    if not secret and token:
        secret = flow_secret(args.url, args.flow, token)
    if not secret:
        raise CallError("give the flow's shared secret with --secret or FLOWGRAPH_SECRET (or an admin token)")
    portal = build_portal(compile_flow(flow), args.url)
    answers = [False] * _ALL_UNANSWERED if args.no_answer else (args.answers or [])
    script = CallScript(caller=args.caller, dialled=args.dialled, presses=args.dtmf, answers=answers)
    call_id, uuid = fresh_ids()
    script.call_id = args.call_id or call_id
    script.uuid = args.uuid or uuid

    sent: list[Any] = []

    async def go() -> Journey:
        async with httpx.AsyncClient(timeout=10) as client:
            return await play_call(client, portal, secret, script, sent)

    journey = asyncio.run(go())
    print(
        f"call to flow '{args.flow}' at {args.url} ({portal.mode} mode) from {args.caller} "
        f"(call_id {script.call_id}, uuid {script.uuid})"
    )
    for i, line in enumerate(journey.describe(), 1):
        print(f"  {i}. {line}")
    if args.verbose:
        for i, (ex, body) in enumerate(zip(journey.exchanges, sent, strict=False), 1):
            print(f"  request {i} to dialplan {ex.dialplan_id}: {json.dumps(body)}")
            print(f"    response: {ex.response.decode('utf-8', 'replace')}")
    return 1 if any(isinstance(e, Failover) for e in journey.events) else 0


if __name__ == "__main__":  # pragma: no cover
    from flowgraph.cli import main

    sys.exit(main(["call", *sys.argv[1:]]))
