"""Command line: ``main(argv) -> exit code``. One module per subcommand in flowgraph/commands/.

Exit codes: 0 success, 1 the flow has errors (or the command's check failed), 2 usage or I/O.
Errors a user can cause print one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from flowgraph.diagnostics import FlowgraphError

#: Subcommand modules; each defines ``register(subparsers)`` which sets ``func(args) -> int``.
COMMAND_MODULES: tuple[str, ...] = (
    "flowgraph.commands.check",
    "flowgraph.commands.compile",
    "flowgraph.commands.simulate",
    "flowgraph.commands.test",
    "flowgraph.commands.impact",
    "flowgraph.commands.schema",
    "flowgraph.commands.specs",
    "flowgraph.commands.serve",
    "flowgraph.commands.openapi",
    "flowgraph.commands.render",
    "flowgraph.commands.diff",
    "flowgraph.commands.call",
    "flowgraph.commands.table",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowgraph",
        description="Draw, check, compile, picture and serve Smartflo API Dialplan call flows.",
    )
    parser.add_argument("--version", action="version", version="flowgraph 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except FlowgraphError as exc:
        print(f"flowgraph: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
