"""Helpers for bench/reliability.py: a real server on 127.0.0.1, open-loop probes, call-log counts.

Nothing here asserts; the battery prints figures and compares them with targets.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from services import ServerProcess, flowgraph_server  # noqa: E402

from flowgraph.store.db import make_engine  # noqa: E402
from flowgraph.store.flows import FlowStore  # noqa: E402

EXAMPLES = ROOT / "examples"
SECRET_HEADER = "X-Flowgraph-Secret"
CALL = {"caller_id_number": "+919876543210", "call_to_number": "+918000000000"}


@dataclass
class Server:
    """A running ``flowgraph serve`` seeded with the examples, on a SQLite file."""

    proc: ServerProcess
    db: Path
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.proc.base_url

    def secret(self, flow_id: str) -> str:
        if flow_id not in self.secrets:
            engine = make_engine(f"sqlite:///{self.db}")
            try:
                self.secrets[flow_id] = FlowStore(engine).secret(flow_id)
            finally:
                engine.dispose()
        return self.secrets[flow_id]

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, self.base + path, headers=self.proc.auth, timeout=120, **kw)

    def publish(self, doc: dict[str, Any]) -> httpx.Response:
        self.api("POST", "/api/flows", json=doc)
        return self.api("POST", f"/api/flows/{doc['id']}/publish", json={"note": "bench"})

    def health(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(self.base + "/healthz", timeout=10).json()
        return body

    def drained(self, timeout_s: float = 60) -> bool:
        """Wait until the call log has nothing queued (True) or ``timeout_s`` passed (False)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.health().get("call_log", {}).get("queued", 1) == 0:
                return True
            time.sleep(0.1)
        return False


@contextmanager
def server(tmp: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    tmp.mkdir(parents=True, exist_ok=True)
    db = tmp / "flowgraph.db"
    args = ("--seed-examples", str(EXAMPLES))
    with flowgraph_server(f"sqlite:///{db}", args=args, env=env, workdir=tmp) as proc:
        yield Server(proc, db)


def logged(db: Path, like: str) -> int:
    """Call-log rows whose call_id matches the SQL pattern ``like`` (read straight from the file)."""
    with sqlite3.connect(db, timeout=30) as conn:
        return int(conn.execute("SELECT count(*) FROM call_log WHERE call_id LIKE ?", (like,)).fetchone()[0])


@dataclass
class Probe:
    """One scheduled request: when it was due, how long it took from then, what came back."""

    due: float
    latency: float
    status: int
    body: bytes


async def post_raw(
    url: str, headers: dict[str, str], body: bytes, timeout_s: float = 60
) -> tuple[int, bytes]:
    """One POST on its own connection (no client pool to queue in: what is timed is the server)."""
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, port = host_port.split(":")
    head = f"POST /{path} HTTP/1.1\r\nHost: {host_port}\r\nContent-Type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    async with asyncio.timeout(timeout_s):
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(head.encode() + body)
            data = await reader.read()
        finally:
            writer.close()
    status_line, _, rest = data.partition(b"\r\n")
    parts = status_line.split()
    return (int(parts[1]) if len(parts) > 1 else 0), rest.partition(b"\r\n\r\n")[2]


async def probe(
    url: str, headers: dict[str, str], stop: asyncio.Event, rate: float, prefix: str
) -> list[Probe]:
    """Send one request every 1/rate s until ``stop`` (open loop: latency counts from the due time)."""
    results: list[Probe] = []
    tasks: list[asyncio.Task[None]] = []

    async def one(i: int, due: float) -> None:
        body = orjson.dumps({**CALL, "call_id": f"{prefix}-{i}", "uuid": f"{prefix}-u{i}"})
        try:
            status, content = await post_raw(url, headers, body)
        except (OSError, TimeoutError) as exc:
            status, content = 0, type(exc).__name__.encode()
        results.append(Probe(due, time.perf_counter() - due, status, content))

    start, i = time.perf_counter(), 0
    while not stop.is_set():
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
        i += 1
    await asyncio.gather(*tasks)
    return sorted(results, key=lambda p: p.due)


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of ``values`` in ms (nearest rank); 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000


def figure(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
    """Print one line: name, value, target and whether it was met."""
    verdict = "" if ok is None else ("  ok" if ok else "  MISSED")
    print(f"{name:<44} {value}{'  (target ' + target + ')' if target else ''}{verdict}", flush=True)
