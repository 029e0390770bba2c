"""Calls benchmark: 1,000 calls at once through a menu, in each deployment mode, then the call log.

Each call is two requests, as the platform makes them: the entry (the caller is looked up in a
1,000-row table, then the menu's prompt) and the menu's continuation with ``last_dtmf`` (the
transfer to the agent found for *that* caller, carried across the menu by the call's context).
Every caller has their own agent, so an answer meant for another call is visible. All calls start
at once (one connection each, 1,000 in flight), on a real uvicorn with SQLite, in per-step mode
and then in single-dialplan mode.

Then it reads the call log (the server's own ``latency_ms`` per request) and prints, per mode:
client-side and server-side p50/p99, calls whose answers were wrong (mixed), and calls or
requests missing from the call log (lost). Targets: server-side p99 <= 100 ms, 0 lost, 0 mixed.

Run: ``.venv/bin/python bench/calls_bench.py [--calls 1000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from serve_bench import server

from flowgraph.compile.compiler import compile_flow
from flowgraph.load import flow_from_data
from flowgraph.store.db import create_all, make_engine
from flowgraph.store.flows import FlowStore


def caller(i: int) -> str:
    return f"98{i:08d}"


def agent(i: int) -> str:
    return f"05{i:06d}"


def bench_flow(flow_id: str, mode: str, calls: int) -> dict[str, Any]:
    """Lookup before the menu, transfer to the looked-up agent after it."""
    rows = {caller(i): {"agent_id": agent(i)} for i in range(calls)}
    return {
        "id": flow_id,
        "entry": "account",
        "settings": {"failover": {"type": "department", "data": ["5300"]}, "deployment": {"mode": mode}},
        "recordings": [{"id": "400101", "name": "menu"}],
        "tables": {"customers": {"columns": ["agent_id"], "rows": rows}},
        "nodes": [
            {
                "id": "account",
                "type": "lookup",
                "source": {"kind": "table", "table": "customers", "key": "{{caller_id_number}}"},
                "branches": {"found": "menu", "not_found": "ivr"},
            },
            {
                "id": "menu",
                "type": "menu",
                "recording": {"type": "system", "data": "400101"},
                "options": ["1", "2"],
                "max_length": 1,
                "branches": {"1": "own_agent", "2": "ivr", "no_input": "ivr", "invalid": "ivr"},
            },
            {"id": "own_agent", "type": "transfer", "transfer": "agent", "targets": ["{{account.agent_id}}"]},
            {"id": "ivr", "type": "transfer", "transfer": "ivr", "targets": ["22590"]},
        ],
    }


def prepare(directory: Path, calls: int) -> tuple[str, dict[str, str]]:
    url = f"sqlite:///{directory / 'calls.db'}"
    engine = make_engine(url)
    create_all(engine)
    store = FlowStore(engine)
    secrets = {}
    for flow_id, mode in (("calls_per_step", "per_step"), ("calls_single", "single")):
        doc = bench_flow(flow_id, mode, calls)
        store.create(doc)
        store.publish(flow_id, doc, compile_flow(flow_from_data(doc)).version, note="bench")
        secrets[flow_id] = store.secret(flow_id)
    engine.dispose()
    return url, secrets


async def one_call(port: int, flow_id: str, secret: str, i: int, gate: asyncio.Event) -> dict[str, Any]:
    """Two requests on one connection; what each answered and how long it took."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    base = {"uuid": f"u{i:x}", "call_id": f"1775719461.{i:06d}", "caller_id_number": "+91" + caller(i)}
    await gate.wait()
    out: dict[str, Any] = {"i": i, "latency": [], "bodies": []}
    try:
        for path, extra in ((f"/dialplan/{flow_id}", {}), (second_path(flow_id), {"last_dtmf": "1"})):
            body = orjson.dumps({**base, **extra})
            head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            head += f"X-Flowgraph-Secret: {secret}\r\nContent-Length: {len(body)}\r\n\r\n"
            started = time.perf_counter()
            writer.write(head.encode() + body)
            raw = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", raw).group(1))  # type: ignore[union-attr]
            out["bodies"].append(await reader.readexactly(length))
            out["latency"].append(time.perf_counter() - started)
    finally:
        writer.close()
    return out


def second_path(flow_id: str) -> str:
    return f"/dialplan/{flow_id}/after_menu" if flow_id == "calls_per_step" else f"/dialplan/{flow_id}"


async def run_calls(port: int, flow_id: str, secret: str, calls: int) -> list[dict[str, Any]]:
    gate = asyncio.Event()
    tasks = [asyncio.ensure_future(one_call(port, flow_id, secret, i, gate)) for i in range(calls)]
    await asyncio.sleep(0.5)  # let every connection open, then start all calls at once
    gate.set()
    return list(await asyncio.gather(*tasks))


def wrong_answers(results: list[dict[str, Any]]) -> int:
    """Calls whose continuation did not transfer to their own agent."""
    bad = 0
    for r in results:
        want = [[{"transfer": {"type": "agent", "data": [agent(r["i"])]}}]]
        menu_ok = b'"400101"' in r["bodies"][0] or b'"data":400101' in r["bodies"][0]
        if not menu_ok or orjson.loads(r["bodies"][1]) not in (want, want[0]):
            bad += 1
    return bad


def call_log(url: str, flow_id: str, expected: int, timeout_s: float = 30.0) -> list[Any]:
    """The flow's call-log rows, once ``expected`` have been written (the log is batched)."""
    from sqlalchemy import text

    engine = make_engine(url)
    deadline = time.monotonic() + timeout_s
    rows: list[Any] = []
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                rows = list(
                    conn.execute(
                        text(
                            "SELECT call_id, uuid, step, response, latency_ms, failover_reason "
                            "FROM call_log WHERE flow_id = :f"
                        ),
                        {"f": flow_id},
                    )
                )
            if len(rows) >= expected:
                break
            time.sleep(0.2)
    finally:
        engine.dispose()
    return rows


def log_figures(rows: list[Any], calls: int) -> dict[str, Any]:
    by_call: dict[str, list[Any]] = {}
    for row in rows:
        by_call.setdefault(row.call_id, []).append(row)
    lost_calls = sum(1 for i in range(calls) if f"1775719461.{i:06d}" not in by_call)
    lost_requests = 2 * calls - len(rows)
    mixed = 0
    for i in range(calls):
        mine = by_call.get(f"1775719461.{i:06d}", [])
        uuids = {r.uuid for r in mine}
        steps = sorted(r.step for r in mine)
        transfers = [r.response for r in mine if "transfer" in r.response]
        if (
            uuids - {f"u{i:x}"}
            or steps not in ([], ["after_menu", "entry"])
            or (transfers and agent(i) not in transfers[0])
        ):
            mixed += 1
    latencies = sorted(r.latency_ms for r in rows)
    return {
        "lost_calls": lost_calls,
        "lost_requests": lost_requests,
        "mixed": mixed,
        "failovers": sum(1 for r in rows if r.failover_reason),
        "p50": pct(latencies, 0.5),
        "p99": pct(latencies, 0.99),
    }


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="calls at once per mode (default 1000)")
    args = parser.parse_args(argv)
    print(f"calls bench: {args.calls} calls at once through a menu, per mode, 1 worker, SQLite")
    print(
        f"{'mode':10} {'client p50/p99 ms':>18} {'server p50/p99 ms':>18} {'wrong':>6} {'lost':>9} {'mixed':>6}"
    )
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp:
        url, secrets = prepare(Path(tmp), args.calls)
        env = {"FLOWGRAPH_DATABASE_URL": url, "FLOWGRAPH_ADMIN_TOKEN": "bench-admin-token"}
        with server(["--factory", "flowgraph.server.app:app_factory", "--backlog", "4096"], env) as port:
            for flow_id in ("calls_per_step", "calls_single"):
                results = asyncio.run(run_calls(port, flow_id, secrets[flow_id], args.calls))
                client = sorted(x * 1000 for r in results for x in r["latency"])
                figures = log_figures(call_log(url, flow_id, 2 * args.calls), args.calls)
                wrong = wrong_answers(results)
                lost = f"{figures['lost_calls']}c/{figures['lost_requests']}r"
                print(
                    f"{flow_id.removeprefix('calls_'):10} {pct(client, 0.5):8.1f}/{pct(client, 0.99):<9.1f}"
                    f" {figures['p50']:8.1f}/{figures['p99']:<9.1f} {wrong:6} {lost:>9} {figures['mixed']:6}"
                    + (f"  ({figures['failovers']} failovers)" if figures["failovers"] else "")
                )
                ok = figures["p99"] <= 100 and not (wrong or figures["lost_requests"] or figures["mixed"])
                verdicts.append(ok)
    print("targets: server-side p99 <= 100 ms, 0 lost, 0 mixed: " + ("OK" if all(verdicts) else "MISSED"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
