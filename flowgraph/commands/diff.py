"""``flowgraph diff OLD NEW [-o OUT.svg] [--format text|json] [--traffic CALLS.json]``.

Prints what changed between two flows (text, or one JSON object) and, with ``-o``, writes one
picture: added in green, removed as red ghosts, changed in amber with the changed fields. With
``--traffic`` (call-log records of OLD's calls, or a stats document; ``--since``/``--version``
choose records as in ``render``) each changed branch is labelled with the calls that took it and
drawn thicker the more did, and changed nodes are shaded by the calls that reached them.
Layout-only changes are not changes. Exit 0 whether or not the flows differ (it is a report, not
a check); 2 when a file cannot be read or drawn.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from flowgraph.commands.render import add_traffic_args, picture_format, traffic_from_args
from flowgraph.diagnostics import FlowgraphError
from flowgraph.load import load_flow
from flowgraph.pictures.diff import diff_flows, render_diff


def register(sub: Any) -> None:
    """Add the ``diff`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "diff",
        help="compare two versions of a flow",
        description="Compare two flow files on what they do (layout ignored); optionally draw it.",
    )
    p.add_argument("old", metavar="OLD", help="the earlier flow file")
    p.add_argument("new", metavar="NEW", help="the later flow file")
    p.add_argument("-o", "--output", metavar="OUT", help="also draw the changes (.svg, .png, .pdf)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="summary format")
    add_traffic_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the diff and optionally write its picture."""
    old, new = load_flow(args.old), load_flow(args.new)
    diff = diff_flows(old, new)
    traffic = traffic_from_args(args, old)
    if traffic is not None and not args.output:
        raise FlowgraphError("--traffic shades the picture: give -o OUT.svg too")
    if args.format == "json":
        print(json.dumps(diff.to_json(), ensure_ascii=False, sort_keys=True))
    else:
        print(diff.to_text(), end="")
    if args.output:
        fmt = picture_format(args.output, None)
        data = render_diff(old, new, fmt, old_label=args.old, new_label=args.new, traffic=traffic)
        try:
            Path(args.output).write_bytes(data)
        except OSError as exc:
            raise FlowgraphError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
        # As render does; with --format json on stderr, so stdout stays one JSON object.
        out = sys.stderr if args.format == "json" else sys.stdout
        print(f"wrote {args.output} ({fmt}, {len(data)} bytes)", file=out)
    return 0
