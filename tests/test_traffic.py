"""Traffic counts from call-log records and stats documents."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flowgraph.pictures.traffic import Traffic, TrafficError, traffic_stats
from flowgraph.pictures.windows import window_start


def _record(call_id: str, time: object, trace: list, end: str | None, failover: str | None = None) -> dict:
    return {
        "time": time,
        "call_id": call_id,
        "trace": [{"node": n, "branch": b} for n, b in trace],
        "end": end,
        "failover_reason": failover,
    }


RECORDS = [
    # Call 1: entry step plays the menu; continuation step takes option 1 to sales.
    _record("c1", "2025-01-01T10:00:00+00:00", [("welcome", "next"), ("menu", None)], "menu"),
    _record("c1", "2025-01-01T10:00:05+00:00", [("menu", "1"), ("sales", None)], "sales"),
    # Call 2: no input, then hangs up.
    _record("c2", 1735725600.0, [("welcome", "next"), ("menu", None)], "menu"),
    _record("c2", "1735725610", [("menu", "no_input"), ("bye", None)], "bye"),
    # Call 3: the lookup failed over inside the flow; call 4 failed before any node ran.
    _record("c3", "2025-01-02T09:00:00Z", [("welcome", "next"), ("find", None)], None, "lookup timeout"),
    _record("c4", "2025-01-02T09:30:00", [], None, "unknown step"),
]


def _counts(**given: int) -> dict[str, int]:
    return {"calls": 0, "visits": 0, "ended": 0, "failovers": 0, "unknown": 0, "sent": 0, **given}


def test_counts_visits_edges_ends_and_failovers() -> None:
    stats = traffic_stats(RECORDS)
    assert stats["calls"] == 4
    assert stats["requests"] == 6
    assert stats["failovers"] == 2
    assert stats["unattributed_failovers"] == 1
    assert stats["nodes"]["welcome"] == _counts(calls=3, visits=3)
    # Played in one request, its key read in the next: one visit per call, not two.
    assert stats["nodes"]["menu"] == _counts(calls=2, visits=2)
    assert stats["nodes"]["find"] == _counts(calls=1, visits=1, failovers=1)
    assert stats["nodes"]["sales"]["ended"] == 1
    assert stats["edges"] == [
        {"source": "menu", "branch": "1", "count": 1},
        {"source": "menu", "branch": "no_input", "count": 1},
        {"source": "welcome", "branch": "next", "count": 3},
    ]
    # JSON-able and stable.
    assert json.dumps(stats, sort_keys=True) == json.dumps(traffic_stats(list(RECORDS)), sort_keys=True)


def test_since_keeps_only_recent_records() -> None:
    stats = traffic_stats(RECORDS, since="2025-01-02T00:00:00Z")
    assert stats["requests"] == 2
    assert stats["calls"] == 2
    assert "welcome" in stats["nodes"] and stats["nodes"]["welcome"]["visits"] == 1
    assert stats["since"] == "2025-01-02T00:00:00+00:00"
    assert stats["window"] == "since 2 Jan 2025 00:00 UTC"
    epoch = datetime(2025, 1, 1, 10, 0, 1, tzinfo=UTC).timestamp()
    assert traffic_stats(RECORDS, since=epoch)["requests"] == 4  # both 10:00:00 requests drop


def test_window_start_parses_durations() -> None:
    now = datetime(2025, 1, 2, 12, 0, tzinfo=UTC)
    assert window_start("24h", now) == datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert window_start("7d", now) == datetime(2024, 12, 26, 12, 0, tzinfo=UTC)
    with pytest.raises(TrafficError, match="24x"):
        window_start("24x", now)


def test_stats_round_trip() -> None:
    stats = traffic_stats(RECORDS)
    again = Traffic.from_stats(stats)
    assert again.to_stats() == stats
    assert again.edge("welcome", "next") == 3
    assert again.node("nowhere").visits == 0
    assert again.max_edge() == 3


def test_from_file_accepts_records_or_stats(tmp_path) -> None:
    records = tmp_path / "calls.json"
    records.write_text(json.dumps(RECORDS))
    stats = tmp_path / "stats.json"
    stats.write_text(json.dumps(traffic_stats(RECORDS)))
    assert Traffic.from_file(records).to_stats() == Traffic.from_file(stats).to_stats()


def test_bad_input_names_the_place(tmp_path) -> None:
    bad_time = [_record("c1", "yesterday", [], None)]
    with pytest.raises(TrafficError, match=r"record 0: time: 'yesterday'"):
        traffic_stats(bad_time, since="2025-01-01")
    bad_trace = [{"call_id": "c", "trace": [{"branch": "next"}]}]
    with pytest.raises(TrafficError, match=r"record 0: trace\[0\]: node"):
        traffic_stats(bad_trace)
    path = tmp_path / "calls.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(TrafficError, match=r"calls\.json: expected a list of call records"):
        Traffic.from_file(path)
    path.write_text("[1,")
    with pytest.raises(TrafficError, match=r"calls\.json: line 1"):
        Traffic.from_file(path)


KINDS = {"agent": "transfer", "support": "transfer", "help": "menu", "sorry": "play"}


def _call(call_id: str, *steps: tuple[str, list, str | None], version: str = "v1hash") -> list[dict]:
    return [
        {**_record(call_id, 1000 + hop, trace, end), "uuid": "u1", "step": step, "version": version}
        for hop, (step, trace, end) in enumerate(steps)
    ]


def test_an_answered_transfer_is_not_a_no_answer() -> None:
    """The no-answer continuation is sent with the transfer; nothing proves it ran."""
    records = [
        *_call("a1", ("entry", [("agent", "no_answer"), ("support", None)], "support")),
        *_call("a2", ("entry", [("agent", "no_answer"), ("support", None)], "support")),
    ]
    traffic = Traffic.from_records(records, kinds=KINDS)
    assert traffic.edge("agent", "no_answer") == 0
    assert traffic.unknown_edge("agent", "no_answer") == 2
    assert traffic.node("agent").to_json() == _counts(calls=2, visits=2, unknown=2)
    assert traffic.node("support").to_json() == _counts(sent=2)  # sent, outcome unknown


def test_a_fall_through_is_counted_when_the_continuation_request_proves_it() -> None:
    records = _call(
        "b1",
        ("entry", [("agent", "no_answer"), ("sorry", "next"), ("help", None)], None),
        ("after_help", [("help", "1"), ("support", None)], "support"),
    )
    traffic = Traffic.from_records(records, kinds=KINDS)
    assert traffic.edge("agent", "no_answer") == 1 and traffic.unknown_edge("agent", "no_answer") == 0
    assert traffic.edge("sorry", "next") == 1
    assert traffic.node("help").to_json() == _counts(calls=1, visits=1)
    assert traffic.node("agent").unknown == 0 and traffic.node("support").ended == 1


def test_records_of_one_call_group_by_call_id_and_uuid_in_time_order() -> None:
    # Newest first, as GET /calls lists them; the same call_id with another uuid is another call.
    records = list(
        reversed(_call("c1", ("entry", [("help", None)], None), ("after_help", [("help", "2")], None)))
    )
    records += _call("c1", ("entry", [("help", None)], None))
    records[-1]["uuid"] = "u2"
    traffic = Traffic.from_records(records, kinds=KINDS)
    assert traffic.calls == 2
    assert traffic.node("help").to_json() == _counts(calls=2, visits=2)


def test_counts_split_by_step_and_by_version() -> None:
    records = [
        *_call(
            "d1", ("entry", [("help", None)], None), ("after_help", [("help", "1"), ("sorry", "next")], None)
        ),
        *_call("d2", ("entry", [("help", None)], None), version="v2hash"),
    ]
    traffic = Traffic.from_records(records, kinds=KINDS)
    assert traffic.node("help", "entry").visits == 2
    assert traffic.node("sorry", "after_help").visits == 1 and traffic.node("sorry", "entry").visits == 0
    assert traffic.versions == {"v1hash": 1, "v2hash": 1}
    assert "2 versions together" in traffic.summary()
    v2 = Traffic.from_records(records, kinds=KINDS, version="v2")
    assert (v2.calls, v2.node("sorry").visits) == (1, 0)
    assert v2.summary() == "all records · version v2 · 1 call · 0 failovers"


def test_summary_reads_as_a_window() -> None:
    traffic = Traffic.from_records(RECORDS, window="24h")
    assert traffic.summary() == "last 24 h · 4 calls · 2 failovers"
    assert Traffic.from_stats(traffic.to_stats()).summary() == traffic.summary()


def test_the_picture_says_which_rule_decided_a_dated_time_case(tmp_path) -> None:
    """The call log's decisions (holiday, outside hours) are counted per switch and drawn on it."""
    from flowgraph.pictures.render import RULE_WORDS
    from flowgraph.runtime.calendars import RULES

    assert set(RULE_WORDS) == set(RULES)
    records = []
    for i, rule in enumerate(["excluded_date", "excluded_date", "outside_hours", "in_hours"]):
        took = "open" if rule == "in_hours" else "default"
        records.append(
            {
                "time": 1_790_000_000 + i,
                "call_id": f"h{i}",
                "step": "entry",
                "trace": [{"node": "hours", "branch": took}],
                "end": None,
                "failover_reason": None,
                "decisions": [{"node": "hours", "took": took, "case": "open", "rule": rule}],
            }
        )
    traffic = Traffic.from_records(records)
    assert traffic.rules_of("hours") == {"excluded_date": 2, "in_hours": 1, "outside_hours": 1}
    assert Traffic.from_stats(traffic.to_stats()).rules == traffic.rules
    calls = tmp_path / "calls.json"
    calls.write_text(json.dumps(records))
    out = tmp_path / "h.svg"
    example = Path(__file__).resolve().parents[1] / "examples" / "holiday_hours.json"
    cli = [
        sys.executable,
        "-m",
        "flowgraph.cli",
        "render",
        str(example),
        "-o",
        str(out),
        "--traffic",
        str(calls),
    ]
    subprocess.run(cli, check=True, capture_output=True, timeout=120)
    assert "decided: holiday 2, in hours 1, outside hours 1" in out.read_text()
