"""``flowgraph serve``: run the server (uvicorn) for the platform and the management API."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from flowgraph.settings import load_settings


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="serve flows to the platform, the management API and the editor",
        description="Run the flowgraph server. Settings come from FLOWGRAPH_* environment variables "
        "and/or a config file; these flags override both.",
    )
    p.add_argument("--host", help="interface to listen on (default 127.0.0.1, FLOWGRAPH_HOST)")
    p.add_argument("--port", type=int, help="port (default 8000, FLOWGRAPH_PORT)")
    p.add_argument("--db", metavar="URL", help="database URL (default sqlite:///./flowgraph.db)")
    p.add_argument("--config", metavar="FILE", type=Path, help="TOML, JSON or YAML settings file")
    p.add_argument("--log-level", choices=["debug", "info", "warning", "error", "critical"])
    p.add_argument(
        "--seed-examples",
        metavar="DIR",
        type=Path,
        help="on first start (no flows stored yet) store and publish DIR/*.json",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from flowgraph.server.app import create_app

    settings = load_settings(
        host=args.host,
        port=args.port,
        database_url=args.db,
        config_file=args.config,
        log_level=args.log_level,
    )
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    app = create_app(settings, seed_examples=args.seed_examples)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level)
    return 0
