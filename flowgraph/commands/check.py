"""``flowgraph check FLOW [FLOW...] [--json] [--paths]``: diagnostics for each flow file.

Text output: one line per diagnostic, ``FLOW:node: CODE severity: message`` (``FLOW: CODE ...``
when no node is concerned), a summary on stderr. ``--json``: one line per file, a JSON list of
diagnostics each carrying ``file``; with ``--paths`` a second line per file,
``{"file": ..., "paths": report}``. Exit 0 without errors (warnings are fine), 1 with errors,
2 when a file cannot be read (its one-line error on stderr; other files are still checked).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from flowgraph.checks import check, path_report
from flowgraph.diagnostics import CompileError, Diagnostic, FlowLoadError
from flowgraph.load import load_flow


def register(sub: Any) -> None:
    """Add the ``check`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "check",
        help="check flows and print diagnostics",
        description="Check call flows; exit 0 when no errors, 1 with errors, 2 on unreadable files.",
    )
    p.add_argument("flows", nargs="+", metavar="FLOW", help="flow files (.json, .yaml)")
    p.add_argument("--json", action="store_true", help="print one JSON list of diagnostics per file")
    p.add_argument("--paths", action="store_true", help="also report how many paths end where")
    p.set_defaults(func=run)


def format_line(source: str, d: Diagnostic) -> str:
    """``FLOW:node: CODE severity: message`` (the first node when several are concerned)."""
    where = f"{source}:{d.nodes[0]}:" if d.nodes and d.nodes[0] else f"{source}:"
    field = f" [{d.field}]" if d.field else ""
    hint = f" (hint: {d.hint})" if d.hint else ""
    return f"{where} {d.code} {d.severity.value}: {d.message}{field}{hint}"


def print_errors(source: str, error: CompileError) -> int:
    """Print a flow's error diagnostics to stderr, one line each; returns exit code 1."""
    for d in error.diagnostics:
        if d.is_error:
            print(format_line(source, d), file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    """Check each file; report and return the exit code."""
    errors = warnings = unreadable = 0
    for source in args.flows:
        try:
            flow = load_flow(source)
        except FlowLoadError as exc:
            print(f"flowgraph: {exc}", file=sys.stderr)
            unreadable += 1
            continue
        diagnostics = check(flow)
        errors += sum(1 for d in diagnostics if d.is_error)
        warnings += sum(1 for d in diagnostics if not d.is_error)
        if args.json:
            print(json.dumps([{"file": source, **d.to_json()} for d in diagnostics], sort_keys=True))
            if args.paths:
                print(json.dumps({"file": source, "paths": path_report(flow).to_json()}, sort_keys=True))
            continue
        for d in diagnostics:
            print(format_line(source, d))
        if args.paths:
            print("\n".join(f"{source}: {line}" for line in path_report(flow).lines()))
    checked = len(args.flows) - unreadable
    summary = f"{errors} error(s), {warnings} warning(s) in {checked} file(s)"
    print(summary + (f"; {unreadable} file(s) could not be read" if unreadable else ""), file=sys.stderr)
    if unreadable:
        return 2
    return 1 if errors else 0
