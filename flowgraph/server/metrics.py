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


class Metrics:
    """Request counts by flow/step/outcome, a latency histogram, failovers by reason."""

    def __init__(self) -> None:
        self.requests: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self.failovers: defaultdict[str, int] = defaultdict(int)
        self.bucket_counts = [0] * (len(LATENCY_BUCKETS) + 1)
        self.latency_sum = 0.0
        self.latency_count = 0
        self.calllog_dropped = 0

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
        out += [
            "# HELP flowgraph_calllog_dropped_total Call-log records dropped because the queue was full.",
            "# TYPE flowgraph_calllog_dropped_total counter",
            f"flowgraph_calllog_dropped_total {self.calllog_dropped}",
        ]
        return ("\n".join(out) + "\n").encode()
