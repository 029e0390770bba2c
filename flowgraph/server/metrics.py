"""Prometheus metrics for the platform-facing endpoint, without a client library.

Counters live in plain dicts keyed by label tuples; an increment is a dict update, cheap enough
for the hot path (the event loop is single-threaded, so no lock is needed). :meth:`Metrics.render`
produces the Prometheus text exposition format (version 0.0.4) served at ``/metrics``.

Label values come from our own registry, never verbatim from a request: unknown flows and steps
are counted under ``_unknown`` and failover reasons under their short code, so a stranger probing
random URLs cannot grow the label set without bound.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Any, Protocol

#: Latency histogram bucket upper bounds in seconds (Prometheus convention).
LATENCY_BUCKETS: tuple[float, ...] = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
)
UNKNOWN = "_unknown"
_MAX_REASONS = 64  # distinct failover reason codes kept; the rest count as "other"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def reason_code(reason: str) -> str:
    """The stable short code of a failover reason (``"lookup_timeout: lookup_order"`` -> ``lookup_timeout``)."""
    code = reason.split(":", 1)[0].strip().replace(" ", "_")
    return code[:40] or "unspecified"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class CallLogCounters(Protocol):
    """What the metrics read from the call-log writer (``store.calls_writer.CallLogWriter``)."""

    written: int
    cut: int
    dropped_by_reason: dict[str, int]
    down_since: float | None

    @property
    def pending(self) -> int: ...


class Metrics:
    """Request counts by flow/step/outcome, a latency histogram, failovers by reason, and the
    call log's counters (read from ``calllog`` when given, at render time)."""

    def __init__(self, calllog: CallLogCounters | None = None) -> None:
        self.calllog = calllog
        self.requests: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self.failovers: defaultdict[str, int] = defaultdict(int)
        self.bucket_counts = [0] * (len(LATENCY_BUCKETS) + 1)
        self.latency_sum = 0.0
        self.latency_count = 0

    def observe(self, flow: str, step: str, failover_reason: str | None, seconds: float) -> None:
        """Count one answered platform request (``outcome`` is ``ok`` or ``failover``)."""
        if failover_reason is None:
            self.requests[(flow, step, "ok")] += 1
        else:
            self.requests[(flow, step, "failover")] += 1
            code = reason_code(failover_reason)
            if code not in self.failovers and len(self.failovers) >= _MAX_REASONS:
                code = "other"
            self.failovers[code] += 1
        self.bucket_counts[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.latency_sum += seconds
        self.latency_count += 1

    def render(self) -> bytes:
        """The metrics in Prometheus text format, lines sorted by label for stable output."""
        out = [
            "# HELP flowgraph_dialplan_requests_total Platform requests answered, by flow, step and outcome.",
            "# TYPE flowgraph_dialplan_requests_total counter",
        ]
        for (flow, step, outcome), n in sorted(self.requests.items()):
            out.append(
                f'flowgraph_dialplan_requests_total{{flow="{_escape(flow)}",step="{_escape(step)}",'
                f'outcome="{outcome}"}} {n}'
            )
        out += [
            "# HELP flowgraph_dialplan_failovers_total Failover answers, by reason.",
            "# TYPE flowgraph_dialplan_failovers_total counter",
        ]
        for reason, n in sorted(self.failovers.items()):
            out.append(f'flowgraph_dialplan_failovers_total{{reason="{_escape(reason)}"}} {n}')
        out += [
            "# HELP flowgraph_dialplan_latency_seconds Time to answer a platform request.",
            "# TYPE flowgraph_dialplan_latency_seconds histogram",
        ]
        cumulative = 0
        for bound, n in zip(LATENCY_BUCKETS, self.bucket_counts, strict=False):
            cumulative += n
            out.append(f'flowgraph_dialplan_latency_seconds_bucket{{le="{bound}"}} {cumulative}')
        out.append(f'flowgraph_dialplan_latency_seconds_bucket{{le="+Inf"}} {self.latency_count}')
        out.append(f"flowgraph_dialplan_latency_seconds_sum {self.latency_sum:.6f}")
        out.append(f"flowgraph_dialplan_latency_seconds_count {self.latency_count}")
        if self.calllog is not None:
            out += _calllog_lines(self.calllog)
        return ("\n".join(out) + "\n").encode()


def _calllog_lines(c: CallLogCounters) -> list[str]:
    out = [
        "# HELP flowgraph_calllog_dropped_total Call-log records not written, by reason "
        "(queue_full: queue over its bound; rejected: refused by the database; shutdown: not written "
        "within the shutdown timeout).",
        "# TYPE flowgraph_calllog_dropped_total counter",
    ]
    out += [
        f'flowgraph_calllog_dropped_total{{reason="{r}"}} {n}' for r, n in sorted(c.dropped_by_reason.items())
    ]
    gauges: list[tuple[str, str, str, Any]] = [
        ("written_total", "counter", "Call-log records written.", c.written),
        ("cut_total", "counter", "Parts of records cut to be storable (depth, size, odd values).", c.cut),
        ("queued", "gauge", "Call-log records waiting to be written.", c.pending),
        ("up", "gauge", "1 while the call log's database accepts writes, else 0.", int(c.down_since is None)),
    ]
    for name, kind, text, value in gauges:
        out += [
            f"# HELP flowgraph_calllog_{name} {text}",
            f"# TYPE flowgraph_calllog_{name} {kind}",
            f"flowgraph_calllog_{name} {value}",
        ]
    return out
