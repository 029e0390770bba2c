"""Per-call records of single-dialplan mode: where each live call is in its flow.

In single-dialplan mode one portal dialplan re-enters itself (the platform document's three-step
example), so the request does not say which step of the flow the call has reached. The server
records the step a menu hands over to, keyed by the call (``call_id``, else ``uuid``), and
resumes from it on the call's next request. Records expire after a TTL (a call that hangs up
mid-menu never sends the request that would clear its record).

Two backends with one interface: the SQL database (default; fine for one process, or several
processes sharing PostgreSQL) and Redis (``FLOWGRAPH_REDIS_URL``), which several server
processes share cheaply. Per-step mode keeps no record at all.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Column, Float, Index, MetaData, String, Table, delete, select, update
from sqlalchemy.engine import Engine

from flowgraph.store.db import metadata as shared_metadata

#: How long a call record lives without being renewed (seconds). Calls rarely last 2 hours in
#: an IVR; an abandoned call's record then stops costing anything.
DEFAULT_TTL_S = 2 * 60 * 60

_PURGE_EVERY = 500  # puts between sweeps of expired SQL rows


@dataclass(frozen=True)
class CallRecord:
    """Where a call is: the step its next request runs, and the flow version that chose it."""

    step: str
    version: str


def define_table(metadata: MetaData) -> Table:
    """The ``call_sessions`` table on ``metadata`` (idempotent: returns the existing one)."""
    if "call_sessions" in metadata.tables:
        return metadata.tables["call_sessions"]
    return Table(
        "call_sessions",
        metadata,
        Column("flow_id", String(64), primary_key=True),
        Column("call_key", String(200), primary_key=True),
        Column("step", String(200), nullable=False),
        Column("version", String(64), nullable=False),
        Column("expires_at", Float, nullable=False),
        Index("ix_call_sessions_expires", "expires_at"),
    )


#: The table on the shared metadata (created by ``store.db.create_all``).
CALL_SESSIONS = define_table(shared_metadata)


class SessionStore(ABC):
    """Per-call records keyed by (flow id, call key); every method is safe to call concurrently."""

    @abstractmethod
    async def get(self, flow_id: str, call_key: str) -> CallRecord | None:
        """The call's record, or None when there is none (or it expired)."""

    @abstractmethod
    async def put(self, flow_id: str, call_key: str, record: CallRecord) -> None:
        """Create or replace the call's record and restart its TTL."""

    @abstractmethod
    async def delete(self, flow_id: str, call_key: str) -> None:
        """Forget the call (it ended, or fell to its failover)."""

    async def close(self) -> None:  # noqa: B027 - optional hook; SQL needs nothing
        """Release connections."""


class SqlSessionStore(SessionStore):
    """Records in the SQL database; blocking calls run in worker threads, off the event loop."""

    def __init__(self, engine: Engine, metadata: MetaData | None = None, ttl_s: float = DEFAULT_TTL_S):
        self.engine = engine
        self.ttl_s = ttl_s
        self.table = define_table(metadata) if metadata is not None else CALL_SESSIONS
        self.table.create(engine, checkfirst=True)
        self._puts = 0

    async def get(self, flow_id: str, call_key: str) -> CallRecord | None:
        return await asyncio.to_thread(self._get, flow_id, call_key)

    async def put(self, flow_id: str, call_key: str, record: CallRecord) -> None:
        await asyncio.to_thread(self._put, flow_id, call_key, record)

    async def delete(self, flow_id: str, call_key: str) -> None:
        await asyncio.to_thread(self._delete, flow_id, call_key)

    def _get(self, flow_id: str, call_key: str) -> CallRecord | None:
        t = self.table
        query = select(t.c.step, t.c.version, t.c.expires_at).where(
            t.c.flow_id == flow_id, t.c.call_key == call_key
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or row.expires_at < time.time():
            return None
        return CallRecord(step=row.step, version=row.version)

    def _put(self, flow_id: str, call_key: str, record: CallRecord) -> None:
        t = self.table
        values = {"step": record.step, "version": record.version, "expires_at": time.time() + self.ttl_s}
        where = (t.c.flow_id == flow_id, t.c.call_key == call_key)
        # Update-then-insert works on every dialect; one call's requests are sequential (the
        # platform waits for each answer), so two writers never race on one key.
        with self.engine.begin() as conn:
            if conn.execute(update(t).where(*where).values(**values)).rowcount == 0:
                conn.execute(t.insert().values(flow_id=flow_id, call_key=call_key, **values))
            self._puts += 1
            if self._puts % _PURGE_EVERY == 0:
                conn.execute(delete(t).where(t.c.expires_at < time.time()))

    def _delete(self, flow_id: str, call_key: str) -> None:
        t = self.table
        with self.engine.begin() as conn:
            conn.execute(delete(t).where(t.c.flow_id == flow_id, t.c.call_key == call_key))


class RedisSessionStore(SessionStore):
    """Records in Redis (``SET key value EX ttl``), shared by every server process."""

    def __init__(self, url: str, ttl_s: float = DEFAULT_TTL_S, prefix: str = "flowgraph:call:"):
        import redis.asyncio as aioredis  # imported here: only needed when Redis is configured

        self.client: Any = aioredis.Redis.from_url(url)
        self.ttl_s = int(ttl_s)
        self.prefix = prefix

    def _key(self, flow_id: str, call_key: str) -> str:
        return f"{self.prefix}{flow_id}:{call_key}"

    async def get(self, flow_id: str, call_key: str) -> CallRecord | None:
        raw = await self.client.get(self._key(flow_id, call_key))
        if raw is None:
            return None
        data = orjson.loads(raw)
        return CallRecord(step=str(data["step"]), version=str(data["version"]))

    async def put(self, flow_id: str, call_key: str, record: CallRecord) -> None:
        value = orjson.dumps({"step": record.step, "version": record.version})
        await self.client.set(self._key(flow_id, call_key), value, ex=self.ttl_s)

    async def delete(self, flow_id: str, call_key: str) -> None:
        await self.client.delete(self._key(flow_id, call_key))

    async def close(self) -> None:
        await self.client.aclose()


def make_session_store(
    engine: Engine, metadata: MetaData | None = None, redis_url: str | None = None
) -> SessionStore:
    """Redis when ``redis_url`` is set (several processes share calls), else the SQL database."""
    if redis_url:
        return RedisSessionStore(redis_url)
    return SqlSessionStore(engine, metadata)
