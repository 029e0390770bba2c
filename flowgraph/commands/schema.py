"""``flowgraph schema``: print the flow format's JSON Schema (committed as docs/flow.schema.json)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from flowgraph.model import Flow


def flow_json_schema() -> dict[str, Any]:
    schema = Flow.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "flowgraph call flow"
    return schema


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("schema", help="print the flow format's JSON Schema")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(json.dumps(flow_json_schema(), indent=2, sort_keys=True))
    return 0
