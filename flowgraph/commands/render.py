"""``flowgraph render FLOW -o OUT.{svg,png,pdf}``: draw a flow (steps, diagnostics, traffic).

The format comes from the output file's extension unless ``--format`` says otherwise; without
``-o`` the picture goes to stdout. ``--traffic CALLS.json`` overlays call counts from a list of
call-log records or a stats document (``--since 24h`` keeps recent records only, ``--version
HASH`` the records of one flow version: the ``version`` the server records, or a prefix of it).
Counts are of calls and visits, not requests (see :mod:`flowgraph.pictures.traffic`). ``--label`` names
the drawn version in the title.
Exit 0 when the picture was written, 2 on unreadable input or a Graphviz failure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from flowgraph.diagnostics import FlowgraphError
from flowgraph.load import load_flow
from flowgraph.model import Flow
from flowgraph.pictures.render import FORMATS, default_diagnostics, render_flow
from flowgraph.pictures.traffic import Traffic
from flowgraph.pictures.windows import window_start


def register(sub: Any) -> None:
    """Add the ``render`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "render",
        help="draw a flow as SVG, PNG or PDF",
        description="Draw a call flow with Graphviz: steps as boxes, diagnostics, optional traffic.",
    )
    p.add_argument("flow", metavar="FLOW", help="flow file (.json, .yaml)")
    p.add_argument("-o", "--output", metavar="OUT", help="picture file (.svg, .png, .pdf); default stdout")
    p.add_argument(
        "--format", choices=FORMATS, help="picture format (default: from OUT's extension, else svg)"
    )
    p.add_argument("--no-diagnostics", action="store_true", help="do not mark errors and warnings")
    add_traffic_args(p)
    p.add_argument("--label", metavar="TEXT", help="version label for the title (e.g. a git tag)")
    p.set_defaults(func=run)


def picture_format(output: str | None, explicit: str | None) -> str:
    """The format to draw: ``--format``, else the output extension, else svg."""
    if explicit:
        return explicit
    if not output:
        return "svg"
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise FlowgraphError(f"{output}: cannot tell the format from '.{suffix}'; use --format svg|png|pdf")
    return suffix


def add_traffic_args(p: argparse.ArgumentParser) -> None:
    """``--traffic CALLS.json``, ``--since WINDOW`` and ``--version HASH`` (render and diff)."""
    p.add_argument("--traffic", metavar="CALLS.json", help="call records or stats JSON to overlay")
    p.add_argument("--since", metavar="WINDOW", help="with --traffic: only the last WINDOW (e.g. 24h, 7d)")
    p.add_argument(
        "--version",
        metavar="HASH",
        help="with --traffic: only calls served by this flow version (the call log's 'version', or a prefix)",
    )


def traffic_from_args(args: argparse.Namespace, flow: Flow) -> Traffic | None:
    """The call counts ``--traffic/--since/--version`` choose, with ``flow``'s node kinds."""
    if not args.traffic:
        if args.since or args.version:
            raise FlowgraphError(
                "--since and --version choose traffic records: give --traffic CALLS.json too"
            )
        return None
    return Traffic.from_file(
        args.traffic,
        since=window_start(args.since) if args.since else None,
        kinds={n.id: n.type for n in flow.nodes},
        version=args.version,
        window=args.since,
    )


def run(args: argparse.Namespace) -> int:
    """Render the flow and write the picture."""
    fmt = picture_format(args.output, args.format)
    flow = load_flow(args.flow)
    traffic = traffic_from_args(args, flow)
    diagnostics = [] if args.no_diagnostics else default_diagnostics(flow)
    data = render_flow(
        flow,
        fmt,
        diagnostics=diagnostics,
        show_diagnostics=not args.no_diagnostics,
        traffic=traffic,
        version_label=args.label,
    )
    if not args.output:
        sys.stdout.buffer.write(data)
        return 0
    try:
        Path(args.output).write_bytes(data)
    except OSError as exc:
        raise FlowgraphError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
    errors = sum(1 for d in diagnostics if d.is_error)
    shown = f"; {errors} error(s), {len(diagnostics) - errors} warning(s) marked" if diagnostics else ""
    print(f"wrote {args.output} ({fmt}, {len(data)} bytes{shown})")
    return 0
