"""Platform value rules (FG5xx): every value sent is one the platform accepts.

Ranges, defaults and the unconfirmed behaviours come from the flow's :class:`PlatformProfile`
(platform document "Recording"/"Transfer" sections and ``shared/platform/NOTES.md``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from flowgraph.checks.catalogue import diag
from flowgraph.checks.context import CheckContext
from flowgraph.compile.emit import MULTI_VALUE_TYPES, recording_url
from flowgraph.diagnostics import Diagnostic
from flowgraph.model import TEMPLATE_RE, Flow
from flowgraph.profile import COUNTRY_CODE, DEFAULT_RING_TYPE, NATIONAL_DIGITS, sendable_number
from flowgraph.runtime.deadline import DEFAULT_DEADLINE_MS, SEND_MARGIN_S

OPTION_RE = re.compile(r"^[0-9*#]+$")
HEX_RE = re.compile(r"^[0-9a-fA-F]+$")


#: 10 national digits of a number written for sending, else None (the profile's one rule).
normalise_number = sendable_number


def _templated(text: str) -> bool:
    return "{{" in text


# --- menus -------------------------------------------------------------------------------


def check_menus(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject DTMF settings outside the profile's ranges (FG501-FG503) and menu options the
    platform can never deliver (FG504 bad keys, FG505 longer than max length, FG507 repeated);
    warn when an option is a prefix of another (FG506): callers must wait for the timeout."""
    out: list[Diagnostic] = []
    prof = ctx.profile
    for node_id, node in ctx.nodes.items():
        if node.type != "menu":
            continue
        ranges = (
            ("retry", "FG501", (0, prof.dtmf_max_retry)),
            ("timeout_ms", "FG502", prof.dtmf_timeout_range_ms),
            ("max_length", "FG503", prof.dtmf_max_length_range),
        )
        for name, code, (low, high) in ranges:
            value = getattr(node, name)
            if value is not None and not low <= value <= high:
                out.append(
                    diag(
                        code,
                        f"{name} {value} is outside {low}..{high}",
                        nodes=(node_id,),
                        field=name,
                        evidence={"value": value, "range": [low, high]},
                        hint=f"use a value from {low} to {high} (platform profile)",
                    )
                )
        out.extend(_options(node, node.max_length or prof.dtmf_max_length))
        out.extend(_retry_window(flow, node, prof))
    return out


def _retry_window(flow: Flow, node: Any, prof: Any) -> list[Diagnostic]:
    """FG530: in single mode, a caller who presses nothing is answered again before the retry
    window ends, so the no-input request looks like the platform retrying the prompt's."""
    if flow.settings.deployment.mode != "single" or prof.retry_window_ms <= 0:
        return []
    timeout = node.timeout_ms if node.timeout_ms is not None else prof.dtmf_timeout_ms
    wait = timeout * (1 + (node.retry if node.retry is not None else prof.dtmf_retry))
    if wait > prof.retry_window_ms:
        return []
    return [
        diag(
            "FG530",
            f"a caller who presses nothing is heard from after {wait} ms, within the "
            f"{prof.retry_window_ms} ms retry window: that request is taken for a retry and the "
            "prompt plays again",
            nodes=(node.id,),
            field="timeout_ms",
            evidence={"wait_ms": wait, "retry_window_ms": prof.retry_window_ms},
            hint=f"raise timeout_ms above {prof.retry_window_ms}, or lower settings.profile.retry_window_ms",
        )
    ]


def _options(node: Any, max_length: int) -> list[Diagnostic]:
    out = []
    seen: set[str] = set()
    for i, option in enumerate(node.options):
        where: dict[str, Any] = {"nodes": (node.id,), "field": f"options[{i}]"}
        if option in seen:
            out.append(diag("FG507", f"option '{option}' is listed twice", hint="remove the copy", **where))
            continue
        seen.add(option)
        if not OPTION_RE.match(option):
            out.append(
                diag("FG504", f"option '{option}' is not keys 0-9, * or #", hint="use keypad keys", **where)
            )
        elif len(option) > 1 and option.endswith("#"):
            # One trailing # ends input and is dropped before matching (callvars.menu_keys).
            out.append(
                diag(
                    "FG526",
                    f"option '{option}' can never match: a trailing # ends input, so callers "
                    f"pressing {option} choose '{option[:-1]}'",
                    hint=f"write the option as '{option[:-1]}'",
                    **where,
                )
            )
        elif len(option) > max_length:
            out.append(
                diag(
                    "FG505",
                    f"option '{option}' has {len(option)} keys but the menu collects at most {max_length}",
                    evidence={"option": option, "max_length": max_length},
                    hint="shorten the option or raise the menu's max_length",
                    **where,
                )
            )
    for i, option in enumerate(node.options):
        longer = sorted({o for o in node.options if o != option and o.startswith(option)})
        if longer and option in seen:
            out.append(
                diag(
                    "FG506",
                    f"option '{option}' is a prefix of {', '.join(repr(o) for o in longer)}: "
                    "callers pressing it wait for the timeout",
                    nodes=(node.id,),
                    field=f"options[{i}]",
                    evidence={"option": option, "longer": longer},
                    hint="make options the same length, or tell callers to finish with #",
                )
            )
    return out


# --- transfers and destinations ----------------------------------------------------------


def check_transfers(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject transfer values the platform refuses: numbers that are not 10 digits (FG508),
    several targets for ivr/auto_attendant/department (FG509), unknown ring types (FG510), moh
    recordings not in the catalogue or not music-on-hold (FG512, FG513), and a wired no_answer
    while the profile's fall-through is off (FG519); warn on ring options that do nothing (FG511).
    The failover destination obeys the same target rules."""
    out: list[Diagnostic] = []
    for node_id, node in ctx.nodes.items():
        if node.type != "transfer":
            continue
        out.extend(number_targets(node.transfer, node.targets, (node_id,), "targets"))
        if node.transfer == "number":
            out.extend(_table_numbers(node, ctx))
        out.extend(_repeated_targets(node))
        out.extend(_ring_options(node, ctx))
        if node.moh is not None and not _templated(node.moh):
            out.extend(_moh(node, ctx))
        if "no_answer" in node.branches and not ctx.profile.transfer_fallthrough:
            out.append(
                diag(
                    "FG519",
                    "no_answer is wired but settings.profile.transfer_fallthrough is off",
                    nodes=(node_id,),
                    edges=((node_id, "no_answer"),),
                    field="branches.no_answer",
                    hint="remove the branch, or turn transfer_fallthrough on once your account "
                    "runs the next inner list after an unanswered transfer",
                    advice="Remove the 'no answer' wire, or tick 'Unanswered transfers continue' under "
                    "Flow settings > Platform assumptions once your account does so",
                )
            )
    failover = flow.settings.failover
    if failover is not None:
        out.extend(number_targets(failover.type, failover.data, (), "settings.failover.data"))
    return out


def _table_numbers(node: Any, ctx: CheckContext) -> list[Diagnostic]:
    """FG527: a number target rendered from a flow table's column, where some rows hold a value
    the one number rule refuses (each such caller would get the failover, ``bad_number``)."""
    return table_cells_refused(
        node, ctx, lambda value: sendable_number(value) is None, "FG527", "one national number", "bad_number"
    )


def table_cells_refused(
    node: Any, ctx: CheckContext, refused: Callable[[str], bool], code: str, what: str, reason: str
) -> list[Diagnostic]:
    """``code`` for each transfer target rendered from a flow table's column (``{{who.agent}}``)
    whose rows hold values ``refused`` says the platform cannot take (``what`` names the rule):
    each caller those rows match gets the failover (``reason``), never a guess."""
    out = []
    for i, target in enumerate(node.targets):
        match = TEMPLATE_RE.fullmatch(target.strip())
        owner, _, column = match.group(1).partition(".") if match else ("", "", "")
        lookup = ctx.nodes.get(owner)
        if not column or lookup is None or lookup.type != "lookup" or lookup.source.kind != "table":
            continue
        table = ctx.flow.tables.get(lookup.source.table)
        rows = table.rows.items() if table is not None else ()
        bad = sorted(k for k, row in rows if column in row and refused(str(row[column])))
        if bad:
            out.append(
                diag(
                    code,
                    f"table '{lookup.source.table}' column '{column}' holds {len(bad)} value(s) that are "
                    f"not {what} (rows {', '.join(repr(k) for k in bad[:5])})",
                    nodes=(node.id, owner),
                    field=f"targets[{i}]",
                    evidence={"table": lookup.source.table, "column": column, "rows": bad[:20]},
                    hint=f"fix those rows: callers they match get the failover ({reason}), never a guess",
                )
            )
    return out


def number_targets(kind: str, targets: list[str], nodes: tuple[str, ...], field: str) -> list[Diagnostic]:
    """FG509 for several targets where one is allowed; FG508 for numbers that are not national numbers."""
    out = []
    if len(targets) > 1 and kind not in MULTI_VALUE_TYPES:
        out.append(
            diag(
                "FG509",
                f"a {kind} transfer takes one target, not {len(targets)}",
                nodes=nodes,
                field=field,
                evidence={"targets": targets},
                hint="keep one target; only number and agent transfers ring several",
            )
        )
    if kind == "number":
        for i, target in enumerate(targets):
            if target.strip() and not _templated(target) and normalise_number(target) is None:
                out.append(
                    diag(
                        "FG508",
                        f"'{target}' is not a {NATIONAL_DIGITS}-digit national number",
                        nodes=nodes,
                        field=f"{field}[{i}]",
                        evidence={"value": target},
                        hint=f"write {NATIONAL_DIGITS} digits, optionally with +{COUNTRY_CODE} or {COUNTRY_CODE} in front "
                        "(e.g. 9876543210)",
                    )
                )
    return out


def _repeated_targets(node: Any) -> list[Diagnostic]:
    """FG524: a target the transfer already lists (numbers compared by the one number rule, so
    ``+91 98765-43210`` repeats ``9876543210``; templates and other ids as written)."""
    out = []
    first: dict[str, int] = {}
    for i, target in enumerate(node.targets):
        text = target.strip()
        same = (sendable_number(text) if node.transfer == "number" and not _templated(text) else None) or text
        if not text or same not in first:
            first.setdefault(same, i)
            continue
        out.append(
            diag(
                "FG524",
                f"target '{target}' is listed twice (also targets[{first[same]}])",
                nodes=(node.id,),
                field=f"targets[{i}]",
                evidence={"value": target, "first": first[same]},
                hint="remove the copy: the platform would ring the same phone again",
            )
        )
    return out


def _ring_options(node: Any, ctx: CheckContext) -> list[Diagnostic]:
    out = []
    if node.ring_type is not None and node.ring_type not in ctx.profile.ring_types:
        matches = difflib.get_close_matches(node.ring_type, ctx.profile.ring_types, n=1)
        out.append(
            diag(
                "FG510",
                f"ring_type '{node.ring_type}' is not one of {', '.join(ctx.profile.ring_types)}",
                nodes=(node.id,),
                field="ring_type",
                evidence={"allowed": ctx.profile.ring_types, "close_matches": matches},
                hint=f"did you mean '{matches[0]}'?"
                if matches
                else f"use {DEFAULT_RING_TYPE} (the platform default)",
            )
        )
    if node.transfer not in MULTI_VALUE_TYPES:
        for name in ("ring_type", "skip_active"):
            if getattr(node, name) is not None:
                out.append(
                    diag(
                        "FG511",
                        f"{name} has no effect on a {node.transfer} transfer",
                        nodes=(node.id,),
                        field=name,
                        hint=f"remove {name}; it only applies to number and agent transfers",
                    )
                )
    return out


def _moh(node: Any, ctx: CheckContext) -> list[Diagnostic]:
    catalogue = {r.id: r for r in ctx.flow.recordings}
    rec = catalogue.get(node.moh)
    if rec is None:
        matches = difflib.get_close_matches(node.moh, list(catalogue), n=1)
        return [
            diag(
                "FG512",
                f"moh '{node.moh}' is not a recording of the flow's catalogue",
                nodes=(node.id,),
                field="moh",
                evidence={"close_matches": matches},
                hint="add it to `recordings` with moh: true (the platform rejects other recordings)",
            )
        ]
    if not rec.moh:
        return [
            diag(
                "FG513",
                f"moh '{node.moh}' ({rec.name or 'unnamed'}) is not marked as music-on-hold",
                nodes=(node.id,),
                field="moh",
                hint="mark the recording as MOH in the portal and set moh: true in `recordings`",
            )
        ]
    return []


# --- recordings, URLs and dialplan ids ---------------------------------------------------


def check_recordings(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """Reject ``system`` recording ids missing from a non-empty catalogue (FG514) and URLs that
    are not http(s) (FG515: recordings and HTTP lookups); warn on non-hex dialplan ids (FG516)."""
    out: list[Diagnostic] = []
    known = {r.id for r in flow.recordings}
    for node_id, node in ctx.nodes.items():
        rec: Any = getattr(node, "recording", None)
        # An empty value is FG523's (checks/required.py); the rules here judge what is written.
        system = rec is not None and rec.type == "system" and rec.data.strip() and not _templated(rec.data)
        if system and known and rec.data not in known:
            matches = difflib.get_close_matches(rec.data, sorted(known), n=3)
            out.append(
                diag(
                    "FG514",
                    f"system recording '{rec.data}' is not in the flow's recordings",
                    nodes=(node_id,),
                    field="recording.data",
                    evidence={"close_matches": matches},
                    hint=f"did you mean {matches[0]!r}?" if matches else "add it to `recordings`",
                )
            )
        if rec is not None and rec.type == "url" and rec.data.strip():
            out.extend(_url(rec.data, node_id, "recording.data"))
        if node.type == "lookup" and node.source.kind == "http" and node.source.url.strip():
            out.extend(_url(node.source.url, node_id, "source.url"))
        if node.type == "dialplan" and node.dialplan_id.strip() and not _templated(node.dialplan_id):
            out.extend(_hex(node.dialplan_id, (node_id,), "dialplan_id"))
    for key, value in sorted(flow.settings.deployment.dialplan_ids.items()):
        out.extend(_hex(value, (), f"settings.deployment.dialplan_ids.{key}"))
    return out


def _url(url: str, node_id: str, field: str) -> list[Diagnostic]:
    head = url.split("{{")[0]
    if "{{" in url:
        # Only the text before the first variable is known now; it must still name the scheme.
        ok = head == "" or re.match(r"^https?://", head) is not None
    else:
        ok = recording_url(url) is not None  # what escaping cannot turn into a URL
    if ok:
        return []
    return [
        diag(
            "FG515",
            f"'{url}' is not an http:// or https:// URL",
            nodes=(node_id,),
            field=field,
            hint="give a full URL such as https://example.com/audio/welcome.wav",
        )
    ]


def _hex(value: str, nodes: tuple[str, ...], field: str) -> list[Diagnostic]:
    if HEX_RE.match(value):
        return []
    return [
        diag(
            "FG516",
            f"dialplan id '{value}' is not a hex string like the portal's (e.g. 66ab41c183715fc7da)",
            nodes=nodes,
            field=field,
            hint="copy the id from the portal's API Dialplan list",
        )
    ]


def check_lookup_time(flow: Flow, ctx: CheckContext) -> list[Diagnostic]:
    """FG531: HTTP lookups whose timeouts, alone or together in one request, reach the answer
    deadline. The live server then answers the flow's failover before the lookup gives up, so
    the lookup's ``error`` branch is never taken (flow tests model the same, simulate/flowtests.py)."""
    budget = DEFAULT_DEADLINE_MS - SEND_MARGIN_S * 1000
    out: list[Diagnostic] = []
    for step_id in ctx.partition.order:
        step = ctx.partition.steps[step_id]
        http = [
            ctx.nodes[n]
            for n in step.nodes
            if n in ctx.nodes and ctx.nodes[n].type == "lookup" and ctx.nodes[n].source.kind == "http"
        ]
        total = sum(node.source.timeout_ms for node in http)
        if not http or total < budget:
            continue
        ids = tuple(node.id for node in http)
        alone = len(http) == 1
        what = f"timeout_ms {total}" if alone else f"timeouts adding up to {total} ms in step '{step_id}'"
        out.append(
            diag(
                "FG531",
                f"{what} {'reaches' if alone else 'reach'} the {DEFAULT_DEADLINE_MS} ms answer deadline: a slow API gets the "
                "caller the failover, never the error branch",
                nodes=ids,
                field="source.timeout_ms",
                evidence={
                    "timeouts_ms": {node.id: node.source.timeout_ms for node in http},
                    "budget_ms": budget,
                },
                hint=f"keep the lookups of one request under {budget:g} ms in all (default "
                "FLOWGRAPH_ANSWER_DEADLINE_MS, less 20 ms for sending)",
            )
        )
    return out
