"""Traffic: how many calls took each branch, ended at each node and fell to failover.

Built from call-log records (``docs/architecture.md``: each record has ``time``, ``call_id``,
``trace: [{"node", "branch"}]``, ``end`` and ``failover_reason``) or from the stats JSON the
server's ``GET /api/flows/{id}/stats`` returns (:func:`traffic_stats`). The renderer reads a
:class:`Traffic` to draw edge thickness and per-node counts.

A record is one answered request (one step of a call), so a call answered over three steps
contributes three records; ``calls`` counts distinct call ids, ``requests`` counts records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flowgraph.diagnostics import FlowgraphError

STATS_FORMAT = "flowgraph.traffic/1"
_WINDOW_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_WINDOW_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class TrafficError(FlowgraphError):
    """Call records or a stats document could not be read."""


@dataclass
class NodeTraffic:
    """Counts for one node: times a request passed it, calls that ended there, failovers there."""

    visits: int = 0
    ended: int = 0
    failovers: int = 0


@dataclass
class Traffic:
    """Per-node and per-edge counts; edges are keyed by ``(source node id, branch name)``."""

    nodes: dict[str, NodeTraffic] = field(default_factory=dict)
    edges: dict[tuple[str, str], int] = field(default_factory=dict)
    calls: int = 0
    requests: int = 0
    failovers: int = 0
    #: Failovers no node can be blamed for (the request failed before the flow ran).
    unattributed_failovers: int = 0
    since: str | None = None

    def node(self, node_id: str) -> NodeTraffic:
        """Counts for ``node_id`` (zeros when no call reached it)."""
        return self.nodes.get(node_id, NodeTraffic())

    def edge(self, source: str, branch: str) -> int:
        """How many times a request took ``branch`` out of ``source``."""
        return self.edges.get((source, branch), 0)

    def max_edge(self) -> int:
        """The busiest edge's count (0 when there is no traffic); scales edge thickness."""
        return max(self.edges.values(), default=0)

    @classmethod
    def from_records(cls, records: Iterable[Any], since: Any = None) -> Traffic:
        """Count call-log records, keeping only those at or after ``since`` when given."""
        cutoff = _as_datetime(since, "since") if since is not None else None
        out = cls(since=cutoff.isoformat() if cutoff else None)
        call_ids: set[str] = set()
        for index, record in enumerate(records):
            if cutoff is not None:
                when = _as_datetime(_get(record, "time"), f"record {index}: time")
                if when < cutoff:
                    continue
            out._add(record, index)
            call_ids.add(str(_get(record, "call_id") or f"#{index}"))
        out.calls = len(call_ids)
        return out

    def _add(self, record: Any, index: int) -> None:
        self.requests += 1
        trace = _get(record, "trace") or []
        if not isinstance(trace, list):
            raise TrafficError(f"record {index}: trace: expected a list, got {type(trace).__name__}")
        last: str | None = None
        for hop, entry in enumerate(trace):
            node_id, branch = _trace_entry(entry, f"record {index}: trace[{hop}]")
            self.nodes.setdefault(node_id, NodeTraffic()).visits += 1
            if branch:
                self.edges[(node_id, branch)] = self.edges.get((node_id, branch), 0) + 1
            last = node_id
        end = _get(record, "end")
        if end:
            self.nodes.setdefault(str(end), NodeTraffic()).ended += 1
        if _get(record, "failover_reason"):
            self.failovers += 1
            # Blame the node the flow stopped at; a request that failed before any node ran
            # (bad step id, internal error on entry) is counted on its own.
            blamed = str(end) if end else last
            if blamed is None:
                self.unattributed_failovers += 1
            else:
                self.nodes.setdefault(blamed, NodeTraffic()).failovers += 1

    def to_stats(self) -> dict[str, Any]:
        """The JSON-able stats document (sorted, so equal traffic gives equal JSON)."""
        return {
            "format": STATS_FORMAT,
            "since": self.since,
            "calls": self.calls,
            "requests": self.requests,
            "failovers": self.failovers,
            "unattributed_failovers": self.unattributed_failovers,
            "nodes": {
                nid: {"visits": t.visits, "ended": t.ended, "failovers": t.failovers}
                for nid, t in sorted(self.nodes.items())
            },
            "edges": [{"source": s, "branch": b, "count": c} for (s, b), c in sorted(self.edges.items())],
        }

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any]) -> Traffic:
        """Rebuild a :class:`Traffic` from :meth:`to_stats` / :func:`traffic_stats` output."""
        if not isinstance(stats.get("nodes") or {}, Mapping):
            raise TrafficError("stats: nodes: expected an object of counts by node id")
        if not isinstance(stats.get("edges") or [], list):
            raise TrafficError("stats: edges: expected a list of {source, branch, count}")
        try:
            nodes = {
                str(nid): NodeTraffic(
                    visits=int(v.get("visits", 0)),
                    ended=int(v.get("ended", 0)),
                    failovers=int(v.get("failovers", 0)),
                )
                for nid, v in dict(stats.get("nodes") or {}).items()
            }
            edges = {(str(e["source"]), str(e["branch"])): int(e["count"]) for e in stats.get("edges") or []}
            return cls(
                nodes=nodes,
                edges=edges,
                calls=int(stats.get("calls", 0)),
                requests=int(stats.get("requests", 0)),
                failovers=int(stats.get("failovers", 0)),
                unattributed_failovers=int(stats.get("unattributed_failovers", 0)),
                since=stats.get("since"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise TrafficError(f"stats: not a traffic stats document: {type(exc).__name__}: {exc}") from None

    @classmethod
    def from_file(cls, path: str | Path, since: Any = None) -> Traffic:
        """Read a JSON file holding either a list of call records or a stats document."""
        source = str(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TrafficError(f"{source}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TrafficError(f"{source}: cannot read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise TrafficError(
                f"{source}: line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}"
            ) from None
        records = data if isinstance(data, list) else None
        if isinstance(data, dict) and isinstance(data.get("records"), list):
            records = data["records"]
        try:
            if records is not None:
                for index, record in enumerate(records):
                    if not isinstance(record, dict):
                        kind = type(record).__name__
                        raise TrafficError(f"record {index}: expected a call record object, got {kind}")
                return cls.from_records(records, since=since)
            if isinstance(data, dict) and ("nodes" in data or "edges" in data):
                return cls.from_stats(data)
        except TrafficError as exc:
            raise TrafficError(f"{source}: {exc}") from None
        raise TrafficError(f"{source}: expected a list of call records or a traffic stats object")


def traffic_stats(records: Iterable[Any], since: Any = None) -> dict[str, Any]:
    """Count call-log records (optionally only those at/after ``since``) into a stats dict.

    ``since`` is a datetime, epoch seconds or an ISO 8601 string. Used by the server's stats
    endpoint; :meth:`Traffic.from_stats` reads the result back.
    """
    return Traffic.from_records(records, since=since).to_stats()


def window_start(window: str, now: datetime | None = None) -> datetime:
    """The start of a trailing window such as ``24h``, ``7d``, ``30m`` (``now`` defaults to UTC now)."""
    match = _WINDOW_RE.match(window or "")
    if not match:
        raise TrafficError(f"traffic window {window!r}: expected a number and a unit s/m/h/d/w, e.g. 24h")
    amount, unit = int(match.group(1)), match.group(2)
    end = now or datetime.now(UTC)
    return end - timedelta(**{_WINDOW_UNITS[unit]: amount})


# --- helpers -----------------------------------------------------------------------------


def _get(record: Any, key: str) -> Any:
    # Records are dicts in files and API answers; the store may hand over row objects.
    if isinstance(record, Mapping):
        return record.get(key)
    return getattr(record, key, None)


def _trace_entry(entry: Any, where: str) -> tuple[str, str | None]:
    if isinstance(entry, Mapping):
        node, branch = entry.get("node"), entry.get("branch")
    elif isinstance(entry, list | tuple) and len(entry) == 2:
        node, branch = entry
    else:
        raise TrafficError(f"{where}: expected {{'node': ..., 'branch': ...}}")
    if not isinstance(node, str) or not node:
        raise TrafficError(f"{where}: node: expected a node id")
    return node, (str(branch) if branch not in (None, "") else None)


def _as_datetime(value: Any, where: str) -> datetime:
    """Epoch seconds, ISO 8601 text or a datetime -> an aware datetime (naive means UTC)."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        when = datetime.fromtimestamp(float(value), UTC)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            when = datetime.fromtimestamp(float(text), UTC)
        except ValueError:
            try:
                when = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                raise TrafficError(f"{where}: {value!r} is not a time (ISO 8601 or epoch seconds)") from None
    else:
        raise TrafficError(f"{where}: expected a time (ISO 8601 or epoch seconds), got {value!r}")
    return when if when.tzinfo else when.replace(tzinfo=UTC)
