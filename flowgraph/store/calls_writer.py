"""The call log's write-behind: a bounded in-memory queue flushed by one background thread.

Guarantees (docs/architecture.md "Call log"):

- **Never blocks the caller.** :meth:`CallLogWriter.put` is a deque append; no lock, no I/O.
- **Never lies, never sticks.** A record is made storable before it is written
  (:func:`to_row`): nesting deeper than :data:`MAX_DEPTH`, strings longer than
  :data:`MAX_STRING` and variables over :data:`MAX_VARIABLES_BYTES` are cut, the cut marked in
  the stored value (``"…[cut: …]"`` / ``"_cut"``) and counted. A batch the database refuses for
  a reason other than an outage is retried once, then written row by row; a row the database
  still refuses is dropped and counted (``rejected``), so one record can never stop the log.
- **Bounded.** At most ``max_queued`` records wait; beyond that the oldest are dropped and
  counted (``queue_full``). During an outage the writer backs off (up to :data:`MAX_BACKOFF_S`)
  and keeps the records queued.
- **Counted and logged once per interval.** Drops by reason, cuts and writes are counters the
  metrics read; problems are logged as one line per ``report_every_s``, never per record.
- **Bounded shutdown.** :meth:`close` flushes what is queued within ``timeout_s``; what could not
  be written by then is counted (``shutdown``) and named in one log line.

Write-behind window: a record is committed at most ``interval_s`` (default 0.2 s) plus one
insert after it was queued, or as soon as ``batch_size`` records wait. A ``kill -9`` therefore
loses at most the records answered in the last ``interval_s`` plus the batch being inserted
(never more than ``batch_size`` + what arrived during that insert) while the database is up, and
at most ``max_queued`` while it is down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import exc as sa_exc

if TYPE_CHECKING:
    from flowgraph.store.calls import CallLog

log = logging.getLogger("flowgraph.calls")

#: Deepest nesting kept in a stored value (the request's variables); deeper parts are cut.
MAX_DEPTH = 16
#: Longest string kept in a stored value (characters); longer ones are cut.
MAX_STRING = 2000
#: Largest stored ``variables`` (bytes of JSON); beyond it, top-level keys that do not fit are cut.
MAX_VARIABLES_BYTES = 16 * 1024
#: Longest wait between retries while the database is down.
MAX_BACKOFF_S = 5.0
#: Why a record was not written (the label values of ``flowgraph_calllog_dropped_total``).
DROP_REASONS: tuple[str, ...] = ("queue_full", "rejected", "shutdown")

#: Errors that mean "the database cannot be reached now", not "this record is bad".
_OUTAGE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError, OSError, TimeoutError)


# --- making a record storable ----------------------------------------------------------------


def clip(value: Any, limit: int) -> str:
    """Text of at most ``limit`` characters without NUL (PostgreSQL text refuses it)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text[:limit] if len(text) > limit else text


def clean(value: Any, cuts: list[str], depth: int = 0) -> Any:
    """A JSON-safe copy of ``value``: depth-limited, strings capped, odd types as text.

    Each cut appends its kind to ``cuts`` and leaves a marker in the value, so a reader sees
    that (and where) something was left out.
    """
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, str):
        text = clip(value, len(value))
        if len(text) > MAX_STRING:
            cuts.append("string")
            return text[:MAX_STRING] + f"…[cut: {len(text) - MAX_STRING} more characters]"
        return text
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**64 else str(value)  # orjson refuses wider ints
    if isinstance(value, dict | list | tuple):
        if depth >= MAX_DEPTH:
            cuts.append("depth")
            return f"…[cut: nested deeper than {MAX_DEPTH} levels]"
        if isinstance(value, dict):
            return {clip(k, MAX_STRING): clean(v, cuts, depth + 1) for k, v in value.items()}
        return [clean(v, cuts, depth + 1) for v in value]
    return clean(str(value), cuts, depth)


def _plain_json(value: Any) -> str | None:
    """``value`` as JSON text when it needs no cleaning: it encodes, holds no NUL, and is too
    small to hold a string over :data:`MAX_STRING` or to nest deeper than :data:`MAX_DEPTH` (one
    bracket per level at least). The common record takes this path: no copy, one encode."""
    try:
        text = orjson.dumps(value)
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        return None
    if len(text) > MAX_STRING or b"\\u0000" in text or text.count(b"{") + text.count(b"[") > MAX_DEPTH:
        return None
    return text.decode()


def encode_variables(variables: Any, cuts: list[str]) -> str:
    """``variables`` as JSON text of at most about :data:`MAX_VARIABLES_BYTES` (cuts marked)."""
    if isinstance(variables, dict):
        plain = _plain_json(variables)
        if plain is not None:
            return plain
    cleaned = clean(variables if isinstance(variables, dict) else {"_value": variables}, cuts)
    text = orjson.dumps(cleaned)
    if len(text) <= MAX_VARIABLES_BYTES:
        return text.decode()
    # Keep the top-level keys that fit, in order (the platform's small fields survive a
    # stranger's huge one); say how many were left out.
    kept: dict[str, Any] = {}
    budget = MAX_VARIABLES_BYTES - 120
    for key, value in cleaned.items():
        size = len(orjson.dumps({key: value}))
        if size <= budget:
            kept[key] = value
            budget -= size
    cuts.append("size")
    kept["_cut"] = f"variables over {MAX_VARIABLES_BYTES} bytes: kept {len(kept)} of {len(cleaned)} keys"
    return orjson.dumps(kept).decode()


def to_row(r: dict[str, Any], cuts: list[str] | None = None) -> tuple[Any, ...]:
    """One queued record as the insert's parameters (``calls._INSERT_FIELDS`` order); never raises.

    The hot path queues raw values (response bytes, trace as (node, branch) pairs); converting
    them here keeps that work off the response path.
    """
    cuts = [] if cuts is None else cuts
    try:
        return _row(r, cuts)
    except Exception as exc:  # a value nothing above foresaw: keep the record, say what was lost
        cuts.append("unserialisable")
        marker = orjson.dumps({"_cut": f"unserialisable record: {type(exc).__name__}"}).decode()
        return (
            _float(r.get("time"), time.time()),
            "",
            "",
            clip(r.get("flow_id"), 64),
            "",
            "",
            marker,
            "",
            0.0,
            "unserialisable_record",
            "[]",
            None,
            None,
            None,
            None,
        )


def _row(r: dict[str, Any], cuts: list[str]) -> tuple[Any, ...]:
    response = r.get("response")
    if isinstance(response, bytes | bytearray):
        response = bytes(response).decode("utf-8", "replace")
    reason = r.get("failover_reason")
    end = r.get("end")
    return (
        _float(r["time"], time.time()),
        clip(r.get("call_id"), 200),
        clip(r.get("uuid"), 200),
        clip(r["flow_id"], 64),
        clip(r.get("version") or "", 64),
        clip(r.get("step"), 200),
        encode_variables(r.get("variables") or {}, cuts),
        clip(response or "", len(response or "")),
        _float(r.get("latency_ms"), 0.0),
        None if reason is None else clip(reason, 500),
        _plain_json(list(r.get("trace") or ()))
        or orjson.dumps(clean(list(r.get("trace") or ()), cuts)).decode(),
        None if end is None else clip(end, 64),
        orjson.dumps(clean(r["lookups"], cuts)).decode() if r.get("lookups") else None,
        True if r.get("retry") else None,
        orjson.dumps(clean(r["decisions"], cuts)).decode() if r.get("decisions") else None,
        orjson.dumps(r["tables"]).decode() if r.get("tables") else None,
    )


def _float(value: Any, default: float) -> float:
    return float(value) if isinstance(value, int | float) else default


# --- the writer ------------------------------------------------------------------------------


class CallLogWriter:
    """Batches call-log records in memory and inserts them from a background thread.

    See the module docstring for what it guarantees; :meth:`status` and the counters
    (``written``, ``cut``, ``dropped_by_reason``) are what ``/metrics`` and ``/healthz`` show.
    """

    def __init__(
        self,
        log_table: CallLog,
        interval_s: float = 0.2,
        batch_size: int = 500,
        max_queued: int = 50_000,
        report_every_s: float = 10.0,
        shutdown_s: float = 5.0,
    ):
        self.log_table = log_table
        self.interval_s = interval_s
        self.batch_size = batch_size
        self.max_queued = max_queued
        self.report_every_s = report_every_s
        self.shutdown_s = shutdown_s
        self.written = 0
        self.cut = 0
        #: Every reason present from the start: readers iterate it from another thread.
        self.dropped_by_reason: dict[str, int] = dict.fromkeys(DROP_REASONS, 0)
        self.last_error: str | None = None
        self.down_since: float | None = None
        self._queue: deque[dict[str, Any]] = deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._flush_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._reported: dict[str, int] = {}
        self._last_report = time.monotonic()
        self._inflight = 0
        self._deadline = float("inf")
        self._stop_wait = threading.Event()

    @property
    def dropped(self) -> int:
        """Records dropped for any reason."""
        return sum(self.dropped_by_reason.values())

    @property
    def pending(self) -> int:
        """Records queued and not yet written."""
        return len(self._queue)

    def start(self) -> None:
        """Start the background flusher (idempotent)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="flowgraph-calllog", daemon=True)
            self._thread.start()

    def put(self, record: dict[str, Any]) -> None:
        """Queue one record; never blocks and never raises for a full queue."""
        queue = self._queue
        if len(queue) >= self.max_queued:
            try:
                queue.popleft()
                self.dropped_by_reason["queue_full"] += 1
            except IndexError:  # the flusher emptied it meanwhile
                pass
        queue.append(record)
        if len(queue) >= self.batch_size:
            self._wake.set()

    def status(self) -> dict[str, Any]:
        """What ``/healthz`` shows: ``state`` ok/down, queued, written, dropped by reason."""
        out: dict[str, Any] = {
            "state": "down" if self.down_since is not None else "ok",
            "queued": self.pending,
            "written": self.written,
            "dropped": dict(self.dropped_by_reason),
            "cut": self.cut,
        }
        if self.down_since is not None:
            out["down_for_s"] = round(time.time() - self.down_since, 1)
            out["error"] = self.last_error
        return out

    def flush(self, deadline: float | None = None) -> int:
        """Insert what is queued now, in batches, until done, an outage or ``deadline`` (monotonic).

        Returns how many records were written.
        """
        wait = -1.0 if deadline is None else max(0.0, deadline - time.monotonic())
        if not self._flush_lock.acquire(timeout=wait):
            return 0
        written = 0
        try:
            while self._queue and (deadline is None or time.monotonic() < deadline):
                batch = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
                self._inflight = len(batch)
                done, outage = self._write(batch)
                self._inflight = 0
                written += done
                if outage:
                    break
        finally:
            self._flush_lock.release()
        return written

    def _write(self, batch: list[dict[str, Any]]) -> tuple[int, bool]:
        """Write one batch; returns (rows written, whether the database is unreachable)."""
        cuts: list[str] = []
        rows = [to_row(r, cuts) for r in batch]
        try:
            self.log_table.insert_rows(rows)
        except Exception as exc:
            self._failures += 1
            if isinstance(exc, _OUTAGE) or self._failures < 2:
                # Down (or a first, unexplained failure): keep the batch at the head, in order.
                self._queue.extendleft(reversed(batch))
                self._note_error(exc)
                return 0, True
            return self._write_rows(batch, rows, len(cuts))
        self._succeeded(len(rows), len(cuts))
        return len(rows), False

    def _write_rows(
        self, batch: list[dict[str, Any]], rows: list[tuple[Any, ...]], cuts: int
    ) -> tuple[int, bool]:
        # The same batch failed twice for a reason other than an outage: find the rows the
        # database refuses, drop (and count) those, write the rest.
        written = 0
        for i, row in enumerate(rows):
            try:
                self.log_table.insert_rows([row])
            except _OUTAGE as exc:
                self._queue.extendleft(reversed(batch[i:]))
                self._note_error(exc)
                self.written += written
                return written, True
            except Exception as exc:
                self.dropped_by_reason["rejected"] += 1
                self.last_error = _one_line(exc)
                continue
            written += 1
        self._succeeded(written, cuts)
        return written, False

    def _succeeded(self, written: int, cuts: int) -> None:
        self.written += written
        self.cut += cuts
        self._failures = 0
        if self.down_since is not None:
            log.warning("call log: database reachable again; writing %d queued records", self.pending)
        self.down_since = None

    def _note_error(self, exc: Exception) -> None:
        self.last_error = _one_line(exc)
        if self.down_since is None:
            self.down_since = time.time()
            # The first failure is said at once (one line); the rest in the periodic report.
            log.warning("call log: cannot write (%s); records stay queued and are retried", self.last_error)

    def _backoff(self) -> float:
        if self.down_since is None:
            return self.interval_s
        return min(MAX_BACKOFF_S, self.interval_s * 2 ** min(self._failures, 8))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._backoff())
            self._wake.clear()
            self._tick()
        self._final_flush()

    def _tick(self) -> None:
        try:
            self.flush()
            self.report()
        except Exception as exc:  # never let the flusher die: nothing would be written again
            log.warning("call log: flusher error: %s", _one_line(exc))

    def _final_flush(self) -> None:
        while self._queue and time.monotonic() < self._deadline:
            if self.flush(self._deadline) == 0 and self._queue:
                # Down: give it a moment to come back, never past the deadline.
                self._stop_wait.wait(min(0.2, max(0.0, self._deadline - time.monotonic())))

    def report(self, force: bool = False) -> None:
        """Log one line when anything was dropped or cut, at most once per ``report_every_s``."""
        now = time.monotonic()
        if not force and now - self._last_report < self.report_every_s:
            return
        counts = {**self.dropped_by_reason, "cut": self.cut}
        new = {k: v - self._reported.get(k, 0) for k, v in counts.items() if v > self._reported.get(k, 0)}
        self._last_report = now
        self._reported = counts
        if not new and self.down_since is None:
            return
        what = ", ".join(f"{k} {v}" for k, v in new.items()) or "nothing dropped"
        state = f"; down since {self.down_since:.0f}: {self.last_error}" if self.down_since else ""
        log.warning("call log: %s since the last report; %d queued%s", what, self.pending, state)

    def close(self, timeout_s: float | None = None) -> None:
        """Stop the flusher and write what is still queued, within ``timeout_s`` in all
        (default: ``shutdown_s``).

        The final flush runs on the flusher's own thread, so a database call that hangs cannot
        hold up shutdown past ``timeout_s``; what is left then is counted as ``shutdown``.
        """
        timeout_s = self.shutdown_s if timeout_s is None else timeout_s
        self._deadline = time.monotonic() + timeout_s
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout_s)
        else:
            self._final_flush()
        left = len(self._queue) + self._inflight
        if left:
            self.dropped_by_reason["shutdown"] += left
            log.warning(
                "call log: %d records not written at shutdown (%s)", left, self.last_error or "timeout"
            )
        self.report(force=True)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300] if text else ''}"
