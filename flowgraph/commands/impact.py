"""``flowgraph impact FLOW --db URL [--since 7d] [--json]``: replay recorded calls against a draft.

Reads the call log of the flow with ``FLOW``'s id from the server's database (the same URL as
``flowgraph serve --db``), replays each call of the window against the flow file, and prints how
many calls would now end differently, grouped by old -> new outcome, and the calls that could
not be replayed. Exit 0 after a report, 1 when the flow has errors, 2 for bad input (a database
that does not exist or cannot be reached is named in one line, and nothing is created).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from flowgraph.commands.check import print_errors
from flowgraph.diagnostics import CompileError
from flowgraph.load import flow_from_data, load_flow
from flowgraph.pictures.windows import window_start
from flowgraph.simulate.impact import impact
from flowgraph.store.calls import CallLog, iter_calls
from flowgraph.store.db import open_server_database
from flowgraph.store.flows import FlowStore
from flowgraph.store.tables import table_reader


def register(sub: Any) -> None:
    """Add the ``impact`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "impact",
        help="replay recorded calls against a flow file: who would be affected",
        description="Replay the calls recorded in the call log against FLOW and compare outcomes.",
    )
    p.add_argument("flow", metavar="FLOW", help="the draft flow file (.json, .yaml)")
    p.add_argument("--db", required=True, help="the server's database URL (e.g. sqlite:///flowgraph.db)")
    p.add_argument("--since", default="7d", help="trailing window of recorded calls (default 7d)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    flow = load_flow(args.flow)
    start = window_start(args.since)
    engine = open_server_database(args.db, "call_log")
    try:
        records = list(iter_calls(CallLog(engine), flow.id, since=start.timestamp()))
        published = FlowStore(engine).published(flow.id)
        live = flow_from_data(published.flow, f"{flow.id} (live)") if published and published.flow else None
        report = impact(flow, records, table_reader(engine), live).to_json()
    except CompileError as exc:
        return print_errors(args.flow, exc)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"of {report['replayed']} calls in the last {args.since}, {report['changed']} would now end differently"
    )
    for group in report["groups"]:
        print(
            f"  {group['calls']:>6}  {group['old']}  ->  {group['new']}"
            f"   e.g. {', '.join(e['call'] for e in group['examples'])}"
        )
    for skipped in report["not_replayed"]:
        print(f"  not replayed: {skipped['calls']} calls: {skipped['reason']}")
    return 0
