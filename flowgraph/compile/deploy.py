"""The deployment sheet: what to create in the Smartflo portal for a compiled flow.

Two modes (``settings.deployment.mode``):
- ``per_step``: one portal API Dialplan per step; the step is in the URL, so the server keeps no
  per-call state. The entry step's dialplan is assigned to the number (DID); every continuation
  step's dialplan id must be pasted back into ``settings.deployment.dialplan_ids[<step>]``.
- ``single``: one portal API Dialplan for the whole flow that re-enters itself, as in the platform
  document's three-step example; the server resumes each call from a per-call record. Its id goes
  into ``settings.deployment.dialplan_ids["flow"]``.

The sheet never holds the shared secret itself: the header value is a placeholder the user fills
from the server (``GET /api/flows/{id}/deployment`` shows it to an admin).
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any
from urllib.parse import urlsplit

from flowgraph.compile.compiler import CompiledFlow
from flowgraph.compile.partition import ENTRY_STEP

#: The placeholders the platform fills in (platform document, "Request Variables").
BASE_VARIABLES: tuple[str, ...] = ("uuid", "call_id", "call_to_number", "caller_id_number", "start_stamp")
SECRET_PLACEHOLDER = "<the flow's shared secret from the flowgraph server>"
MODES = ("per_step", "single")


def request_template(continuation: bool) -> dict[str, str]:
    """The JSON request body to paste into the portal; ``$last_dtmf`` only where digits arrive."""
    body = {name: f"${name}" for name in BASE_VARIABLES}
    if continuation:
        body["last_dtmf"] = "$last_dtmf"
    body["call_flow"] = "$call_flow"
    return body


def _entry(
    compiled: CompiledFlow, base_url: str, header: str, step: str | None, continuation: bool
) -> dict[str, Any]:
    flow = compiled.flow_id
    # The entry needs no step in its URL: the server starts calls there (issue 3 §2).
    path = f"/dialplan/{flow}" + (f"/{step}" if step and step != ENTRY_STEP else "")
    key = "flow" if step is None else step
    reached_by_api_dialplan = step is None or step != ENTRY_STEP
    known = compiled.dialplan_ids.get(step or ENTRY_STEP)
    body = request_template(continuation)
    return {
        "step": step,
        "name": f"flowgraph {flow}" + (f" {step}" if step else ""),
        "url": base_url + path,
        "method": "POST",
        "request_body": body,
        "request_body_text": json.dumps(body, indent=2),
        "header": {"name": header, "value": SECRET_PLACEHOLDER},
        "failover": compiled.failover_destination,
        "dialplan_id_key": key if reached_by_api_dialplan else None,
        "dialplan_id": known if known and known != (step or ENTRY_STEP) else None,
        "assign_to_number": step in (None, ENTRY_STEP),
        "depth": compiled.steps[step].depth if step else max(s.depth for s in compiled.steps.values()),
    }


def deployment_sheet(
    compiled: CompiledFlow, base_url: str, mode: str | None = None, secret_header: str | None = None
) -> dict[str, Any]:
    """What to create in the portal for ``compiled``, as a JSON-able dict.

    ``mode`` defaults to the flow's deployment mode; asking for the other mode describes it and
    notes that the flow's ``settings.deployment.mode`` must be changed to match before publishing.
    """
    chosen = mode or compiled.mode
    if chosen not in MODES:
        raise ValueError(f"deployment mode must be one of {', '.join(MODES)}, got {chosen!r}")
    base = base_url.rstrip("/")
    header = secret_header or compiled.secret_header
    if chosen == "single":
        continuation = len(compiled.steps) > 1
        dialplans = [_entry(compiled, base, header, None, continuation)]
    else:
        order = compiled.partition.order
        dialplans = [_entry(compiled, base, header, sid, sid != ENTRY_STEP) for sid in order]
    notes = []
    if chosen != compiled.mode:
        notes.append(
            f"the flow is compiled for '{compiled.mode}' mode: set settings.deployment.mode to "
            f"'{chosen}' and publish again before using this sheet"
        )
    missing = [d["dialplan_id_key"] for d in dialplans if d["dialplan_id_key"] and not d["dialplan_id"]]
    if missing:
        notes.append(
            "after creating the dialplans, paste their portal ids into settings.deployment.dialplan_ids "
            f"under: {', '.join(missing)}, then publish again so the flow sends them"
        )
    unreachable = unreachable_reason(base)
    return {
        "flow": compiled.flow_id,
        "version": compiled.version,
        "mode": chosen,
        "base_url": base,
        "dialplans": dialplans,
        "notes": notes,
        "warnings": [unreachable] if unreachable else [],
        "portal_steps": portal_steps(dialplans),
    }


def unreachable_reason(base_url: str) -> str:
    """Why the platform cannot call ``base_url`` (a loopback, private or unqualified host), or "".

    Smartflo calls the URL from the internet, so an address only this machine or this LAN knows
    never answers it (platform document: the API Dialplan URL is called by the platform).
    """
    host = (urlsplit(base_url).hostname or "").lower()
    if not host:
        return f"'{base_url}' has no host name the platform could call"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if (
            host == "localhost"
            or host.endswith((".localhost", ".local", ".lan", ".internal"))
            or "." not in host
        ):
            return (
                f"the URLs use '{host}', which the Smartflo platform cannot reach from the internet: "
                "set FLOWGRAPH_PUBLIC_URL to the server's public https address"
            )
        return ""
    if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified:
        return (
            f"the URLs use {host}, a {'loopback' if ip.is_loopback else 'private'} address the Smartflo "
            "platform cannot reach: set FLOWGRAPH_PUBLIC_URL to the server's public https address"
        )
    return ""


def portal_steps(dialplans: list[dict[str, Any]]) -> list[str]:
    """Numbered things to do in the portal, in order: create the continuations first (their ids
    are pasted back), then the entry, then assign the entry to the number and publish again."""
    ordered = sorted(dialplans, key=lambda d: d["assign_to_number"])  # continuations first
    out = []
    for d in ordered:
        what = f"Create an API Dialplan named '{d['name']}' with the URL, method, header, body and failover below"
        if d["dialplan_id_key"]:
            what += f"; copy the id the portal gives it into the field '{d['dialplan_id_key']}'"
        out.append(what)
    entry = next((d for d in dialplans if d["assign_to_number"]), None)
    if entry:
        out.append(f"Services > My Numbers > your number > Destination: the API Dialplan '{entry['name']}'")
    if any(d["dialplan_id_key"] for d in dialplans):
        out.append("Publish the flow again, so its answers name the portal ids you pasted")
    return out


def sheet_text(sheet: dict[str, Any]) -> str:
    """A plain-text rendering of a deployment sheet for the terminal."""
    lines = [
        f"Deployment sheet for flow '{sheet['flow']}' (version {sheet['version']}, mode {sheet['mode']})",
        "",
    ]
    for i, d in enumerate(sheet["dialplans"], 1):
        failover = d["failover"]
        lines += [
            f"{i}. API Dialplan '{d['name']}'"
            + (f"  [step {d['step']}, depth {d['depth']}]" if d["step"] else ""),
            f"   URL:            {d['url']}",
            f"   Request method: {d['method']}",
            f"   Header:         {d['header']['name']}: {d['header']['value']}",
            f"   Failover:       {failover['type']} {', '.join(failover['data'])}",
            "   Request body:",
            *("     " + line for line in d["request_body_text"].splitlines()),
        ]
        if d["assign_to_number"]:
            lines.append("   Then: Services > My Numbers > your number > Destination: this API Dialplan.")
        if d["dialplan_id_key"]:
            have = d["dialplan_id"] or "(not set yet)"
            lines.append(
                f"   Its portal id goes in settings.deployment.dialplan_ids['{d['dialplan_id_key']}']: {have}"
            )
        lines.append("")
    lines += [f"Note: {n}" for n in sheet["notes"]]
    return "\n".join(lines).rstrip() + "\n"
