"""Holiday calendars through the real interfaces: ``flowgraph simulate`` and ``flowgraph check`` on
the shipped example, a broken calendar failing open, the date in the flow's zone, the model.

The live server in both deployment modes is tests/server/test_holidays_live.py.
"""

from __future__ import annotations

import copy
import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from flowgraph.checks import check
from flowgraph.cli import main
from flowgraph.compile.compiler import compile_flow
from flowgraph.diagnostics import FlowgraphError
from flowgraph.load import flow_from_data
from flowgraph.runtime.engine import Runtime
from flowgraph.simulate.interpret import walk
from flowgraph.simulate.platform import CallScript
from flowgraph.simulate.simulator import simulate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "holiday_hours.json"
CSV = ROOT / "examples" / "calendars" / "india_fixed.csv"


def doc() -> dict[str, Any]:
    return copy.deepcopy(json.loads(EXAMPLE.read_text()))


def simulate_cli(capsys: pytest.CaptureFixture[str], path: Path, at: str, *extra: str) -> str:
    assert main(["simulate", str(path), "--caller", "+919812345678", "--at", at, *extra]) == 0
    return capsys.readouterr().out


def test_the_shipped_csv_is_the_example_table_and_only_fixed_national_holidays() -> None:
    with CSV.open(newline="") as f:
        rows = {r["date"]: {"name": r["name"]} for r in csv.DictReader(f)}
    assert rows == doc()["tables"]["india_fixed"]["rows"]
    assert {(d[5:], r["name"]) for d, r in rows.items()} == {
        ("01-26", "Republic Day"),
        ("08-15", "Independence Day"),
        ("10-02", "Gandhi Jayanti"),
    }


def test_simulate_cli_routes_a_holiday_to_closed_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    out = simulate_cli(capsys, EXAMPLE, "2026-01-26 10:00")
    assert "hears system recording 400391" in out
    assert "decided: hours -> default: 'open' not taken, holiday Republic Day (2026-01-26)" in out
    normal = simulate_cli(capsys, EXAMPLE, "2026-01-27 10:00", "--mode", "single")
    assert "transferred to number 9810000001, 9810000002" in normal
    assert "decided: hours -> open: in hours" in normal
    late = simulate_cli(capsys, EXAMPLE, "2026-01-27 18:00")
    assert "hears system recording 400390" in late and "'open' not taken, outside hours" in late


@pytest.mark.parametrize("broken", ["empty", "bad_key", "no_name", "missing"])
def test_a_broken_calendar_fails_open_with_a_warning(
    broken: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = doc()
    table = data["tables"]["india_fixed"]
    if broken == "empty":
        table["rows"] = {}
    elif broken == "bad_key":
        table["rows"]["2026-13-01"] = {"name": "Nonsense"}
    elif broken == "no_name":
        table["columns"] = ["holiday"]
        table["rows"] = {d: {"holiday": r["name"]} for d, r in table["rows"].items()}
    else:
        del data["tables"]["india_fixed"]
    data["tests"] = []
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    assert main(["check", str(path)]) == 0  # a warning: publishing is not blocked
    err = capsys.readouterr()
    assert "FG533" in err.out + err.err
    out = simulate_cli(capsys, path, "2026-01-26 10:00")
    # Republic Day in hours: the calendar cannot say so, the hours decide (open), and it says why.
    assert "transferred to number 9810000001, 9810000002" in out
    assert "date rule skipped: hours decide" in out


def test_no_match_makes_a_broken_calendar_close_the_case() -> None:
    data = doc()
    data["tables"]["india_fixed"]["rows"] = {}
    data["nodes"][0]["cases"][0]["when"]["except"]["unavailable"] = "no_match"
    flow = flow_from_data(data)
    script = CallScript(caller="+919812345678", start=datetime(2026, 1, 27, 10, 0))
    journey = simulate(flow, script)
    assert journey == walk(flow, script)
    assert journey.path[:2] == ["hours", "why_closed"]
    assert journey.decisions[0].rule == "calendar_unavailable"
    assert [d.code for d in check(flow)].count("FG533") == 2


def test_the_date_is_the_calls_date_in_the_flows_zone() -> None:
    runtime = Runtime(compile_flow(flow_from_data(doc())))
    # 20:00 UTC on 25 January is 01:30 IST on Republic Day.
    stamp = "2026-01-25T20:00:00+00:00"
    answer = runtime.answer_sync("entry", {"caller_id_number": "9812345678", "start_stamp": stamp})
    assert answer.decisions is not None and answer.decisions[0].day == "2026-01-26"
    assert answer.decisions[0].name == "Republic Day"


def test_listed_dates_must_be_real_dates() -> None:
    data = doc()
    data["nodes"][0]["cases"][0]["when"]["except"] = {"dates": ["2026-02-30"]}
    with pytest.raises(FlowgraphError, match="2026-02-30"):
        flow_from_data(data)


def test_listed_dates_without_a_calendar_need_no_name() -> None:
    data = doc()
    data["nodes"][0]["cases"][0]["when"]["except"] = {"dates": ["2026-01-27"]}
    flow = flow_from_data(data)
    script = CallScript(caller="+919812345678", start=datetime(2026, 1, 27, 10, 0))
    journey = simulate(flow, script)
    assert journey == walk(flow, script)
    assert journey.decisions[0].reason() == "holiday 2026-01-27"
