"""Database engine and the shared SQLAlchemy ``metadata`` every store module defines its tables on.

SQLite (the default) runs in WAL mode with a busy timeout, so the management API's writes and
the hot path's call-log writes do not block each other's readers. PostgreSQL URLs are driven by
psycopg 3. The schema is created on start (:func:`create_all`), on either database.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from flowgraph.diagnostics import FlowgraphError

metadata = MetaData()

#: Store modules whose tables live on :data:`metadata`; imported (when present) before create_all.
TABLE_MODULES: tuple[str, ...] = (
    "flowgraph.store.flows",
    "flowgraph.store.calls",
    "flowgraph.store.sessions",
)

#: How long a SQLite writer waits for another writer's lock before failing (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 10_000


class DatabaseError(FlowgraphError):
    """The database URL is unusable or the database cannot be reached."""


def normalise_url(url: str) -> str:
    """Pick the psycopg 3 driver for bare ``postgresql://`` / ``postgres://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for a SQLite or PostgreSQL URL (SQLite: WAL, busy timeout, parent dir made)."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise DatabaseError(f"invalid database URL {url.split('@')[-1]!r}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, **kwargs)
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)
    raise DatabaseError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://"
    )


def _sqlite_engine(url: str, database: str | None, **kwargs: Any) -> Engine:
    memory = not database or database == ":memory:"
    if memory:
        # One shared connection, or every new connection would see its own empty database.
        kwargs.setdefault("poolclass", StaticPool)
    else:
        Path(database or "").parent.mkdir(parents=True, exist_ok=True)
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        # WAL + NORMAL is durable across process crashes (only an OS crash may lose the last commit).
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


def create_all(engine: Engine) -> None:
    """Create every table (flows, versions, call log, sessions) that does not exist yet."""
    for name in TABLE_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    try:
        metadata.create_all(engine)
    except Exception as exc:
        raise DatabaseError(f"cannot create the schema on {engine.url.render_as_string()}: {exc}") from exc


def ping(engine: Engine) -> None:
    """Run ``SELECT 1``; raises if the database cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
