"""``flowgraph specs``: print the node-type specs as JSON (the editor's ``src/graph/specs.gen.ts``
is generated from it by ``npm run gen:specs``)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from flowgraph.model import WEEKDAYS
from flowgraph.specs import web_specs


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "specs", help="print the node-type specs (branches, templated fields, roles) as JSON"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(json.dumps({**web_specs(), "weekdays": list(WEEKDAYS)}, indent=2))
    return 0
