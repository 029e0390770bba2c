"""Traffic: how many calls reached each node, took each branch, ended there or fell to failover.

Built from call-log records (``docs/architecture.md``: each record has ``time``, ``call_id``,
``uuid``, ``version``, ``step``, ``trace: [{"node", "branch"}]``, ``end`` and
``failover_reason``) or from the stats JSON the server's ``GET /api/flows/{id}/stats`` returns
(:func:`traffic_stats`). The renderer reads a :class:`Traffic` to draw counts.

A record is one answered request (one step of a call). Counts are of calls and of visits to a
node within a call, not of requests (issue 10):

- records are grouped into calls by :func:`flowgraph.profile.call_identity` and read in order;
- a menu is visited once: it is traced in the request that plays it (branch ``""``) and again
  at the start of the continuation that reads the key; the second is the same visit;
- a transfer's ``no_answer`` continuation is sent with the transfer, but the platform runs it
  only when nobody answers. What follows it in the same answer is counted as *sent, outcome
  unknown* until the call log proves it ran: a later request of the call continues a menu the
  continuation played. The transfer itself then shows "outcome unknown".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowgraph.pictures.arms import ArmOutcome, ArmTally, arms_from_json, arms_json
from flowgraph.pictures.windows import TrafficError, _as_datetime, _since_words, window_words
from flowgraph.profile import call_identity

STATS_FORMAT = "flowgraph.traffic/2"
#: The branch a transfer sends its fall-through on (used when node types are not known).
FALL_THROUGH = "no_answer"
_COUNTS = ("calls", "visits", "ended", "failovers", "unknown", "sent")


@dataclass
class NodeTraffic:
    """Counts for one node.

    ``calls``: calls that reached it; ``visits``: times it ran (a call may come back);
    ``ended``: calls that left the flow there; ``failovers``: requests that fell to the failover
    there; ``unknown``: transfers whose no-answer continuation was sent and never proven to run
    (answered, or fell through: the log cannot tell); ``sent``: times the node was in such a
    continuation, sent to the platform but not known to have run.
    """

    calls: int = 0
    visits: int = 0
    ended: int = 0
    failovers: int = 0
    unknown: int = 0
    sent: int = 0

    def to_json(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in _COUNTS}


@dataclass
class Traffic:
    """Per-node and per-edge counts; edges are keyed by ``(source node id, branch name)``."""

    nodes: dict[str, NodeTraffic] = field(default_factory=dict)
    edges: dict[tuple[str, str], int] = field(default_factory=dict)
    #: Branches sent to the platform that the call log cannot prove were taken.
    unknown_edges: dict[tuple[str, str], int] = field(default_factory=dict)
    #: Node counts by the step (request) that evaluated the node.
    steps: dict[str, dict[str, NodeTraffic]] = field(default_factory=dict)
    #: Calls per flow version (the compiled version hash the server records).
    versions: dict[str, int] = field(default_factory=dict)
    #: Each split arm ``(split node id, branch)``: its calls and how they ended (pictures/arms.py).
    arms: dict[tuple[str, str], ArmOutcome] = field(default_factory=dict)
    #: Dated time cases: ``(switch node id, rule)`` -> requests that rule decided (the call log's
    #: ``decisions``; rules as in runtime/calendars.py: excluded_date, outside_hours, ...).
    rules: dict[tuple[str, str], int] = field(default_factory=dict)

    def rules_of(self, node_id: str) -> dict[str, int]:
        """How often each rule decided the dated cases of switch ``node_id``."""
        return {rule: n for (node, rule), n in sorted(self.rules.items()) if node == node_id}

    calls: int = 0
    requests: int = 0
    failovers: int = 0
    #: Failovers no node can be blamed for (the request failed before the flow ran).
    unattributed_failovers: int = 0
    since: str | None = None
    #: Readable window for the title: "last 24 h", "since 30 Nov 2026 18:57 UTC".
    window: str | None = None
    #: Only records of this flow version were counted.
    version: str | None = None

    def node(self, node_id: str, step: str | None = None) -> NodeTraffic:
        """Counts for ``node_id`` (in ``step`` only, when given); zeros when no call reached it."""
        table = self.nodes if step is None else self.steps.get(step, {})
        return table.get(node_id, NodeTraffic())

    def edge(self, source: str, branch: str) -> int:
        """How many times a call is known to have taken ``branch`` out of ``source``."""
        return self.edges.get((source, branch), 0)

    def unknown_edge(self, source: str, branch: str) -> int:
        """How many times ``branch`` was sent but not proven taken (sent, outcome unknown)."""
        return self.unknown_edges.get((source, branch), 0)

    def max_edge(self) -> int:
        """The busiest edge's count (0 when there is no traffic); scales edge thickness."""
        return max([*self.edges.values(), *self.unknown_edges.values()], default=0)

    def summary(self) -> str:
        """One readable line: "last 24 h · 5 calls · 3 failovers"."""
        parts = [self.window or "all records"]
        if self.version:
            parts.append(f"version {self.version[:12]}")
        parts += [_count(self.calls, "call"), _count(self.failovers, "failover")]
        if not self.version and len(self.versions) > 1:
            parts.append(f"{len(self.versions)} versions together")
        return " · ".join(parts)

    @classmethod
    def from_records(
        cls,
        records: Iterable[Any],
        since: Any = None,
        *,
        kinds: Mapping[str, str] | None = None,
        version: str | None = None,
        window: str | None = None,
    ) -> Traffic:
        """Count call-log records into calls and visits (see the module docstring).

        ``since`` keeps records at or after a time; ``version`` keeps one flow version (its
        hash, or a prefix of it); ``kinds`` maps node id -> node type, so only transfers' fall-
        throughs count as unproven (without it, any ``no_answer`` branch does); ``window`` is
        the trailing window ("24h") the records were chosen by, for :meth:`summary`.
        """
        cutoff = _as_datetime(since, "since") if since is not None else None
        out = cls(since=cutoff.isoformat() if cutoff else None, version=version)
        out.window = window_words(window) if window else (_since_words(cutoff) if cutoff else None)
        calls: dict[str, list[tuple[float, int, int, Any]]] = {}
        for index, record in enumerate(records):
            when = _as_datetime(_get(record, "time"), f"record {index}: time") if cutoff else None
            if when is not None and cutoff is not None and when < cutoff:
                continue
            if version and not str(_get(record, "version") or "").startswith(version):
                continue
            if _get(record, "retry"):  # the platform retrying a request: nothing new happened
                continue
            key = call_identity(str(_get(record, "call_id") or ""), str(_get(record, "uuid") or ""))
            order = _order(record)
            calls.setdefault(key or f"#{index}", []).append((order[0], order[1], index, record))
        for key in sorted(calls):
            _CallWalk(out, kinds).walk([(i, r) for *_, i, r in sorted(calls[key], key=lambda c: c[:3])])
        out.calls = len(calls)
        return out

    def count_node(self, node_id: str, step: str, name: str, amount: int = 1) -> None:
        """Add ``amount`` to one count of a node, in the totals and in ``step``'s table."""
        for table in (self.nodes, self.steps.setdefault(step, {})):
            counts = table.setdefault(node_id, NodeTraffic())
            setattr(counts, name, getattr(counts, name) + amount)

    def to_stats(self) -> dict[str, Any]:
        """The JSON-able stats document (sorted, so equal traffic gives equal JSON)."""
        return {
            "format": STATS_FORMAT,
            "since": self.since,
            "window": self.window,
            "version": self.version,
            "calls": self.calls,
            "requests": self.requests,
            "failovers": self.failovers,
            "unattributed_failovers": self.unattributed_failovers,
            "versions": dict(sorted(self.versions.items())),
            "nodes": {nid: t.to_json() for nid, t in sorted(self.nodes.items())},
            "steps": {
                step: {nid: t.to_json() for nid, t in sorted(table.items())}
                for step, table in sorted(self.steps.items())
            },
            "edges": [{"source": s, "branch": b, "count": c} for (s, b), c in sorted(self.edges.items())],
            "unknown_edges": [
                {"source": s, "branch": b, "count": c} for (s, b), c in sorted(self.unknown_edges.items())
            ],
            "arms": arms_json(self.arms),
            "rules": [{"source": s, "rule": r, "count": c} for (s, r), c in sorted(self.rules.items())],
        }

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any]) -> Traffic:
        """Rebuild a :class:`Traffic` from :meth:`to_stats` / :func:`traffic_stats` output."""
        if not isinstance(stats.get("nodes") or {}, Mapping):
            raise TrafficError("stats: nodes: expected an object of counts by node id")
        for name in ("edges", "unknown_edges", "arms", "rules"):
            if not isinstance(stats.get(name) or [], list):
                raise TrafficError(f"stats: {name}: expected a list of {{source, branch, count}}")
        try:
            steps = {str(s): _node_table(t) for s, t in dict(stats.get("steps") or {}).items()}
            return cls(
                nodes=_node_table(stats.get("nodes") or {}),
                edges=_edge_table(stats.get("edges") or []),
                unknown_edges=_edge_table(stats.get("unknown_edges") or []),
                steps=steps,
                versions={str(v): int(n) for v, n in dict(stats.get("versions") or {}).items()},
                arms=arms_from_json(stats.get("arms") or []),
                rules={(str(r["source"]), str(r["rule"])): int(r["count"]) for r in stats.get("rules") or []},
                calls=int(stats.get("calls", 0)),
                requests=int(stats.get("requests", 0)),
                failovers=int(stats.get("failovers", 0)),
                unattributed_failovers=int(stats.get("unattributed_failovers", 0)),
                since=stats.get("since"),
                window=stats.get("window"),
                version=stats.get("version"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise TrafficError(f"stats: not a traffic stats document: {type(exc).__name__}: {exc}") from None

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        since: Any = None,
        *,
        kinds: Mapping[str, str] | None = None,
        version: str | None = None,
        window: str | None = None,
    ) -> Traffic:
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
                return cls.from_records(records, since=since, kinds=kinds, version=version, window=window)
            if isinstance(data, dict) and ("nodes" in data or "edges" in data):
                if since is not None or version:
                    raise TrafficError("a stats document is already counted; --since/--version need records")
                return cls.from_stats(data)
        except TrafficError as exc:
            raise TrafficError(f"{source}: {exc}") from None
        raise TrafficError(f"{source}: expected a list of call records or a traffic stats object")


class _CallWalk:
    """Reads one call's records in order into a :class:`Traffic` (see the module docstring)."""

    def __init__(self, out: Traffic, kinds: Mapping[str, str] | None) -> None:
        self.out, self.kinds = out, kinds
        self.seen: set[tuple[str, str]] = set()
        #: Menus played and waiting for their continuation -> the unproven tail they are in.
        self.waiting: dict[str, dict[str, Any] | None] = {}
        self.tails: list[dict[str, Any]] = []
        self.end: tuple[str, str] | None = None
        self.arms = ArmTally(kinds)
        #: How the call's last request ended: its end node, and whether it fell to the failover.
        self.last: tuple[str | None, bool] = (None, False)

    def falls_through(self, node: str, branch: str | None) -> bool:
        if branch != FALL_THROUGH:
            return False
        return self.kinds is None or self.kinds.get(node) == "transfer"

    def walk(self, records: list[tuple[int, Any]]) -> None:
        for index, record in records:
            self.record(index, record)
        for tail in self.tails:  # never proven: the platform may or may not have run them
            if not tail["proven"]:
                self.unproven(tail)
        for node in sorted({node for node, _ in self.seen}):
            self.out.nodes.setdefault(node, NodeTraffic()).calls += 1
        for node, step in sorted(self.seen):
            self.out.steps.setdefault(step, {}).setdefault(node, NodeTraffic()).calls += 1
        if self.end is not None:
            self.out.count_node(self.end[0], self.end[1], "ended")
        self.arms.count(self.out.arms, *self.last)
        version = str(_get(records[-1][1], "version") or "")
        self.out.versions[version] = self.out.versions.get(version, 0) + 1

    def record(self, index: int, record: Any) -> None:
        out = self.out
        out.requests += 1
        step = str(_get(record, "step") or "")
        trace = _get(record, "trace") or []
        if not isinstance(trace, list):
            raise TrafficError(f"record {index}: trace: expected a list, got {type(trace).__name__}")
        entries = [_trace_entry(e, f"record {index}: trace[{hop}]") for hop, e in enumerate(trace)]
        failed = bool(_get(record, "failover_reason"))
        tail: dict[str, Any] | None = None
        for hop, (node, branch) in enumerate(entries):
            self.arms.entry(node, branch)
            if tail is not None:
                tail["entries"].append((node, branch))
                if not branch:
                    self.waiting[node] = tail
                continue
            continued = hop == 0 and branch is not None and node in self.waiting
            if continued:
                self.prove(self.waiting.pop(node))
            else:
                self.visit(node, step)
            if branch:
                out.edges[(node, branch)] = out.edges.get((node, branch), 0) + 1
            else:
                self.waiting[node] = None
            if self.falls_through(node, branch) and not failed:
                tail = {"transfer": (node, branch, step), "entries": [], "proven": False, "step": step}
                self.tails.append(tail)
        end = _get(record, "end")
        self.last = (str(end) if end else None, failed)
        for decision in _get(record, "decisions") or []:
            if isinstance(decision, Mapping) and decision.get("node") and decision.get("rule"):
                key = (str(decision["node"]), str(decision["rule"]))
                out.rules[key] = out.rules.get(key, 0) + 1
        if end and tail is None and str(end) not in {node for node, _ in entries}:
            self.visit(str(end), step)  # a record whose trace leaves out its end still reached it
        if tail is not None:
            tail["end"] = str(end) if end else None
            self.end = None
        elif end:
            self.end = (str(end), step)
        if failed:
            self.failover(entries, str(end) if end else None, step)

    def visit(self, node: str, step: str) -> None:
        self.seen.add((node, step))
        self.out.count_node(node, step, "visits")

    def prove(self, tail: dict[str, Any] | None) -> None:
        """A later request continued a menu in ``tail``: the platform did run it."""
        if tail is None or tail["proven"]:
            return
        tail["proven"] = True  # the transfer's fall-through edge was counted when read
        for target, taken in tail["entries"]:
            self.visit(target, tail["step"])
            if taken:
                self.out.edges[(target, taken)] = self.out.edges.get((target, taken), 0) + 1

    def unproven(self, tail: dict[str, Any]) -> None:
        node, branch, step = tail["transfer"]
        out = self.out
        out.edges[(node, branch)] -= 1
        if not out.edges[(node, branch)]:
            del out.edges[(node, branch)]
        out.unknown_edges[(node, branch)] = out.unknown_edges.get((node, branch), 0) + 1
        out.count_node(node, step, "unknown")
        for target, taken in tail["entries"]:
            out.count_node(target, step, "sent")
            if taken:
                out.unknown_edges[(target, taken)] = out.unknown_edges.get((target, taken), 0) + 1

    def failover(self, entries: list[tuple[str, str | None]], end: str | None, step: str) -> None:
        self.out.failovers += 1
        # Blame the node the flow stopped at; a request that failed before any node ran
        # (bad step id, internal error on entry) is counted on its own.
        blamed = end or (entries[-1][0] if entries else None)
        if blamed is None:
            self.out.unattributed_failovers += 1
        else:
            self.out.count_node(blamed, step, "failovers")
        self.end = None


def traffic_stats(records: Iterable[Any], since: Any = None, **options: Any) -> dict[str, Any]:
    """Count call-log records (optionally only those at/after ``since``) into a stats dict.

    ``since`` is a datetime, epoch seconds or an ISO 8601 string. Used by the server's stats
    endpoint; :meth:`Traffic.from_stats` reads the result back. ``options`` are those of
    :meth:`Traffic.from_records` (``kinds``, ``version``, ``window``).
    """
    return Traffic.from_records(records, since=since, **options).to_stats()


# --- helpers -----------------------------------------------------------------------------


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _order(record: Any) -> tuple[float, int]:
    """Sort key within a call: time, then the server's per-call request counter when present."""
    try:
        when = _as_datetime(_get(record, "time"), "time").timestamp()
    except TrafficError:
        when = 0.0
    counter = _get(record, "request")
    return when, counter if isinstance(counter, int) and not isinstance(counter, bool) else 0


def _node_table(data: Any) -> dict[str, NodeTraffic]:
    return {str(nid): NodeTraffic(**{k: int(v.get(k, 0)) for k in _COUNTS}) for nid, v in dict(data).items()}


def _edge_table(data: list[Any]) -> dict[tuple[str, str], int]:
    return {(str(e["source"]), str(e["branch"])): int(e["count"]) for e in data}


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
