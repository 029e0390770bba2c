"""The call-log writer never sticks and never lies: hostile records are cut (and say so), refused
rows are dropped and counted, an outage keeps records queued (bounded), shutdown is bounded."""

from __future__ import annotations

import logging
import threading
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from flowgraph.store.calls import CallLog, CallLogWriter, count_calls, iter_calls
from flowgraph.store.calls_writer import MAX_DEPTH, MAX_STRING, MAX_VARIABLES_BYTES

T0 = 1_790_000_000.0


def record(i: int, **over: Any) -> dict[str, Any]:
    base = {
        "time": T0 + i,
        "call_id": f"call-{i}",
        "uuid": f"u{i}",
        "flow_id": "f",
        "version": "abc123",
        "step": "entry",
        "variables": {"caller_id_number": "+919876543210", "n": i},
        "response": b'[{"transfer":{"type":"ivr","data":["1"]}}]',
        "latency_ms": 0.25,
        "failover_reason": None,
        "trace": [("menu", "1")],
        "end": "agent",
    }
    return {**base, **over}


def nested(depth: int) -> dict[str, Any]:
    """What orjson reads from the issue's body: deeper than orjson itself can write."""
    doc: dict[str, Any] = orjson.loads(b'{"uuid":"p","a":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}")
    return doc


def test_deeply_nested_record_is_cut_and_the_next_ones_are_written(engine: Engine) -> None:
    # orjson reads ~1,024 levels but writes 255: such a record used to block the log for good.
    log = CallLog(engine)
    writer = CallLogWriter(log)
    writer.put(record(0, variables=nested(300)))
    writer.put(record(1))
    assert writer.flush() == 2 and writer.pending == 0
    rows = list(iter_calls(log, "f"))
    assert [r["call_id"] for r in rows] == ["call-0", "call-1"]
    text = orjson.dumps(rows[0]["variables"]).decode()
    assert f"cut: nested deeper than {MAX_DEPTH} levels" in text
    assert rows[1]["variables"] == {"caller_id_number": "+919876543210", "n": 1}
    assert writer.cut >= 1 and writer.dropped == 0


def test_huge_strings_wide_records_and_odd_values_are_cut_with_a_marker(engine: Engine) -> None:
    log = CallLog(engine)
    writer = CallLogWriter(log)
    wide = {f"k{i}": "v" * 1000 for i in range(100)}
    odd = {"big": 2**100, "nul": "a\x00b", "bytes": b"\xff", "set": {1, 2}, "long": "x" * 10_000}
    writer.put(record(0, variables={"last_dtmf": "1", **wide}, call_id="c\x00d", step="s" * 999))
    writer.put(record(1, variables=odd))
    assert writer.flush() == 2
    first, second = iter_calls(log, "f")
    assert first["variables"]["last_dtmf"] == "1"  # small keys survive a stranger's huge ones
    assert "_cut" in first["variables"]
    assert len(orjson.dumps(first["variables"])) <= MAX_VARIABLES_BYTES
    assert first["call_id"] == "c\ufffdd" and len(first["step"]) == 200
    assert second["variables"]["big"] == str(2**100)
    assert second["variables"]["nul"] == "a\ufffdb"
    assert (
        second["variables"]["long"].startswith("x" * MAX_STRING)
        and "cut: 8000 more" in second["variables"]["long"]
    )


class Outage(CallLog):
    """A database that is unreachable until ``up`` is set."""

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self.up = threading.Event()
        self.attempts = 0

    def insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        self.attempts += 1
        if not self.up.is_set():
            raise OperationalError("INSERT", {}, Exception("connection refused"))
        super().insert_rows(rows)


def test_outage_keeps_records_in_order_then_writes_them(engine: Engine) -> None:
    log = Outage(engine)
    writer = CallLogWriter(log, batch_size=10)
    for i in range(25):
        writer.put(record(i))
    assert writer.flush() == 0 and writer.pending == 25
    status = writer.status()
    assert status["state"] == "down" and "connection refused" in status["error"]
    log.up.set()
    assert writer.flush() == 25
    assert writer.status()["state"] == "ok"
    assert [r["variables"]["n"] for r in iter_calls(log, "f")] == list(range(25))


class Refuses(CallLog):
    """A database that refuses rows whose call id is ``poison`` (a constraint we cannot foresee)."""

    def insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        if any(row[1] == "poison" for row in rows):
            raise IntegrityError("INSERT", {}, Exception("check constraint violated"))
        super().insert_rows(rows)


def test_a_refused_row_is_dropped_and_counted_not_retried_forever(engine: Engine) -> None:
    log = Refuses(engine)
    writer = CallLogWriter(log, batch_size=50)
    writer.put(record(0))
    writer.put(record(1, call_id="poison"))
    writer.put(record(2))
    writer.flush()  # first failure: kept, as an unexplained error may pass
    writer.flush()  # second: row by row
    assert writer.pending == 0
    assert [r["call_id"] for r in iter_calls(log, "f")] == ["call-0", "call-2"]
    assert writer.dropped_by_reason["rejected"] == 1
    writer.put(record(3))
    assert writer.flush() == 1


def test_full_queue_drops_the_oldest_counted_by_reason(engine: Engine) -> None:
    writer = CallLogWriter(CallLog(engine), max_queued=10)
    for i in range(15):
        writer.put(record(i))
    assert writer.dropped_by_reason == {"queue_full": 5, "rejected": 0, "shutdown": 0}
    writer.flush()
    assert [r["variables"]["n"] for r in iter_calls(writer.log_table, "f")] == list(range(5, 15))


def test_shutdown_during_an_outage_is_bounded_and_counts_what_is_lost(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    log = Outage(engine)
    writer = CallLogWriter(log, interval_s=0.01)
    writer.start()
    for i in range(40):
        writer.put(record(i))
    with caplog.at_level(logging.WARNING, "flowgraph.calls"):
        writer.close(timeout_s=0.5)
    assert writer.dropped_by_reason["shutdown"] == 40
    assert count_calls(log, "f") == 0
    lines = [r.getMessage() for r in caplog.records]
    assert any("40 records not written at shutdown" in line for line in lines)
    assert len(lines) < 10  # one line per problem, not one per record or per retry


def test_shutdown_flushes_what_is_queued(engine: Engine) -> None:
    log = CallLog(engine)
    writer = CallLogWriter(log, interval_s=60)  # the timer never fires: only close() writes
    writer.start()
    for i in range(700):
        writer.put(record(i))
    writer.close(timeout_s=30)
    assert count_calls(log, "f") == 700 and writer.dropped == 0


def test_problems_are_logged_once_per_interval(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    log = Outage(engine)
    writer = CallLogWriter(log, max_queued=5, report_every_s=3600)
    with caplog.at_level(logging.WARNING, "flowgraph.calls"):
        for i in range(500):
            writer.put(record(i))
            writer.flush()
            writer.report()
    assert writer.dropped_by_reason["queue_full"] == 495
    assert log.attempts == 500
    assert len(caplog.records) == 1  # the first failure; the summary waits for the interval
    writer.report(force=True)
    assert "queue_full 495" in caplog.records[-1].getMessage()
