"""Faults for bench/reliability.py: each injected into a real server while it answers a steady
stream of calls; prints the answer latency while the fault lasts, records lost, and how long
answers (or the call log) take to recover once it clears."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from reliability_support import SECRET_HEADER, Probe, Server, figure, logged, pct, probe, server
from services import free_port

from flowgraph.runtime.deadline import DEFAULT_DEADLINE_MS

DEADLINE_S = DEFAULT_DEADLINE_MS / 1000
FAILOVER = b'[{"transfer":{"type":"department","data":["5001"]}}]'
FOUND = b'[{"transfer":{"type":"number","data":["9988776655"]}}]'


class LookupAPI(BaseHTTPRequestHandler):
    """A lookup API whose behaviour the battery switches through a file: ok, hang, or 500."""

    mode_file = Path("/dev/null")

    def do_GET(self) -> None:
        mode = LookupAPI.mode_file.read_text().strip()
        if mode == "hang":
            time.sleep(5)
        if mode == "500":
            self.send_response(500)
            self.end_headers()
            return
        body = b'{"agent": "9988776655"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the server gave up waiting: fine
            self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class LookupProcess:
    """The lookup API in its own process, so its threads never slow the battery's client."""

    def __init__(self, port: int, tmp: Path):
        self.port, self.mode_file = port, tmp / "lookup-mode"
        self.set("ok")
        self.proc: subprocess.Popen[bytes] | None = None

    def set(self, mode: str) -> None:
        self.mode_file.write_text(mode)

    def start(self) -> None:
        cmd = [sys.executable, __file__, "--lookup-api", str(self.port), str(self.mode_file)]
        self.proc = subprocess.Popen(cmd)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def lookup_flow(url: str) -> dict[str, Any]:
    return {
        "id": "lookup",
        "entry": "fetch",
        "settings": {"failover": {"type": "department", "data": ["5001"]}},
        "nodes": [
            {
                "id": "fetch",
                "type": "lookup",
                "source": {"kind": "http", "url": url, "timeout_ms": 800},
                "branches": {"found": "agent", "not_found": "desk", "error": "desk"},
            },
            {"id": "agent", "type": "transfer", "transfer": "number", "targets": ["{{fetch.agent}}"]},
            {"id": "desk", "type": "transfer", "transfer": "department", "targets": ["5001"]},
        ],
    }


async def during(
    srv: Server,
    flow: str,
    inject: Callable[[], None],
    clear: Callable[[], None],
    hold_s: float,
    prefix: str,
    good: bytes | None = None,
    rate: float = 50,
) -> tuple[list[Probe], list[Probe], float]:
    """Probe ``flow`` before, during (``hold_s``) and after a fault: (during, after, recovery s)."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        probe(srv.base + f"/dialplan/{flow}", {SECRET_HEADER: srv.secret(flow)}, stop, rate, prefix)
    )
    await asyncio.sleep(1)
    before = await asyncio.to_thread(server_slow, srv)
    t0 = time.perf_counter()
    await asyncio.to_thread(inject)
    await asyncio.sleep(hold_s)
    await asyncio.to_thread(clear)
    t1 = time.perf_counter()
    after_slow = await asyncio.to_thread(server_slow, srv)
    SERVER_SLOW["last"] = (after_slow[0] - before[0], after_slow[1] - before[1])
    await asyncio.sleep(3)
    stop.set()
    probes = await task
    inside = [p for p in probes if t0 <= p.due <= t1]
    if good is None:  # the normal answer is what came back before the fault
        good = next((p.body for p in probes if p.due < t0 and p.status == 200), b"")
    after = [p for p in probes if p.due > t1]
    ok_after = [p for p in after if p.status == 200 and (good is None or p.body == good)]
    recovery = (ok_after[0].due - t1) if ok_after else float("inf")
    return inside, probes, recovery


#: Server-side counts of the last fault window: (answers over 2.5 s, answers).
SERVER_SLOW: dict[str, tuple[int, int]] = {"last": (0, 0)}


def server_slow(srv: Server) -> tuple[int, int]:
    """(answers slower than 2.5 s, all answers) from the server's own latency histogram."""
    import httpx

    text = httpx.get(srv.base + "/metrics", timeout=30).text
    values = {}
    for line in text.splitlines():
        if line.startswith("flowgraph_dialplan_latency_seconds_bucket"):
            values[line.split('le="')[1].split('"')[0]] = int(line.rsplit(" ", 1)[1])
    return values.get("+Inf", 0) - values.get("2.5", 0), values.get("+Inf", 0)


def report(name: str, inside: list[Probe], recovery: float, lost: int | None = None) -> None:
    bad = [p for p in inside if p.status != 200]
    late = [p for p in inside if p.latency > DEADLINE_S]
    lat = [p.latency for p in inside]
    figure(
        f"{name}: answers p99 / max",
        f"{pct(lat, 0.99):.0f} / {pct(lat, 1.0):.0f} ms ({len(inside)} calls)",
        f"<= {DEFAULT_DEADLINE_MS} ms",
        not late,
    )
    figure(f"{name}: non-200 answers", str(len(bad)), "0", not bad)
    slow, total = SERVER_SLOW["last"]
    figure(f"{name}: answers over 2.5 s, server-side", f"{slow} of {total}", "0", slow == 0)
    if lost is not None:
        figure(f"{name}: call-log records lost", str(lost), "0", lost == 0)
    figure(
        f"{name}: recovery after the fault clears",
        f"{recovery * 1000:.0f} ms",
        "finite",
        recovery != float("inf"),
    )


def db_lock(srv: Server) -> None:
    holder: dict[str, sqlite3.Connection] = {}

    def inject() -> None:
        conn = sqlite3.connect(srv.db, timeout=30, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")  # the database's write lock, as a long migration would hold it
        holder["conn"] = conn

    def clear() -> None:
        holder["conn"].execute("ROLLBACK")
        holder["conn"].close()

    inside, probes, _ = asyncio.run(during(srv, "delivery_agents", inject, clear, 10, "lock"))
    t_clear = time.perf_counter()
    srv.drained(120)
    caught_up = time.perf_counter() - t_clear
    answered = sum(p.status == 200 for p in probes)
    lost = answered - logged(srv.db, "lock-%")
    report("db write lock 10 s", inside, caught_up, lost)


def lookup_faults(srv: Server, tmp: Path) -> None:
    api = LookupProcess(free_port(), tmp)
    api.start()
    try:
        srv.publish(lookup_flow(f"http://127.0.0.1:{api.port}/agent"))
        for mode, name in (("hang", "lookup API hangs"), ("500", "lookup API answers 500")):
            inside, _, recovery = asyncio.run(
                during(srv, "lookup", lambda m=mode: api.set(m), lambda: api.set("ok"), 5, f"lk{mode}", FOUND)
            )
            report(name, inside, recovery)
            wrong = [p for p in inside if p.body not in (FAILOVER, FOUND)]
            figure(f"{name}: not the failover", str(len(wrong)), "0", not wrong)
        inside, _, recovery = asyncio.run(during(srv, "lookup", api.stop, api.start, 5, "lkrefused", FOUND))
        report("lookup API refuses connections", inside, recovery)
    finally:
        api.stop()


async def sigterm_run(srv: Server) -> tuple[list[Probe], float]:
    stop = asyncio.Event()
    task = asyncio.create_task(
        probe(
            srv.base + "/dialplan/delivery_agents",
            {SECRET_HEADER: srv.secret("delivery_agents")},
            stop,
            200,
            "term",
        )
    )
    await asyncio.sleep(2)
    t0 = time.perf_counter()
    srv.proc.proc.send_signal(signal.SIGTERM)
    await asyncio.to_thread(srv.proc.proc.wait, 60)
    took = time.perf_counter() - t0
    stop.set()
    return await task, took


def sigterm(tmp: Path) -> None:
    with server(tmp / "sigterm") as srv:
        srv.secret("delivery_agents")
        probes, took = asyncio.run(sigterm_run(srv))
        answered = sum(p.status == 200 for p in probes)
        lost = answered - logged(srv.db, "term-%")
        figure("SIGTERM under 200 calls/s: exit took", f"{took * 1000:.0f} ms", "bounded (< 10 s)", took < 10)
        figure("SIGTERM: answered calls not in the call log", f"{lost} of {answered}", "0", lost == 0)


def redis_faults(tmp: Path) -> None:
    exe = shutil.which("redis-server")
    if exe is None:
        figure("redis", "skipped: redis-server not installed")
        return
    port = free_port()
    cmd = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp)]
    holder = {"proc": subprocess.Popen(cmd, stdout=subprocess.DEVNULL)}
    time.sleep(0.5)
    env = {"FLOWGRAPH_REDIS_URL": f"redis://127.0.0.1:{port}/0", "FLOWGRAPH_CONTEXT_STORE": "redis"}
    try:
        with server(tmp / "redis", env=env) as srv:
            freeze = (
                lambda: os.kill(holder["proc"].pid, signal.SIGSTOP),
                lambda: os.kill(holder["proc"].pid, signal.SIGCONT),
            )
            inside, _, recovery = asyncio.run(during(srv, "nested_three_steps", *freeze, 5, "rfreeze"))
            report("redis frozen (SIGSTOP) 5 s", inside, recovery)

            def stop() -> None:
                holder["proc"].terminate()
                holder["proc"].wait(10)

            def start() -> None:
                holder["proc"] = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)

            inside, _, recovery = asyncio.run(during(srv, "nested_three_steps", stop, start, 5, "rstop"))
            report("redis stopped 5 s", inside, recovery)
    finally:
        holder["proc"].terminate()
        holder["proc"].wait(10)


def faults(tmp: Path, redis: bool = False) -> None:
    """Run every fault; each on the server it needs."""
    with server(tmp / "faults") as srv:
        db_lock(srv)
        lookup_faults(srv, tmp)
    sigterm(tmp)
    if redis:
        redis_faults(tmp)


if __name__ == "__main__" and sys.argv[1:2] == ["--lookup-api"]:
    LookupAPI.mode_file = Path(sys.argv[3])
    httpd = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), LookupAPI)
    httpd.daemon_threads = True
    httpd.serve_forever()
