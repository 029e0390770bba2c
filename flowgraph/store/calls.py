"""The call log: one row per platform request, written in batches off the response path.

A record is the architecture's call-log record: ``{time, call_id, uuid, flow_id, version, step,
variables, response, latency_ms, failover_reason, trace, end}``, with ``trace`` a list of
``{"node", "branch"}`` and ``time`` epoch seconds (UTC). The hot path only appends to an
in-memory queue (:meth:`CallLogWriter.put`); a background thread inserts what has queued every
``interval_s`` or as soon as ``batch_size`` records wait, and :meth:`CallLogWriter.close`
flushes the rest on shutdown.

Queries for the management API (``/api/flows/{id}/calls`` and ``/stats``):
:func:`list_calls` (per flow, time window, paging), :func:`calls_for_call` (one call's journey),
:func:`iter_calls` (every record in a window, for traffic counts) and :func:`count_calls`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text, func, select
from sqlalchemy.engine import Engine, RowMapping

from flowgraph.store.db import metadata as shared_metadata

log = logging.getLogger("flowgraph.calls")

#: Columns of a call-log record, in the order the API shows them.
RECORD_FIELDS: tuple[str, ...] = (
    "id",
    "time",
    "call_id",
    "uuid",
    "flow_id",
    "version",
    "step",
    "variables",
    "response",
    "latency_ms",
    "failover_reason",
    "trace",
    "end",
)
MAX_PAGE = 1000


def define_table(metadata: MetaData) -> Table:
    """The ``call_log`` table on ``metadata`` (idempotent: returns the existing one)."""
    if "call_log" in metadata.tables:
        return metadata.tables["call_log"]
    return Table(
        "call_log",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("time", Float, nullable=False),
        Column("call_id", String(200), nullable=False, default=""),
        Column("uuid", String(200), nullable=False, default=""),
        Column("flow_id", String(64), nullable=False),
        Column("version", String(64), nullable=False, default=""),
        Column("step", String(200), nullable=False, default=""),
        # JSON stored as text encoded by orjson: several times cheaper than the JSON type's
        # json.dumps on the writer thread, and the same on every database.
        Column("variables", Text, nullable=False),
        Column("response", Text, nullable=False),
        Column("latency_ms", Float, nullable=False),
        Column("failover_reason", String(500), nullable=True),
        Column("trace", Text, nullable=False),
        Column("end", String(64), nullable=True),
        Index("ix_call_log_flow_time", "flow_id", "time"),
        Index("ix_call_log_call_id", "call_id"),
    )


#: The table on the shared metadata (created by ``store.db.create_all``).
CALL_LOG = define_table(shared_metadata)


class CallLog:
    """The call-log table bound to an engine: created on construction, queried by the functions below."""

    def __init__(self, engine: Engine, metadata: MetaData | None = None):
        self.engine = engine
        self.table = define_table(metadata) if metadata is not None else CALL_LOG
        self.table.create(engine, checkfirst=True)
        stmt = self.table.insert().values({name: None for name in _INSERT_FIELDS})
        self._insert_sql = str(stmt.compile(dialect=engine.dialect))

    def records(
        self,
        flow_id: str,
        *,
        call_id: str | None = None,
        since: datetime | float | None = None,
        until: datetime | float | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """A flow's records, newest first (the server's ``CallLogReader``; see :func:`list_calls`)."""
        return list_calls(
            self,
            flow_id,
            since=_epoch(since),
            until=_epoch(until),
            limit=limit,
            offset=offset,
            call_id=call_id,
        )

    def insert_many(self, records: list[dict[str, Any]]) -> None:
        """Insert records in one transaction: one driver-level executemany, no per-row ORM work."""
        if not records:
            return
        rows: list[Any] = [_values(r) for r in records]
        if self.engine.dialect.paramstyle not in ("qmark", "numeric", "format"):
            rows = [dict(zip(_INSERT_FIELDS, row, strict=True)) for row in rows]
        with self.engine.begin() as conn:
            conn.exec_driver_sql(self._insert_sql, rows)


_INSERT_FIELDS: tuple[str, ...] = RECORD_FIELDS[1:]


def _clip(value: Any, limit: int) -> str:
    # Clip what the platform (or a stranger) sent so one hostile request cannot bloat the log.
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return text[:limit] if len(text) > limit else text


def _values(r: dict[str, Any]) -> tuple[Any, ...]:
    """One record as the insert's parameters, in ``_INSERT_FIELDS`` order.

    The hot path queues its raw values (response bytes, trace as (node, branch) pairs);
    converting them here keeps that work off the response path. The trace is stored as pairs
    and read back as ``{"node", "branch"}`` objects.
    """
    response = r.get("response")
    if isinstance(response, bytes | bytearray):
        response = bytes(response).decode("utf-8", "replace")
    reason = r.get("failover_reason")
    return (
        r["time"],
        _clip(r.get("call_id"), 200),
        _clip(r.get("uuid"), 200),
        r["flow_id"],
        r.get("version") or "",
        _clip(r.get("step"), 200),
        orjson.dumps(r.get("variables") or {}, default=str).decode(),
        response or "",
        r.get("latency_ms", 0.0),
        None if reason is None else _clip(reason, 500),
        orjson.dumps(r.get("trace") or ()).decode(),
        r.get("end"),
    )


class CallLogWriter:
    """Batches call-log records in memory and inserts them from a background thread.

    ``put`` is a deque append (thread-safe, no lock, no I/O), so the response path never waits
    for the database. A failed insert is retried on the next flush; the queue is bounded so a
    database outage cannot exhaust memory (the oldest records are dropped and counted).
    """

    def __init__(
        self,
        log_table: CallLog,
        interval_s: float = 0.2,
        batch_size: int = 500,
        max_queued: int = 200_000,
    ):
        self.log_table = log_table
        self.interval_s = interval_s
        self.batch_size = batch_size
        self.dropped = 0
        self.written = 0
        self._queue: deque[dict[str, Any]] = deque()
        self._max_queued = max_queued
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._flush_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background flusher (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="flowgraph-calllog", daemon=True)
            self._thread.start()

    def put(self, record: dict[str, Any]) -> None:
        """Queue one record; never blocks and never raises for a full queue."""
        queue = self._queue
        if len(queue) >= self._max_queued:
            queue.popleft()
            self.dropped += 1
        queue.append(record)
        if len(queue) >= self.batch_size:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._queue)

    def flush(self) -> int:
        """Insert everything queued now (in batches); returns how many records were written."""
        written = 0
        with self._flush_lock:
            while self._queue:
                batch = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
                try:
                    self.log_table.insert_many(batch)
                except Exception:
                    # Put the batch back in order and try again on the next tick.
                    self._queue.extendleft(reversed(batch))
                    log.exception("call log: insert of %d records failed; will retry", len(batch))
                    break
                written += len(batch)
        self.written += written
        return written

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval_s)
            self._wake.clear()
            self.flush()

    def close(self, timeout_s: float = 10.0) -> None:
        """Stop the flusher and write what is still queued."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        self.flush()


# --- queries -----------------------------------------------------------------------------


def _record(row: RowMapping) -> dict[str, Any]:
    record = {name: row[name] for name in RECORD_FIELDS}
    record["variables"] = orjson.loads(record["variables"])
    record["trace"] = [
        step if isinstance(step, dict) else {"node": step[0], "branch": step[1]}
        for step in orjson.loads(record["trace"])
    ]
    return record


def _window(table: Table, flow_id: str | None, since: float | None, until: float | None) -> list[Any]:
    where: list[Any] = []
    if flow_id is not None:
        where.append(table.c.flow_id == flow_id)
    if since is not None:
        where.append(table.c.time >= since)
    if until is not None:
        where.append(table.c.time < until)
    return where


def list_calls(
    log_table: CallLog,
    flow_id: str,
    since: float | None = None,
    until: float | None = None,
    limit: int = 100,
    offset: int = 0,
    call_id: str | None = None,
) -> list[dict[str, Any]]:
    """A flow's records in ``[since, until)`` (epoch seconds), newest first, one page.

    ``limit`` is clamped to 1..1000; ``call_id`` narrows the page to one call.
    """
    t = log_table.table
    where = _window(t, flow_id, since, until)
    if call_id is not None:
        where.append(t.c.call_id == call_id)
    query = (
        select(t)
        .where(*where)
        .order_by(t.c.time.desc(), t.c.id.desc())
        .limit(max(1, min(limit, MAX_PAGE)))
        .offset(max(0, offset))
    )
    with log_table.engine.connect() as conn:
        return [_record(row) for row in conn.execute(query).mappings()]


def count_calls(
    log_table: CallLog, flow_id: str, since: float | None = None, until: float | None = None
) -> int:
    """How many records a flow has in ``[since, until)`` (for paging)."""
    t = log_table.table
    query = select(func.count()).select_from(t).where(*_window(t, flow_id, since, until))
    with log_table.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def calls_for_call(log_table: CallLog, call_id: str, flow_id: str | None = None) -> list[dict[str, Any]]:
    """Every record of one call (matched on ``call_id`` or ``uuid``), oldest first: its journey."""
    t = log_table.table
    where = _window(t, flow_id, None, None)
    where.append((t.c.call_id == call_id) | (t.c.uuid == call_id))
    query = select(t).where(*where).order_by(t.c.time, t.c.id)
    with log_table.engine.connect() as conn:
        return [_record(row) for row in conn.execute(query).mappings()]


def iter_calls(
    log_table: CallLog,
    flow_id: str,
    since: float | None = None,
    until: float | None = None,
    chunk: int = 2000,
) -> Iterator[dict[str, Any]]:
    """Every record of a flow in ``[since, until)``, oldest first, read in chunks (for stats)."""
    t = log_table.table
    last_id = 0
    while True:
        query = (
            select(t)
            .where(*_window(t, flow_id, since, until), t.c.id > last_id)
            .order_by(t.c.id)
            .limit(chunk)
        )
        with log_table.engine.connect() as conn:
            rows = [_record(row) for row in conn.execute(query).mappings()]
        yield from rows
        if len(rows) < chunk:
            return
        last_id = rows[-1]["id"]


def _epoch(value: datetime | float | None) -> float | None:
    """Epoch seconds from a datetime (naive means UTC) or a number."""
    if value is None or isinstance(value, int | float):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def now() -> float:
    """The call log's clock (epoch seconds)."""
    return time.time()
