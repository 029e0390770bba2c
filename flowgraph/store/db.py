"""Database engine and the shared SQLAlchemy ``metadata`` every store module defines its tables on.

SQLite (the default) runs in WAL mode with a busy timeout, so the management API's writes and
the hot path's call-log writes do not block each other's readers. PostgreSQL URLs are driven by
psycopg 3. The schema is created on start (:func:`create_all`), on either database.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from flowgraph.diagnostics import FlowgraphError

metadata = MetaData()

#: Store modules whose tables live on :data:`metadata`; imported (when present) before create_all.
TABLE_MODULES: tuple[str, ...] = (
    "flowgraph.store.flows",
    "flowgraph.store.calls",
    "flowgraph.store.contexts",
    "flowgraph.store.tables",
)

#: How long a SQLite writer waits for another writer's lock before failing (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: How long connecting to PostgreSQL may take before it counts as unreachable (seconds).
PG_CONNECT_TIMEOUT_S = 5


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
        # pre-ping: a pooled connection the server dropped is replaced before use, not failed on.
        kwargs.setdefault("pool_pre_ping", True)
        # A server that does not answer fails the connect in seconds instead of hanging a thread.
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", PG_CONNECT_TIMEOUT_S)
        return create_engine(url, **kwargs)
    raise DatabaseError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://"
    )


def open_server_database(url: str, table: str) -> Engine:
    """An engine on a database a server already uses, for tools that only read it (``flowgraph
    impact --db``). Raises :class:`DatabaseError` with one line, instead of creating anything,
    for a SQLite file that does not exist, a database that cannot be reached, or one without
    ``table`` (not a flowgraph server's database)."""
    try:
        parsed = make_url(normalise_url(url))
    except Exception as exc:
        raise DatabaseError(f"invalid database URL {url.split('@')[-1]!r}: {exc}") from None
    shown = parsed.render_as_string(hide_password=True)
    where = "give the URL the server uses (flowgraph serve --db, FLOWGRAPH_DATABASE_URL)"
    database = parsed.database or ""
    if (
        parsed.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and not Path(database).is_file()
    ):
        raise DatabaseError(f"no database file {database}: {where}")
    engine = make_engine(url)
    try:
        found = inspect(engine).has_table(table)
    except Exception as exc:
        engine.dispose()
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise DatabaseError(f"cannot reach the database {shown}: {first}") from None
    if not found:
        engine.dispose()
        raise DatabaseError(f"{shown} has no {table} table: not a flowgraph server's database; {where}")
    return engine


def _sqlite_engine(url: str, database: str | None, **kwargs: Any) -> Engine:
    memory = not database or database == ":memory:"
    if memory:
        # One shared connection, or every new connection would see its own empty database.
        kwargs.setdefault("poolclass", StaticPool)
    else:
        _private_file(Path(database or ""))
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


def _private_file(path: Path) -> None:
    """Create the SQLite file mode 0600 (it holds every flow's platform secret) and any missing
    parent directory mode 0700; an existing file or directory is left as it is."""
    missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)
    if not path.exists():
        # O_EXCL with mode 0600: never readable by others, not even between create and chmod.
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def safe_url(url: str) -> str:
    """The database URL for messages: password replaced by ``***``."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def create_all(engine: Engine) -> None:
    """Create every table (flows, versions, call log, call contexts) that does not exist yet."""
    for name in TABLE_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    try:
        metadata.create_all(engine)
        _add_missing_columns(engine)
    except Exception as exc:
        raise DatabaseError(f"cannot create the schema on {engine.url!r}: {exc}") from exc


def _add_missing_columns(engine: Engine) -> None:
    """Add the nullable columns a newer flowgraph defines to tables an older one created
    (``create_all`` makes missing tables only), so an upgraded server keeps its database."""
    from sqlalchemy import inspect

    inspector = inspect(engine)
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable and not column.primary_key:
                kind = column.type.compile(dialect=engine.dialect)
                with engine.begin() as conn:
                    conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))


def ping(engine: Engine) -> None:
    """Run ``SELECT 1``; raises if the database cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
