"""``flowgraph test FLOW... [--coverage] [--min-coverage N] [--junit FILE] [--generate]``.

Runs the scripted calls each flow keeps under ``tests`` through the compiled steps, the emitted
JSON and the platform emulator, like ``simulate``. Prints one line per failing test (expected vs
got) and a summary. ``--coverage`` lists the branches no test reaches; ``--min-coverage N``
fails below N percent. ``--junit FILE`` writes JUnit XML. ``--generate`` prints a starter suite
(one test per distinct way through the flow, expecting what it does today) as JSON for review;
``--write`` stores it in the flow file instead. ``--deadline-ms`` is the live answer deadline a
lookup the test says times out is measured against (default 1500, the server's default).

Exit codes: 0 every test passed (and coverage is enough), 1 a test failed, coverage is too low or
the flow has errors, 2 bad input (unreadable file, bad test data: every problem is listed, one a
line, each named by its test and field).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from flowgraph.commands.check import print_errors
from flowgraph.diagnostics import CompileError, FlowLoadError
from flowgraph.load import load_flow
from flowgraph.runtime.deadline import DEFAULT_DEADLINE_MS
from flowgraph.simulate.flowtests import (
    FlowTestError,
    TestResult,
    coverage,
    junit_xml,
    run_tests,
    starter_suite,
)


def register(sub: Any) -> None:
    """Add the ``test`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "test",
        help="run the scripted calls kept in each flow's 'tests'",
        description="Run each flow's tests (scripted calls with expected outcomes) like simulate.",
    )
    p.add_argument("flows", metavar="FLOW", nargs="+", help="flow files (.json, .yaml)")
    p.add_argument("--coverage", action="store_true", help="list the branches no test reaches")
    p.add_argument(
        "--min-coverage", type=float, default=None, metavar="N", help="fail below N%% branch coverage"
    )
    p.add_argument("--junit", type=Path, default=None, metavar="FILE", help="write JUnit XML here")
    p.add_argument("--generate", action="store_true", help="print a starter suite for review (JSON)")
    p.add_argument("--write", action="store_true", help="with --generate: store the suite in the flow file")
    p.add_argument(
        "--deadline-ms",
        type=float,
        default=DEFAULT_DEADLINE_MS,
        metavar="MS",
        help=f"the live answer deadline lookup timeouts are measured against (default {DEFAULT_DEADLINE_MS})",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.generate:
        return _generate(args)
    suites: dict[str, list[TestResult]] = {}
    worst = 0
    for name in args.flows:
        try:
            flow = load_flow(name)
            results = run_tests(flow, deadline_ms=args.deadline_ms)
        except CompileError as exc:
            print_errors(name, exc)
            worst = max(worst, 1)
            continue
        except (FlowLoadError, FlowTestError) as exc:
            _print_problems(name, exc)
            worst = 2
            continue
        suites[name] = results
        for r in results:
            if not r.passed:
                print(f"{name}: FAIL {r.name}: " + "; ".join(r.differences))
        notes = dict.fromkeys(n for r in results if r.journey is not None for n in r.journey.notes)
        for note in notes:  # once per flow: server tables read as empty
            print(f"{name}: note: {note}")
        passed = sum(r.passed for r in results)
        line = f"{name}: {passed} passed, {len(results) - passed} failed"
        cov = coverage(flow, [r.journey for r in results if r.journey is not None])
        if args.coverage or args.min_coverage is not None:
            line += f", branch coverage {cov.percent:.0f}% ({len(cov.covered)}/{len(cov.branches)})"
        print(line)
        if args.coverage:
            for node, branch in cov.missed:
                print(f"  not reached: {node} -> {branch}")
        if passed < len(results):
            worst = max(worst, 1)
        if args.min_coverage is not None and cov.percent < args.min_coverage:
            print(f"{name}: branch coverage {cov.percent:.0f}% is below --min-coverage {args.min_coverage:g}")
            worst = max(worst, 1)
    if args.junit is not None:
        args.junit.write_text(junit_xml(suites), encoding="utf-8")
        print(f"wrote {args.junit}")
    total = [r for results in suites.values() for r in results]
    failed = sum(not r.passed for r in total)
    print(f"{len(total) - failed} passed, {failed} failed")
    return worst


def _print_problems(name: str, exc: FlowLoadError | FlowTestError) -> None:
    """Every problem of an unreadable flow or of bad test data, one a line on stderr."""
    if isinstance(exc, FlowLoadError):
        lines = [f"{path}: {msg}" if path else msg for path, msg in exc.problems]
    else:
        lines = exc.problems
    for line in lines:
        print(f"flowgraph: {name}: {line}", file=sys.stderr)
    print(f"flowgraph: {name}: {len(lines)} problem(s); no test was run", file=sys.stderr)


def _generate(args: argparse.Namespace) -> int:
    for name in args.flows:
        flow = load_flow(name)
        suite = [t.model_dump(mode="json", exclude_none=True) for t in starter_suite(flow)]
        if not args.write:
            print(json.dumps(suite, indent=2, ensure_ascii=False))
            continue
        path = Path(name)
        if path.suffix.lower() not in {".json"}:
            print(f"flowgraph: {name}: --write stores JSON flow files only", file=sys.stderr)
            return 2
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["tests"] = suite
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{name}: wrote {len(suite)} tests (review their expectations)")
    return 0
