"""The hot path's stores: the batched call-log writer and its queries (SQLite and PostgreSQL), and
the per-call context stores (memory with write-behind, SQL and Redis)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from flowgraph.runtime.context import CallContext, ContextStore
from flowgraph.store.calls import CallLog, CallLogWriter, calls_for_call, count_calls, iter_calls, list_calls
from flowgraph.store.contexts import (
    ContextStoreError,
    RedisContexts,
    SqlContexts,
    WriteBehindContexts,
    make_context_store,
)
from flowgraph.store.db import create_all, make_engine

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


# --- per-call contexts ----------------------------------------------------------------------


def ctx(step: str, version: str = "v1", **variables: Any) -> CallContext:
    return CallContext(step, version, variables, 2)


def same(a: CallContext | None, b: CallContext) -> bool:
    return a is not None and (a.step, a.version, a.variables, a.requests) == (
        b.step,
        b.version,
        b.variables,
        b.requests,
    )


async def exercise(store: ContextStore) -> None:
    await store.start()
    assert await store.get("flow", "call-1|u1") is None
    await store.put("flow", "call-1|u1", ctx("after_menu", who="Asha"))
    await store.put("other", "call-1|u1", ctx("after_x", "v9"))
    await store.put("flow", "call-1|u2", ctx("after_y"))  # same call_id, another uuid: another call
    assert same(await store.get("flow", "call-1|u1"), ctx("after_menu", who="Asha"))
    await store.put("flow", "call-1|u1", ctx("after_next", menu_digits="12"))  # replaced
    assert same(await store.get("flow", "call-1|u1"), ctx("after_next", menu_digits="12"))
    assert same(await store.get("other", "call-1|u1"), ctx("after_x", "v9"))  # flows never mix
    assert same(await store.get("flow", "call-1|u2"), ctx("after_y"))
    got = await store.get("flow", "call-1|u1")
    assert got is not None and got.expires_at > time.time()
    await store.delete("flow", "call-1|u1")
    assert await store.get("flow", "call-1|u1") is None
    await store.delete("flow", "never-there")
    await store.close()


def test_sql_contexts(engine: Engine) -> None:
    asyncio.run(exercise(SqlContexts(engine)))


def test_write_behind_contexts_survive_a_restart(engine: Engine) -> None:
    async def first() -> None:
        store = WriteBehindContexts(engine)
        await exercise(store)  # close() writes what is pending
        store = WriteBehindContexts(engine)
        await store.start()
        await store.put("flow", "kept", ctx("after_menu", **{"who.name": "Asha"}))
        await store.put("flow", "gone", ctx("after_menu"))
        await store.delete("flow", "gone")
        await store.close()

    async def second() -> None:
        store = WriteBehindContexts(engine)
        await store.start()
        assert same(await store.get("flow", "kept"), ctx("after_menu", **{"who.name": "Asha"}))
        assert await store.get("flow", "gone") is None
        assert same(await store.get("other", "call-1|u1"), ctx("after_x", "v9"))
        await store.close()

    asyncio.run(first())
    asyncio.run(second())


def test_expired_contexts_are_remembered_as_expired(engine: Engine) -> None:
    async def go() -> None:
        store = WriteBehindContexts(engine, ttl_s=0)  # expired as soon as written
        await store.start()
        await store.put("flow", "c", ctx("after_menu"))
        got = await store.get("flow", "c")
        assert got is not None and got.expires_at <= time.time()
        assert store.sweep(now=time.time() + store.remember_s + 1) == 1
        assert await store.get("flow", "c") is None
        await store.close()

    asyncio.run(go())


def test_make_context_store_picks_by_database(engine: Engine) -> None:
    assert isinstance(make_context_store(engine, "auto", None, 60), WriteBehindContexts)
    assert isinstance(make_context_store(engine, "database", None, 60), SqlContexts)
    with pytest.raises(ContextStoreError, match="FLOWGRAPH_REDIS_URL"):
        make_context_store(engine, "redis", None, 60)


@pytest.mark.redis
def test_redis_contexts(redis_url: str) -> None:
    async def go() -> None:
        store = RedisContexts(redis_url, ttl_s=600)
        try:
            await exercise(store)
            store = RedisContexts(redis_url, ttl_s=600)
            await store.put("flow", "ttl", ctx("after_menu"))
            assert 600 < await store.client.ttl("flowgraph:ctx:flow:ttl") <= store.remember_s
            await store.probe(1.0)
            assert store.problem() is None
        finally:
            await store.close()

    asyncio.run(go())
