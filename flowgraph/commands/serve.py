"""``flowgraph serve``: run the server (uvicorn) for the platform and the management API.

Everything that can fail at start is tried before uvicorn runs, so each failure is one line on
stderr naming what to check, never a traceback: exit 2 for a bad setting or config file (fix the
configuration), exit 3 for the environment (database unreachable, port in use, a file that
cannot be written).
"""

from __future__ import annotations

import argparse
import errno
import logging
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from flowgraph.diagnostics import FlowgraphError

#: Exit codes (the CLI's 2 covers a bad configuration).
EXIT_CONFIG = 2
EXIT_ENVIRONMENT = 3


class StartupError(FlowgraphError):
    """The server cannot start here; the message says what to check."""


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="serve flows to the platform, the management API and the editor",
        description="Run the flowgraph server. Settings come from FLOWGRAPH_* environment variables "
        "and/or a config file; these flags override both. Exit 2: bad setting or config file; "
        "exit 3: database unreachable, port in use or a file that cannot be written.",
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
    from flowgraph.settings import load_settings

    settings = load_settings(
        host=args.host,
        port=args.port,
        database_url=args.db,
        config_file=args.config,
        log_level=args.log_level,
    )
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        sock = bind(settings.host, settings.port)
        try:
            prepare(settings)
        except BaseException:
            sock.close()
            raise
    except StartupError as exc:
        print(f"flowgraph: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    return _serve(settings, sock, args.seed_examples)


def prepare(settings: Any) -> None:
    """Reach the database, create the schema and the admin token, or raise :class:`StartupError`."""
    from flowgraph.settings import resolve_admin_token
    from flowgraph.store.db import DatabaseError, create_all, make_engine, ping, safe_url

    shown = safe_url(settings.database_url)
    try:
        engine = make_engine(settings.database_url)
    except DatabaseError:
        raise  # a malformed or unsupported URL: a configuration error (exit 2)
    except Exception as exc:
        raise StartupError(
            f"cannot open the database {shown}: {_first_line(exc)} -- check the path or URL "
            "(FLOWGRAPH_DATABASE_URL or --db) and that its directory can be created"
        ) from None
    try:
        ping(engine)
        create_all(engine)
    except Exception as exc:
        raise StartupError(
            f"cannot reach the database {shown}: {_first_line(exc)} -- check that it runs, the "
            "host, port, user, password and database name (FLOWGRAPH_DATABASE_URL or --db), and "
            "for SQLite that the directory is writable"
        ) from None
    finally:
        engine.dispose()
    try:
        resolve_admin_token(settings)
    except OSError as exc:
        raise StartupError(
            f"cannot write the admin token file {exc.filename}: {exc.strerror} -- set "
            "FLOWGRAPH_ADMIN_TOKEN or FLOWGRAPH_ADMIN_TOKEN_FILE to a writable place"
        ) from None


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a port in use is one clear line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"port {port} on {host} is already in use (another flowgraph serve?) -- stop it or "
                "choose another with --port / FLOWGRAPH_PORT"
            ) from None
        raise StartupError(
            f"cannot listen on {host}:{port}: {exc.strerror} -- check --host / FLOWGRAPH_HOST"
        ) from None
    sock.set_inheritable(True)
    return sock


def _serve(settings: Any, sock: socket.socket, seed: Path | None) -> int:
    import uvicorn

    from flowgraph.server import worker
    from flowgraph.server.app import create_app

    app = create_app(settings, seed_examples=seed)
    # The management worker process starts beside the server, not on the first publish.
    try:
        ready = worker.start()
    except Exception as exc:  # the worker starts again on first use
        logging.getLogger("flowgraph.server").warning("starting the worker failed: %s", exc)
    else:
        threading.Thread(target=_quietly(ready.result), name="flowgraph-worker-warm", daemon=True).start()
    config = uvicorn.Config(
        app, log_level=settings.log_level, timeout_graceful_shutdown=None, access_log=settings.access_log
    )
    server = _announcing_server()(config, serving_line(settings, sock))
    try:
        server.run(sockets=[sock])
    finally:
        # Ctrl+C or SIGTERM: end the worker process and close its queues before the interpreter
        # exits, so no "leaked semaphore objects" warning follows the shutdown.
        worker.shutdown(wait=True)
    # uvicorn leaves after a failed lifespan start without raising: say so in the exit code.
    return 0 if server.started else EXIT_ENVIRONMENT


def serving_line(settings: Any, sock: socket.socket) -> str:
    """Where to open the editor and how to sign in, said once the server is up (uvicorn's own
    "running on" line is not printed for a socket passed in)."""
    from flowgraph.settings import default_token_file

    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"  # listening everywhere: this machine's address opens it too
    shown = f"[{host}]" if ":" in host else host
    sign_in = (
        "FLOWGRAPH_ADMIN_TOKEN"
        if settings.admin_token_value()
        else f"the token in {default_token_file(settings)}"
    )
    return f"flowgraph: serving http://{shown}:{port}/ (editor and API) -- sign in with {sign_in}; Ctrl+C to stop"


def _announcing_server() -> type:
    import uvicorn

    class AnnouncingServer(uvicorn.Server):
        """uvicorn's server, saying :func:`serving_line` once startup (the lifespan) succeeded."""

        def __init__(self, config: Any, line: str):
            super().__init__(config)
            self.line = line

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                print(self.line, file=sys.stderr, flush=True)

    return AnnouncingServer


def _quietly(fn: Any) -> Any:
    def run() -> None:
        try:
            fn()
        except Exception as exc:  # the worker starts again on first use
            logging.getLogger("flowgraph.server").warning("starting the worker failed: %s", exc)

    return run


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
