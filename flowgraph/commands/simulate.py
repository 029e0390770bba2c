"""``flowgraph simulate FLOW --caller N [--dtmf 1,-,2] [--at TIME] ...``: one scripted call.

The call runs through the compiled steps, the exact JSON the server would send and the platform
emulator (no network). Text output: what the caller hears and presses and where the call ends;
a note for each server table the call read (offline, server tables are empty: the note says
so); ``--verbose`` adds each request and response; ``--json`` prints one JSON document with the
journey and every exchange. Exit 0 after a simulated call, 1 when the flow has errors (printed
like ``flowgraph check``), 2 for usage errors, unreadable files or an incomplete script.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

import orjson

from flowgraph.commands.check import print_errors
from flowgraph.diagnostics import CompileError
from flowgraph.load import load_flow
from flowgraph.simulate.interpret import CallScript, Journey, LookupOutcome, local_start
from flowgraph.simulate.simulator import simulate

#: Enough "not answered" for any call (each transfer takes one answer).
_ALL_UNANSWERED = 64


def register(sub: Any) -> None:
    """Add the ``simulate`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "simulate",
        help="simulate one call through the compiled flow",
        description="Run one scripted call through the compiled flow and the emitted platform JSON.",
    )
    p.add_argument("flow", metavar="FLOW", help="flow file (.json, .yaml)")
    p.add_argument("--caller", required=True, help="caller number, e.g. +919876543210")
    p.add_argument("--dialled", default="+919000000000", help="dialled (DID) number")
    p.add_argument(
        "--dtmf",
        type=parse_dtmf,
        default=[],
        help="key presses per prompt, comma-separated; '-' or an empty item = no input (1,-,2)",
    )
    p.add_argument("--at", type=parse_time, default=None, help="call start, 'YYYY-MM-DD HH:MM' (flow's zone)")
    p.add_argument("--no-answer", action="store_true", help="nobody answers any transfer")
    p.add_argument("--answers", type=parse_answers, default=None, help="per transfer: y/n list, e.g. n,y")
    p.add_argument(
        "--lookup",
        action="append",
        type=parse_lookup,
        default=[],
        metavar="NODE=OUTCOME",
        help="HTTP lookup outcome: NODE=found:col=val,col2=val2 | NODE=not_found | NODE=error",
    )
    p.add_argument("--mode", type=parse_mode, default=None, help="per_step or single (default: the flow's)")
    p.add_argument("--json", action="store_true", help="print the journey and exchanges as JSON")
    p.add_argument("-v", "--verbose", action="store_true", help="also print each request and response")
    p.set_defaults(func=run)


def parse_dtmf(text: str) -> list[str | None]:
    """``1,-,2`` -> ``["1", None, "2"]``; an empty item is no input too."""
    if not text:
        return []
    presses: list[str | None] = []
    for item in text.split(","):
        item = item.strip()
        if item in ("", "-"):
            presses.append(None)
        elif all(ch in "0123456789*#" for ch in item):
            presses.append(item)
        else:
            raise argparse.ArgumentTypeError(f"key presses are 0-9, * and #; got {item!r}")
    return presses


def parse_time(text: str) -> datetime:
    """``2026-11-26 10:00`` (or any ISO 8601 form, with or without an offset)."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a time like '2026-11-26 10:00', got {text!r}") from None


def parse_answers(text: str) -> list[bool]:
    """``y,n`` -> ``[True, False]``."""
    words = {"y": True, "yes": True, "1": True, "n": False, "no": False, "0": False}
    out = []
    for item in text.split(","):
        if item.strip().lower() not in words:
            raise argparse.ArgumentTypeError(f"answers are y or n, got {item!r}")
        out.append(words[item.strip().lower()])
    return out


def parse_lookup(text: str) -> tuple[str, LookupOutcome]:
    """``node=found:a=1,b=2`` / ``node=not_found`` / ``node=error``."""
    node, sep, outcome = text.partition("=")
    if not sep or not node.strip():
        raise argparse.ArgumentTypeError(f"expected NODE=OUTCOME, got {text!r}")
    outcome = outcome.strip()
    if outcome in ("not_found", "error"):
        return node.strip(), outcome  # type: ignore[return-value]
    kind, _, columns = outcome.partition(":")
    if kind != "found":
        raise argparse.ArgumentTypeError(
            f"outcome is found:col=val,... or not_found or error, got {outcome!r}"
        )
    row: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in columns.split(","))):
        col, eq, val = pair.partition("=")
        if not eq or not col:
            raise argparse.ArgumentTypeError(f"expected column=value in {text!r}, got {pair!r}")
        row[col.strip()] = val.strip()
    return node.strip(), row


def parse_mode(text: str) -> str:
    """``per_step`` (also ``per-step``) or ``single``."""
    mode = text.replace("-", "_")
    if mode not in ("per_step", "single"):
        raise argparse.ArgumentTypeError(f"mode is per_step or single, got {text!r}")
    return mode


def run(args: argparse.Namespace) -> int:
    """Simulate the call and print it."""
    flow = load_flow(args.flow)
    answers = args.answers if args.answers is not None else []
    if args.no_answer:
        answers = [False] * _ALL_UNANSWERED
    script = CallScript(caller=args.caller, dialled=args.dialled, presses=args.dtmf, answers=answers)
    if args.at is not None:
        script.start = args.at
    script.lookups = dict(args.lookup)
    try:
        journey = simulate(flow, script, args.mode)
    except CompileError as exc:
        print_errors(args.flow, exc)
        print(f"flowgraph: {args.flow} has errors; fix them to simulate a call", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(journey_json(journey), indent=2, sort_keys=True))
        return 0
    start = local_start(script, flow.settings.profile).strftime("%Y-%m-%d %H:%M:%S %Z")
    mode = args.mode or flow.settings.deployment.mode
    print(f"{args.flow}: call from {script.caller} to {script.dialled} at {start} ({mode} mode)")
    print("\n".join(text_lines(journey, args.verbose)))
    return 0


def journey_json(journey: Journey) -> dict[str, Any]:
    """The journey plus each exchange, the response parsed back to JSON where it is valid."""
    out = journey.to_json()
    out["describe"] = journey.describe()
    exchanges = []
    for ex in journey.exchanges:
        try:
            response: Any = orjson.loads(ex.response)
        except orjson.JSONDecodeError:
            response = ex.response.decode("utf-8", "replace")
        exchanges.append(
            {
                "dialplan_id": ex.dialplan_id,
                "step": ex.step,
                "request": ex.variables,
                "response": response,
                "response_bytes": ex.response.decode("utf-8", "replace"),
                "ran": ex.ran,
                "ended": ex.ended,
            }
        )
    out["exchanges"] = exchanges
    return out


def text_lines(journey: Journey, verbose: bool) -> list[str]:
    """Numbered journey lines, the path, and with ``verbose`` each request and response."""
    lines = [f"  {i}. {line}" for i, line in enumerate(journey.describe(), 1)]
    lines.append(f"  path: {' -> '.join(journey.path)}")
    lines += [f"  decided: {decision.describe()}" for decision in journey.decisions]
    lines += [f"  note: {note}" for note in journey.notes]
    if verbose:
        for i, ex in enumerate(journey.exchanges, 1):
            step = f" (step {ex.step})" if ex.step else ""
            lines.append(f"  request {i} to dialplan {ex.dialplan_id}{step}: {json.dumps(ex.variables)}")
            lines.append(f"    response: {ex.response.decode('utf-8', 'replace')}")
    return lines
