"""Server tables on the hot path: packed rows, one version per request, binding into a compiled
flow, and the failover when the process lacks a table."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path

import pytest

from flowgraph.compile.compiler import compile_flow
from flowgraph.diagnostics import FlowLoadError
from flowgraph.load import flow_from_data
from flowgraph.runtime.engine import Runtime
from flowgraph.runtime.tables import (
    PackedRows,
    TableSet,
    TableVersion,
    bind_server_tables,
    bind_view,
    unbind_view,
)

ROOT = Path(__file__).resolve().parents[1]


def rows(**values: str) -> PackedRows:
    return PackedRows.build(("agent",), {k: [v] for k, v in values.items()})


def test_exact_and_prefix_and_the_stored_form() -> None:
    packed = PackedRows.build(
        ("region", "agent"), {"981": ["north", "1"], "98": ["wide", "2"], "9840": ["south", "3"]}
    )
    assert packed.find("+919811111111", "prefix") == {"region": "north", "agent": "1"}
    assert packed.find("9850000000", "prefix") == {"region": "wide", "agent": "2"}
    assert packed.find("981") == {"region": "north", "agent": "1"} and packed.find("9811") is None
    again = PackedRows.from_bytes(packed.to_bytes())
    assert (
        list(again)
        == list(packed)
        == [("98", ["wide", "2"]), ("981", ["north", "1"]), ("9840", ["south", "3"])]
    )
    assert PackedRows.build((), {}).find("x") is None


def flow(mode: str = "per_step") -> dict:
    doc = json.loads((ROOT / "examples" / "registered_users.json").read_text())
    doc["tables"] = {"registered": {"server": True, "columns": ["name", "agent_id"]}}
    doc["tests"] = []
    doc["settings"]["failover"] = {"type": "number", "data": ["9000000999"]}
    return doc


def run(runtime: Runtime, tables: TableSet, caller: str) -> tuple[bytes, dict[str, int], str | None]:
    async def go() -> tuple[bytes, dict[str, int], str | None]:
        view, token = bind_view(tables)
        try:
            answer = await runtime.answer("entry", call(caller))
        finally:
            unbind_view(token)
        return answer.body, view.used, answer.failover_reason

    return asyncio.run(go())


def call(caller: str):  # type: ignore[no-untyped-def]
    from flowgraph.runtime.callvars import parse_call_vars

    return parse_call_vars({"caller_id_number": caller, "call_id": "1", "uuid": "u"})


def test_a_bound_flow_reads_the_live_version_and_records_it() -> None:
    parsed = flow_from_data(flow())
    runtime = Runtime(bind_server_tables(compile_flow(parsed), parsed))
    tables = TableSet()
    tables.put(
        TableVersion(
            "registered",
            4,
            "number",
            PackedRows.build(("name", "agent_id"), {"9876543210": ["A", "05000011"]}),
        )
    )
    body, used, reason = run(runtime, tables, "+919876543210")
    assert b"05000011" in body and used == {"registered": 4} and reason is None
    tables.drop("registered")
    body, used, reason = run(runtime, tables, "+919876543210")
    assert b"9000000999" in body and reason is not None and reason.startswith("table_missing")


def test_unbound_server_tables_are_empty_and_inline_tables_unchanged() -> None:
    parsed = flow_from_data(flow())
    answer = Runtime(compile_flow(parsed)).answer_sync("entry", {"caller_id_number": "9876543210"})
    assert b"22590" in answer.body  # not found: the IVR, never a guess
    inline = flow_from_data(json.loads((ROOT / "examples" / "registered_users.json").read_text()))
    assert bind_server_tables(compiled := compile_flow(inline), inline) is compiled


def test_a_server_table_keeps_no_rows_in_the_document() -> None:
    doc = copy.deepcopy(flow())
    doc["tables"]["registered"]["rows"] = {"9876543210": {"name": "A", "agent_id": "1"}}
    with pytest.raises(FlowLoadError, match="keeps its rows on the server"):
        flow_from_data(doc)
