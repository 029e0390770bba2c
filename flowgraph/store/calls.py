"""The call log: one row per platform request, written in batches off the response path.

A record is the architecture's call-log record: ``{time, call_id, uuid, flow_id, version, step,
variables, response, latency_ms, failover_reason, trace, end}``, with ``trace`` a list of
``{"node", "branch"}`` and ``time`` epoch seconds (UTC). The hot path only appends to an
in-memory queue; :class:`~flowgraph.store.calls_writer.CallLogWriter` (bounded, never stuck,
bounded shutdown; its docstring states the write-behind window) inserts from a thread.

Queries for the management API (``/api/flows/{id}/calls`` and ``/stats``):
:func:`list_calls` (per flow, time window, paging), :func:`calls_for_call` (one call's journey),
:func:`iter_calls` (every record in a window, for traffic counts) and :func:`count_calls`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text, func, select
from sqlalchemy.engine import Engine, RowMapping

from flowgraph.store.calls_writer import CallLogWriter, to_row
from flowgraph.store.db import metadata as shared_metadata

__all__ = [
    "CALL_LOG",
    "CallLog",
    "CallLogWriter",
    "calls_for_call",
    "count_calls",
    "iter_calls",
    "list_calls",
]

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
    "lookups",
    "retry",
    "decisions",
    "tables",
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
        # What each HTTP lookup answered (JSON; null when the request made none): publish impact
        # replays recorded calls with these answers (flowgraph/simulate/impact.py).
        Column("lookups", Text, nullable=True),
        # True: single-dialplan mode took this request for the platform retrying the call's
        # previous one and answered it the same again (impact replay and traffic skip it).
        Column("retry", Boolean, nullable=True),
        # Which rule decided each dated time case (holiday, outside hours; a calendar that could
        # not be read): JSON, null when the request asked none (flowgraph/runtime/calendars.py).
        Column("decisions", Text, nullable=True),
        # The server-table version each table the request looked up answered from
        # ({"customers": 7}; JSON, null when it looked up none): flowgraph/runtime/tables.py.
        Column("tables", Text, nullable=True),
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
        version: str | None = None,
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
            version=version,
        )

    def insert_many(self, records: list[dict[str, Any]]) -> None:
        """Insert queued-form records (made storable by :func:`calls_writer.to_row`) in one transaction."""
        self.insert_rows([to_row(r) for r in records])

    def insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert rows already in insert order: one driver-level executemany, no per-row ORM work."""
        if not rows:
            return
        params: list[Any] = rows
        if self.engine.dialect.paramstyle not in ("qmark", "numeric", "format"):
            params = [dict(zip(_INSERT_FIELDS, row, strict=True)) for row in rows]
        with self.engine.begin() as conn:
            conn.exec_driver_sql(self._insert_sql, params)


_INSERT_FIELDS: tuple[str, ...] = RECORD_FIELDS[1:]


# --- queries -----------------------------------------------------------------------------


def _record(row: RowMapping) -> dict[str, Any]:
    record = {name: row[name] for name in RECORD_FIELDS}
    record["variables"] = orjson.loads(record["variables"])
    record["trace"] = [
        step if isinstance(step, dict) else {"node": step[0], "branch": step[1]}
        for step in orjson.loads(record["trace"])
    ]
    if record["lookups"] is not None:
        record["lookups"] = orjson.loads(record["lookups"])
    if record["decisions"] is not None:
        record["decisions"] = orjson.loads(record["decisions"])
    if record["tables"] is not None:
        record["tables"] = orjson.loads(record["tables"])
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
    version: str | None = None,
) -> list[dict[str, Any]]:
    """A flow's records in ``[since, until)`` (epoch seconds), newest first, one page.

    ``limit`` is clamped to 1..1000; ``call_id`` narrows the page to one call, ``version`` to
    the requests one flow version answered.
    """
    t = log_table.table
    where = _window(t, flow_id, since, until)
    if call_id is not None:
        where.append(t.c.call_id == call_id)
    if version is not None:
        where.append(t.c.version == version)
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
