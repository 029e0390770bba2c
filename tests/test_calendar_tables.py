"""Holiday calendars kept as server tables (flowgraph/runtime/calendars.py with
flowgraph/runtime/tables.py): read from the request's view, parsed once per version, failing open
when missing or broken; the publish check (FG533) against the server's catalogue; the upload rule
for tables keyed by ``date`` (flowgraph/tablefile.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from flowgraph.checks import check
from flowgraph.checks.context import CheckOptions
from flowgraph.compile.compiler import compile_flow
from flowgraph.load import flow_from_data
from flowgraph.runtime import calendars
from flowgraph.runtime.callvars import parse_call_vars
from flowgraph.runtime.engine import Answer, Runtime
from flowgraph.runtime.tables import PackedRows, TableSet, TableVersion, bind_view, unbind_view
from flowgraph.tablefile import TableFileError, parse_csv, parse_json

ROOT = Path(__file__).resolve().parents[1]
HOLIDAY, DESK = b"400391", b"400300"


def flow_doc(unavailable: str = "hours") -> dict[str, Any]:
    doc = json.loads((ROOT / "examples" / "holiday_hours.json").read_text())
    doc["tables"] = {"india": {"server": True, "columns": ["name"]}}
    doc["nodes"][0]["cases"][0]["when"]["except"] = {"calendar": "india", "unavailable": unavailable}
    doc["nodes"][3]["cases"][0]["when"]["only"] = {"calendar": "india"}
    doc["tests"] = []
    return doc


def version(number: int, rows: dict[str, list[str]], columns: tuple[str, ...] = ("name",)) -> TableVersion:
    return TableVersion("india", number, "date", PackedRows.build(columns, rows))


def ask(runtime: Runtime, tables: TableSet | None, day: str) -> tuple[Answer, dict[str, int]]:
    call = parse_call_vars({"call_id": day, "uuid": "u", "start_stamp": f"{day} 10:00:00"})

    async def go() -> tuple[Answer, dict[str, int]]:
        if tables is None:
            return await runtime.answer("entry", call), {}
        view, token = bind_view(tables)
        try:
            return await runtime.answer("entry", call), view.used
        finally:
            unbind_view(token)

    return asyncio.run(go())


def runtime(unavailable: str = "hours") -> Runtime:
    return Runtime(compile_flow(flow_from_data(flow_doc(unavailable))))


def test_the_live_version_decides_and_a_new_version_is_live_at_once() -> None:
    live, tables = runtime(), TableSet()
    tables.put(version(1, {"2026-01-26": ["Republic Day"]}))
    answer, used = ask(live, tables, "2026-01-26")
    assert HOLIDAY in answer.body and used == {"india": 1}
    assert answer.decisions is not None and answer.decisions[0].name == "Republic Day"
    tables.put(version(2, {"2026-08-15": ["Independence Day"]}))
    answer, used = ask(live, tables, "2026-01-26")
    assert DESK in answer.body and used == {"india": 2}


def test_each_version_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    real = calendars.read_version

    def counting(v: TableVersion) -> tuple[dict[str, str], str]:
        reads.append(v.number)
        return real(v)

    monkeypatch.setattr(calendars, "read_version", counting)
    live, tables = runtime(), TableSet()
    tables.put(version(1, {"2026-01-26": ["Republic Day"]}))
    for day in ("2026-01-26", "2026-01-27", "2026-01-26"):
        ask(live, tables, day)
    tables.put(version(2, {"2026-01-27": ["x"]}))
    ask(live, tables, "2026-01-26")
    assert reads == [1, 2]  # two switches, three calls: one parse per version


@pytest.mark.parametrize(
    ("rows", "columns", "note"),
    [
        (None, ("name",), "calendar 'india' is not on this server"),
        (
            {"2026-01-26": ["Republic Day"]},
            ("label",),
            "calendar 'india' has no 'name' column (columns: label)",
        ),
        (
            {"26/01/2026": ["Republic Day"]},
            ("name",),
            "calendar 'india' row '26/01/2026' is not a date YYYY-MM-DD",
        ),
        ({}, ("name",), "calendar 'india' is empty"),
    ],
)
def test_a_missing_or_broken_server_calendar_fails_open(
    rows: dict[str, list[str]] | None, columns: tuple[str, ...], note: str
) -> None:
    tables = TableSet()
    if rows is not None:
        tables.put(version(1, rows, columns))
    answer, _used = ask(runtime(), tables, "2026-01-26")
    assert DESK in answer.body and answer.failover_reason is None  # the hours decide
    assert answer.decisions is not None and answer.decisions[0].note == note
    closed, _ = ask(runtime("no_match"), tables, "2026-01-26")
    assert closed.decisions is not None and closed.decisions[0].rule == "calendar_unavailable"


def test_outside_a_live_request_a_server_calendar_is_skipped() -> None:
    answer, _ = ask(runtime(), None, "2026-01-26")
    assert DESK in answer.body
    assert answer.decisions is not None
    assert (
        answer.decisions[0].note == "calendar 'india' is a server table: only the live server reads its dates"
    )


def fg533(server_tables: dict[str, Any] | None) -> list[str]:
    found = check(flow_from_data(flow_doc()), CheckOptions(server_tables=server_tables))
    return [f"{d.severity}: {d.message}" for d in found if d.code == "FG533"]


def test_publish_warns_about_a_server_calendar_it_cannot_read() -> None:
    live = {"version": 3, "key": "date", "columns": ["name"], "rows": 18, "text_keys": 18}
    assert fg533(None) == []  # offline nothing is known of the server
    assert fg533({"india": live}) == []
    missing = fg533({})
    assert len(missing) == 2 and missing[0].startswith("warning: calendar 'india' is not on this server")
    assert "has no 'name' column" in fg533({"india": {**live, "columns": ["label"]}})[0]
    assert "is empty" in fg533({"india": {**live, "rows": 0}})[0]


def problems(data: bytes, fmt: str = "csv") -> list[tuple[str, str]]:
    with pytest.raises(TableFileError) as err:
        (parse_json if fmt == "json" else parse_csv)(data, "table 'india'")
    return list(err.value.problems)


def test_a_table_keyed_by_date_must_hold_real_dates_and_names() -> None:
    assert problems(b"date,name\n2026-01-26,Republic Day\n2026-02-30,x\n26-01-2026,y\n") == [
        ("line 3, column 1 (date)", "key '2026-02-30' is not a real date YYYY-MM-DD (a calendar's key)"),
        ("line 4, column 1 (date)", "key '26-01-2026' is not a real date YYYY-MM-DD (a calendar's key)"),
    ]
    assert problems(b"date,label\n2026-01-26,x\n") == [
        (
            "line 1",
            "a calendar (key column 'date') needs a 'name' column for each date's name (columns: date, label)",
        )
    ]
    doc = {"columns": ["name", "date"], "key": "date", "rows": [["Republic Day", "2026-1-26"]]}
    assert problems(json.dumps(doc).encode(), "json") == [
        ("rows[0][1] (date)", "key '2026-1-26' is not a real date YYYY-MM-DD (a calendar's key)")
    ]
    table = parse_csv((ROOT / "examples" / "calendars" / "india_fixed.csv").read_bytes(), "table 'india'")
    assert table.key == "date" and table.columns == ("name",) and len(table.rows) == 18
    other = parse_csv(b"day,label\n26/01/2026,x\n", "table 'other'")  # not keyed by date: any text
    assert len(other.rows) == 1


def test_the_plan_of_a_server_calendar_is_what_compile_answers() -> None:
    from flowgraph.server.stage_models import PlanOut

    plan = compile_flow(flow_from_data(flow_doc())).plan()
    PlanOut.model_validate(plan)  # /compile answers it (the plan model forbids other keys)
    rule = plan["steps"][0]["ops"]["hours"]["cases"][0]["when"]["except"]
    assert rule["calendar"] == "india" and "server table" in rule["problem"]
