"""Holiday calendar benchmark: what reading a calendar kept on the server costs per request,
against the same calendar kept in the flow document, in one process (ratios, no wall-clock target).

``examples/holiday_hours.json`` (two switches with dated time cases: 18 holidays) is answered
``--calls`` times through :meth:`flowgraph.runtime.engine.Runtime.answer` for a mix of holidays and
normal days, three ways, interleaved in rounds so all see the same machine:

- ``document``: the calendar in the flow's ``tables`` (read at compile);
- ``server``: the same rows as a server table version, read through the request's table view
  (parsed once per version, :meth:`TableVersion.derived`);
- ``server, new version each round``: a fresh version per round, so each round pays one parse.

Run: ``.venv/bin/python bench/calendar_bench.py [--calls 20000] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from flowgraph.compile.compiler import compile_flow
from flowgraph.load import flow_from_data
from flowgraph.runtime.callvars import parse_call_vars
from flowgraph.runtime.engine import Runtime
from flowgraph.runtime.tables import PackedRows, TableSet, TableVersion, bind_view, unbind_view

ROOT = Path(__file__).resolve().parents[1]


def runtimes() -> tuple[Runtime, Runtime, dict[str, list[str]]]:
    doc = json.loads((ROOT / "examples" / "holiday_hours.json").read_text())
    rows = {k: [v["name"]] for k, v in doc["tables"]["india_fixed"]["rows"].items()}
    local = Runtime(compile_flow(flow_from_data(doc)))
    doc["tables"]["india_fixed"] = {"server": True, "columns": ["name"]}
    doc["tests"] = []
    server = Runtime(compile_flow(flow_from_data(doc)))
    return local, server, rows


async def answer_all(runtime: Runtime, calls: list, tables: TableSet | None) -> float:  # type: ignore[type-arg]
    start = time.perf_counter()
    for call in calls:
        if tables is None:
            await runtime.answer("entry", call)
            continue
        _view, token = bind_view(tables)
        try:
            await runtime.answer("entry", call)
        finally:
            unbind_view(token)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    local, server, rows = runtimes()
    days = ["2026-01-26", "2026-01-27", "2026-08-15", "2026-08-17"]
    calls = [
        parse_call_vars({"call_id": str(i), "uuid": "u", "start_stamp": f"{days[i % 4]} 10:00:00"})
        for i in range(args.calls)
    ]
    tables = TableSet()
    tables.put(TableVersion("india_fixed", 1, "date", PackedRows.build(("name",), rows)))
    best = {"document": float("inf"), "server": float("inf"), "server, new version each round": float("inf")}
    for r in range(args.rounds):
        best["document"] = min(best["document"], asyncio.run(answer_all(local, calls, None)))
        best["server"] = min(best["server"], asyncio.run(answer_all(server, calls, tables)))
        fresh = TableSet()
        fresh.put(TableVersion("india_fixed", r + 2, "date", PackedRows.build(("name",), rows)))
        key = "server, new version each round"
        best[key] = min(best[key], asyncio.run(answer_all(server, calls, fresh)))
    base = best["document"]
    print(f"{args.calls} answers per round, best of {args.rounds} rounds")
    for name, secs in best.items():
        print(f"  {name:32s} {secs * 1e6 / args.calls:7.1f} us/answer  ratio {secs / base:.2f}")


if __name__ == "__main__":
    main()
