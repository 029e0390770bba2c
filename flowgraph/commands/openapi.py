"""``flowgraph openapi``: print the server's OpenAPI schema (the editor's types are generated from it)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def openapi_schema() -> dict[str, Any]:
    """The management and platform API schema, built without touching any database."""
    from flowgraph.server.app import create_app
    from flowgraph.settings import ServerSettings

    # An in-memory database and a throwaway token: building the schema must not create files.
    app = create_app(ServerSettings(database_url="sqlite:///:memory:", admin_token="openapi"))
    return app.openapi()


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("openapi", help="print the server's OpenAPI schema (JSON)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(json.dumps(openapi_schema(), indent=2, sort_keys=True))
    return 0
