"""The hot path's stores: the batched call-log writer and its queries (SQLite and PostgreSQL), and
the single-dialplan call records (SQL and Redis)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from flowgraph.store.calls import CallLog, CallLogWriter, calls_for_call, count_calls, iter_calls, list_calls
from flowgraph.store.db import create_all, make_engine
from flowgraph.store.sessions import CallRecord, RedisSessionStore, SessionStore, SqlSessionStore

T0 = 1_790_000_000.0


def record(i: int, flow: str = "f", **over: Any) -> dict[str, Any]:
    base = {
        "time": T0 + i,
        "call_id": f"call-{i % 10}",
        "uuid": f"u{i % 10}",
        "flow_id": flow,
        "version": "abc123",
        "step": "entry",
        "variables": {"caller_id_number": "+919876543210", "n": i},
        "response": b'[{"transfer":{"type":"ivr","data":["1"]}}]',
        "latency_ms": 0.25,
        "failover_reason": None,
        "trace": [("menu", "1"), ("agent", "")],
        "end": "agent",
    }
    return {**base, **over}


@pytest.fixture
def engine(tmp_path: Any) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'calls.db'}")
    create_all(eng)
    yield eng
    eng.dispose()


def test_writer_writes_every_record_once_in_order(engine: Engine) -> None:
    log = CallLog(engine)
    writer = CallLogWriter(log, interval_s=0.05, batch_size=100)
    writer.start()
    for i in range(1234):
        writer.put(record(i))
    writer.close()
    assert writer.pending == 0 and writer.written == 1234
    assert count_calls(log, "f") == 1234
    rows = list(iter_calls(log, "f", chunk=500))
    assert [r["variables"]["n"] for r in rows] == list(range(1234))
    assert rows[0]["trace"] == [{"node": "menu", "branch": "1"}, {"node": "agent", "branch": ""}]
    assert rows[0]["response"] == '[{"transfer":{"type":"ivr","data":["1"]}}]'


class FlakyLog(CallLog):
    """Fails its first insert, like a database that is briefly unreachable."""

    failures = 1

    def insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("database is down")
        super().insert_rows(rows)


def test_failed_batch_is_kept_and_retried_in_order(engine: Engine) -> None:
    writer = CallLogWriter(FlakyLog(engine), batch_size=10)
    for i in range(25):
        writer.put(record(i))
    assert writer.flush() == 0 and writer.pending == 25
    assert writer.flush() == 25
    rows = list(iter_calls(writer.log_table, "f"))
    assert [r["variables"]["n"] for r in rows] == list(range(25))


def test_full_queue_drops_the_oldest_and_counts_them(engine: Engine) -> None:
    writer = CallLogWriter(CallLog(engine), max_queued=10)
    for i in range(15):
        writer.put(record(i))
    assert writer.dropped == 5
    writer.flush()
    assert [r["variables"]["n"] for r in iter_calls(writer.log_table, "f")] == list(range(5, 15))


def test_queries_window_paging_and_calls(engine: Engine) -> None:
    log = CallLog(engine)
    log.insert_many([record(i) for i in range(30)] + [record(i, flow="other") for i in range(5)])
    page = list_calls(log, "f", limit=5)
    assert [r["time"] for r in page] == [T0 + i for i in (29, 28, 27, 26, 25)]  # newest first
    assert [r["time"] for r in list_calls(log, "f", limit=2, offset=5)] == [T0 + 24, T0 + 23]
    window = list_calls(log, "f", since=T0 + 10, until=T0 + 20, limit=100)
    assert sorted(r["variables"]["n"] for r in window) == list(range(10, 20))
    assert count_calls(log, "f", since=T0 + 10, until=T0 + 20) == 10
    journey = calls_for_call(log, "call-3", "f")
    assert [r["variables"]["n"] for r in journey] == [3, 13, 23]  # oldest first
    assert [r["variables"]["n"] for r in calls_for_call(log, "u3", "f")] == [3, 13, 23]  # by uuid too
    since = datetime.fromtimestamp(T0 + 27, UTC)
    assert [r["variables"]["n"] for r in log.records("f", since=since)] == [29, 28, 27]
    assert [r["variables"]["n"] for r in log.records("f", call_id="call-1", limit=2)] == [21, 11]


def test_hostile_values_are_clipped(engine: Engine) -> None:
    log = CallLog(engine)
    log.insert_many([record(0, call_id="x" * 5000, failover_reason="r" * 5000)])
    (row,) = list_calls(log, "f")
    assert len(row["call_id"]) == 200 and len(row["failover_reason"]) == 500


@pytest.mark.postgres
def test_call_log_on_postgresql(postgres_db: str) -> None:
    eng = make_engine(postgres_db)
    try:
        create_all(eng)
        writer = CallLogWriter(CallLog(eng), batch_size=50)
        for i in range(120):
            writer.put(record(i))
        writer.close()
        log = writer.log_table
        assert count_calls(log, "f") == 120
        assert [r["variables"]["n"] for r in calls_for_call(log, "call-7")] == list(range(7, 120, 10))
    finally:
        eng.dispose()


# --- single-dialplan call records ----------------------------------------------------------


async def exercise(store: SessionStore) -> None:
    assert await store.get("flow", "call-1") is None
    await store.put("flow", "call-1", CallRecord("after_menu", "v1"))
    await store.put("other", "call-1", CallRecord("after_x", "v9"))
    assert await store.get("flow", "call-1") == CallRecord("after_menu", "v1")
    await store.put("flow", "call-1", CallRecord("after_next", "v1"))  # replaced, not duplicated
    assert await store.get("flow", "call-1") == CallRecord("after_next", "v1")
    assert await store.get("other", "call-1") == CallRecord("after_x", "v9")  # flows never mix
    await store.delete("flow", "call-1")
    assert await store.get("flow", "call-1") is None
    await store.delete("flow", "never-there")


def test_sql_call_records(engine: Engine) -> None:
    asyncio.run(exercise(SqlSessionStore(engine)))


def test_sql_call_records_expire(engine: Engine) -> None:
    store = SqlSessionStore(engine, ttl_s=-1)  # already expired when written

    async def go() -> None:
        await store.put("flow", "c", CallRecord("after_menu", "v1"))
        assert await store.get("flow", "c") is None

    asyncio.run(go())


@pytest.mark.redis
def test_redis_call_records(redis_url: str) -> None:
    async def go() -> None:
        store = RedisSessionStore(redis_url, ttl_s=600)
        try:
            await exercise(store)
            await store.put("flow", "ttl", CallRecord("after_menu", "v1"))
            assert 0 < await store.client.ttl("flowgraph:call:flow:ttl") <= 600
        finally:
            await store.close()

    asyncio.run(go())
