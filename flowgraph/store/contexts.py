"""Where the server keeps per-call contexts (:mod:`flowgraph.runtime.context`): three backends.

- :class:`WriteBehindContexts` (one process; the default on SQLite): contexts live in memory,
  so a request never waits on a database transaction. A background thread writes what changed
  to the ``call_contexts`` table in batches every ``interval_s``; on start the unexpired rows
  are loaded back, so a restart keeps calls that are between requests. A ``kill -9`` can lose at
  most the changes of the last ``interval_s`` (plus a batch being written).
- :class:`SqlContexts` (several processes sharing PostgreSQL without Redis; the default there):
  every read and write goes to the database, so every process sees every call. Correct, but a
  database round trip per request: add Redis for speed.
- :class:`RedisContexts` (``FLOWGRAPH_REDIS_URL``): shared by every process, cheaply. A broken
  pooled connection (Redis restarted) is retried once; a frozen Redis is cut off by the answer
  deadline, and readiness reports it.

:func:`make_context_store` picks one from the settings (``FLOWGRAPH_CONTEXT_STORE``).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import threading
import time
from typing import Any

from sqlalchemy import Column, Float, Index, LargeBinary, MetaData, String, Table, delete, select
from sqlalchemy.engine import Engine

from flowgraph.diagnostics import FlowgraphError
from flowgraph.runtime.context import DEFAULT_TTL_S, CallContext, ContextStore, MemoryContexts
from flowgraph.store.db import metadata as shared_metadata

log = logging.getLogger("flowgraph.contexts")

#: How often the write-behind thread writes what changed (seconds): the most a kill -9 loses.
WRITE_BEHIND_S = 0.1
#: The most context changes one write-behind transaction carries.
WRITE_BATCH = 2000


class ContextStoreError(FlowgraphError):
    """The context store setting cannot work with this database (raised at start)."""


def define_table(metadata: MetaData) -> Table:
    """The ``call_contexts`` table on ``metadata`` (idempotent: returns the existing one)."""
    if "call_contexts" in metadata.tables:
        return metadata.tables["call_contexts"]
    return Table(
        "call_contexts",
        metadata,
        Column("flow_id", String(64), primary_key=True),
        Column("call_key", String(220), primary_key=True),
        Column("data", LargeBinary, nullable=False),
        Column("expires_at", Float, nullable=False),
        Index("ix_call_contexts_expires", "expires_at"),
    )


#: The table on the shared metadata (created by ``store.db.create_all``).
CALL_CONTEXTS = define_table(shared_metadata)


def _write(engine: Engine, table: Table, changes: dict[tuple[str, str], CallContext | None]) -> None:
    """Apply ``changes`` (None: delete) in one transaction: an upsert for the live ones (most are
    new calls: no delete first), a delete per flow for the ended ones."""
    rows = [
        {"flow_id": f, "call_key": k, "data": c.to_bytes(), "expires_at": c.expires_at}
        for (f, k), c in changes.items()
        if c is not None
    ]
    gone: dict[str, list[str]] = {}
    for (flow_id, key), context in changes.items():
        if context is None:
            gone.setdefault(flow_id, []).append(key)
    with engine.begin() as conn:
        for flow_id, keys in gone.items():
            for i in range(0, len(keys), 500):
                conn.execute(
                    delete(table).where(table.c.flow_id == flow_id, table.c.call_key.in_(keys[i : i + 500]))
                )
        if rows:
            conn.execute(_upsert(engine, table), rows)


def _upsert(engine: Engine, table: Table) -> Any:
    """INSERT … ON CONFLICT (flow_id, call_key) DO UPDATE, on SQLite and PostgreSQL alike."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect: Any = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.flow_id, table.c.call_key],
        set_={"data": stmt.excluded.data, "expires_at": stmt.excluded.expires_at},
    )


class WriteBehindContexts(MemoryContexts):
    """In memory on the hot path; written behind to SQL in batches; reloaded on start."""

    def __init__(self, engine: Engine, ttl_s: float = DEFAULT_TTL_S, interval_s: float = WRITE_BEHIND_S):
        super().__init__(ttl_s)
        self.engine = engine
        self.table = CALL_CONTEXTS
        self.interval_s = interval_s
        self._dirty: dict[tuple[str, str], CallContext | None] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        #: The last write-behind failure (a detail for /healthz), None after a good write.
        self.write_error: str | None = None
        self.loaded = 0

    async def start(self) -> None:
        if self._thread is not None:
            return
        await asyncio.to_thread(self._load)
        self._thread = threading.Thread(target=self._run, name="flowgraph-contexts", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        t = self.table
        keep_after = time.time() - (self.remember_s - self.ttl_s)
        with self.engine.begin() as conn:
            conn.execute(delete(t).where(t.c.expires_at < keep_after))
            rows = conn.execute(select(t.c.flow_id, t.c.call_key, t.c.data)).all()
        for row in rows:
            try:
                self.items[(row.flow_id, row.call_key)] = CallContext.from_bytes(row.data)
            except (ValueError, KeyError, TypeError):
                log.warning("skipping an unreadable call context for flow %s", row.flow_id)
        self.loaded = len(self.items)

    def set_now(self, flow_id: str, key: str, context: CallContext | None) -> None:
        super().set_now(flow_id, key, context)
        with self._lock:
            self._dirty[(flow_id, key)] = context

    def pending(self) -> int:
        """Changes not yet written."""
        with self._lock:
            return len(self._dirty)

    def _take(self) -> dict[tuple[str, str], CallContext | None]:
        with self._lock:
            if len(self._dirty) <= WRITE_BATCH:
                batch, self._dirty = self._dirty, {}
                return batch
            keys = list(self._dirty)[:WRITE_BATCH]
            return {k: self._dirty.pop(k) for k in keys}

    def _give_back(self, batch: dict[tuple[str, str], CallContext | None]) -> None:
        with self._lock:
            for k, v in batch.items():
                self._dirty.setdefault(k, v)  # a newer change made meanwhile wins

    def flush(self) -> bool:
        """Write every pending change now; False when the database refused (they stay pending)."""
        while True:
            batch = self._take()
            if not batch:
                return True
            try:
                _write(self.engine, self.table, batch)
                self.write_error = None
            except Exception as exc:
                self._give_back(batch)
                if self.write_error is None:
                    log.warning("writing call contexts failed (kept in memory, retrying): %s", exc)
                self.write_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                return False

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(self.interval_s)
            self._wake.clear()
            if not self.flush():
                time.sleep(self.interval_s)  # the database is down: don't spin

    async def close(self) -> None:
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 5.0)
            self._thread = None
        await asyncio.to_thread(self.flush)


class SqlContexts(ContextStore):
    """Every read and write in the SQL database (several processes without Redis)."""

    def __init__(self, engine: Engine, ttl_s: float = DEFAULT_TTL_S):
        self.engine = engine
        self.ttl_s = ttl_s
        self.table = CALL_CONTEXTS
        self._writes = 0

    async def get(self, flow_id: str, key: str) -> CallContext | None:
        return await asyncio.to_thread(self._get, flow_id, key)

    async def put(self, flow_id: str, key: str, context: CallContext) -> None:
        await asyncio.to_thread(self._set, flow_id, key, self.stamped(context))

    async def delete(self, flow_id: str, key: str) -> None:
        await asyncio.to_thread(self._set, flow_id, key, None)

    def _get(self, flow_id: str, key: str) -> CallContext | None:
        t = self.table
        query = select(t.c.data).where(t.c.flow_id == flow_id, t.c.call_key == key)
        with self.engine.connect() as conn:
            raw = conn.execute(query).scalar()
        return CallContext.from_bytes(raw) if raw is not None else None

    def _set(self, flow_id: str, key: str, context: CallContext | None) -> None:
        _write(self.engine, self.table, {(flow_id, key): context})
        self._writes += 1
        if self._writes % 500 == 0:
            cutoff = time.time() - (self.remember_s - self.ttl_s)
            with self.engine.begin() as conn:
                conn.execute(delete(self.table).where(self.table.c.expires_at < cutoff))


class RedisContexts(ContextStore):
    """Contexts in Redis (``SET key value EX remember_s``), shared by every server process."""

    def __init__(self, url: str, ttl_s: float = DEFAULT_TTL_S, prefix: str = "flowgraph:ctx:"):
        import redis.asyncio as aioredis  # imported here: only needed when Redis is configured
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
        from redis.exceptions import ConnectionError as RedisConnectionError

        # One retry, and only for a broken connection (a pooled socket Redis closed when it
        # restarted); a frozen Redis is cut off by the answer deadline, not by retries.
        self.client: Any = aioredis.Redis.from_url(
            url,
            socket_connect_timeout=1.0,
            socket_timeout=2.0,
            retry=Retry(NoBackoff(), 1),
            retry_on_error=[RedisConnectionError],
        )
        self.url = url
        self.ttl_s = ttl_s
        self.prefix = prefix
        self._problem: str | None = None

    def _key(self, flow_id: str, key: str) -> str:
        return f"{self.prefix}{flow_id}:{key}"

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        # The command runs in its own task behind a shield: when the answer deadline cancels the
        # caller, the answer goes out at once, while redis-py cleans up the broken connection
        # (which can itself wait on a frozen server) in the background.
        task = asyncio.ensure_future(getattr(self.client, method)(*args, **kwargs))
        task.add_done_callback(self._settled)
        try:
            result = await asyncio.shield(task)
        except BaseException as exc:
            # Cancelled by the answer deadline counts too: Redis did not answer in time.
            self._problem = f"redis {method} failed: {type(exc).__name__}"
            raise
        self._problem = None
        return result

    def _settled(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._problem = f"redis failed: {type(task.exception()).__name__}"

    async def get(self, flow_id: str, key: str) -> CallContext | None:
        raw = await self._call("get", self._key(flow_id, key))
        return CallContext.from_bytes(raw) if raw is not None else None

    async def put(self, flow_id: str, key: str, context: CallContext) -> None:
        value = self.stamped(context).to_bytes()
        await self._call("set", self._key(flow_id, key), value, ex=max(1, int(self.remember_s)))

    async def delete(self, flow_id: str, key: str) -> None:
        await self._call("delete", self._key(flow_id, key))

    async def probe(self, timeout_s: float) -> None:
        """PING Redis (readiness); records the outcome for :meth:`problem`."""
        try:
            async with asyncio.timeout(timeout_s):
                await self._call("ping")
        except Exception:  # the outcome is recorded by _call
            if self._problem is None:
                self._problem = "redis ping timed out"

    def problem(self) -> str | None:
        return self._problem

    async def close(self) -> None:
        await self.client.aclose()


#: Lock files this process holds, by database path (kept open for the life of the process).
_HELD: dict[str, int] = {}


def _hold_sqlite_lock(engine: Engine) -> None:
    """Refuse a second server process on the same SQLite file: with ``memory`` contexts each
    process would see only its own calls (a call whose requests alternate would fail over). The
    lock is an OS file lock beside the database, released when the process ends however it ends."""
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database or ""
    if not database or database == ":memory:":
        return
    path = os.path.abspath(database) + ".contexts.lock"
    if path in _HELD:
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ContextStoreError(
            f"another flowgraph server already serves {database}: with SQLite, call contexts live in "
            "one process's memory; run one process, or share PostgreSQL (context_store 'database') "
            "or Redis (FLOWGRAPH_REDIS_URL) between several"
        ) from None
    _HELD[path] = fd


def make_context_store(engine: Engine, kind: str, redis_url: str | None, ttl_s: float) -> ContextStore:
    """The context store for ``kind`` (``auto``, ``memory``, ``database`` or ``redis``).

    ``auto``: Redis when a URL is set; in memory (written behind) on SQLite, which serves one
    process; the database itself on PostgreSQL, which several processes may share.
    """
    if kind == "auto":
        sqlite = engine.dialect.name == "sqlite"
        kind = "redis" if redis_url else ("memory" if sqlite else "database")
    if kind == "redis":
        if not redis_url:
            raise ContextStoreError("context_store 'redis' needs FLOWGRAPH_REDIS_URL")
        return RedisContexts(redis_url, ttl_s)
    if kind == "database":
        return SqlContexts(engine, ttl_s)
    if kind == "memory":
        _hold_sqlite_lock(engine)
        return WriteBehindContexts(engine, ttl_s)
    raise ContextStoreError(f"unknown context_store {kind!r}: use auto, memory, database or redis")
