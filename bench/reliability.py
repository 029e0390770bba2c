"""Reliability battery: a real ``flowgraph serve`` on 127.0.0.1, hostile input, load and faults.

Prints one line per figure, each with its target:

- fuzz: generated inputs (random and deeply nested JSON, random bytes, every content type, form
  and query bodies, huge bodies sent whole without ``Expect``, bad secrets, odd methods, random
  step ids): answers that are not 200 + a valid platform answer; call-log rows lost; a normal
  call afterwards is logged;
- calls: 1,000 concurrent calls through a menu in each deployment mode: calls that heard another
  journey, requests missing from or mixed in the call log;
- publish: while a flow at the documented maximum size is published, another flow's platform
  p99 (and over-limit flows refused with 413/422);
- faults (bench/reliability_faults.py): a database write lock held 10 s; a lookup API that hangs,
  answers 500 or refuses connections; SIGTERM under load; with ``--redis``, Redis stopped and
  frozen. For each: answer latency while it lasts, records lost, recovery time.

Run: ``.venv/bin/python bench/reliability.py [--fuzz 10000] [--only fuzz,calls,publish,faults] [--redis]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
from reliability_support import CALL, EXAMPLES, SECRET_HEADER, Server, figure, logged, pct, probe, server

from flowgraph.compile.emit import validate_response
from flowgraph.profile import PlatformProfile
from flowgraph.settings import ServerSettings

PROFILE = PlatformProfile()
FUZZ_FLOWS = ("delivery_agents", "nested_three_steps", "registered_users", "regional_routing")
KEYS = ("uuid", "call_id", "call_to_number", "caller_id_number", "start_stamp", "last_dtmf", "call_flow")
CTYPES = (
    None,
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/json; charset=utf-16",
    "garbage/\u00e9",
)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
UNKNOWN_FLOW = {"error": "unknown flow"}


# --- fuzz --------------------------------------------------------------------------------------


def scalar(rng: random.Random) -> Any:
    return rng.choice(
        [
            lambda: "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(0, 30))),
            lambda: rng.choice(["$last_dtmf", "$call_flow", "", " ", "+91-98XXXXXXXX", "12#", "null"]),
            lambda: rng.randint(-(2**70), 2**70),
            lambda: rng.random() * 1e300,
            lambda: rng.choice([True, False, None]),
        ]
    )()


def document(rng: random.Random, depth: int = 0) -> Any:
    if depth > 3 or rng.random() < 0.4:
        return scalar(rng)
    if rng.random() < 0.5:
        return [document(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = [rng.choice(KEYS) if rng.random() < 0.6 else scalar(rng) for _ in range(rng.randint(0, 8))]
    return {str(k): document(rng, depth + 1) for k in keys}


def nested_body(rng: random.Random) -> bytes:
    depth = rng.randint(200, 1100)
    opener, closer = rng.choice([(b'{"a":', b"}"), (b"[", b"]")])
    return b'{"uuid":"p","last_dtmf":"1","a":' + opener * depth + b"1" + closer * depth + b"}"


def body_of(rng: random.Random, kind: str) -> bytes:
    doc = document(rng)
    if kind == "json":
        return json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    if kind == "deep":
        return nested_body(rng)
    if kind == "form":
        items = doc.items() if isinstance(doc, dict) else [("last_dtmf", doc)]
        return "&".join(f"{quote(str(k))}={quote(str(v))}" for k, v in items).encode()
    if kind == "broken":
        text = json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
        return text[: rng.randint(0, len(text))] + rng.choice([b"", b",", b": $call_flow}", b"\xff"])
    if kind == "bytes":
        return rng.randbytes(rng.randint(0, 400))
    return b""


def fuzz_case(rng: random.Random, secrets: dict[str, str]) -> dict[str, Any]:
    """One generated request: method, path, headers, query and body."""
    flow = rng.choice([*FUZZ_FLOWS, "nosuch", "".join(rng.choices("abc_%-~", k=rng.randint(1, 12)))])
    step = rng.choice(
        [None, None, "entry", "after_help_menu", "after_step1", "".join(rng.choices("xyz_-9", k=6))]
    )
    kind = rng.choice(["json", "json", "deep", "form", "broken", "bytes", "empty", "huge"])
    headers = {
        SECRET_HEADER: secrets.get(flow, "x") if rng.random() < 0.6 else rng.choice(["", "wrong", "x" * 500])
    }
    ctype = rng.choice(CTYPES)
    if ctype is not None:
        headers["Content-Type"] = ctype
    query = {rng.choice(KEYS): str(scalar(rng))[:20] for _ in range(rng.randint(0, 3))}
    path = f"/dialplan/{quote(flow, safe='/')}" + (f"/{quote(step, safe='')}" if step else "")
    return {
        "flow": flow,
        "method": rng.choice(METHODS),
        "path": path,
        "headers": headers,
        "query": query,
        "kind": kind,
    }


def good_answer(case: dict[str, Any], status: int, ctype: str, body: bytes) -> bool:
    if status != 200 or not ctype.startswith("application/json"):
        return False
    if case["flow"] in FUZZ_FLOWS:
        return validate_response(body, PROFILE) == []
    try:
        return orjson.loads(body) == UNKNOWN_FLOW or validate_response(body, PROFILE) == []
    except orjson.JSONDecodeError:
        return False


def send_whole(base: str, case: dict[str, Any], size: int) -> tuple[int, str, bytes]:
    """A huge body written completely before reading, with no Expect header (like urllib)."""
    host, port = base.removeprefix("http://").split(":")
    body = b'{"last_dtmf":"1","padding":"' + b"9" * size + b'"}'
    head = (
        f"POST {case['path']} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"{SECRET_HEADER}: {case['headers'][SECRET_HEADER]}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode("latin-1", "replace")
    try:
        with socket.create_connection((host, int(port)), timeout=30) as s:
            s.sendall(head + body)
            data = b""
            while chunk := s.recv(65536):
                data += chunk
    except OSError as exc:
        return 0, "", type(exc).__name__.encode()
    header, _, payload = data.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    ctype = next((v.split(":", 1)[1].strip() for v in lines if v.lower().startswith("content-type:")), "")
    return status, ctype, payload


async def run_fuzz(srv: Server, cases: list[dict[str, Any]], rng: random.Random) -> list[bool]:
    gate = asyncio.Semaphore(32)
    pool = ThreadPoolExecutor(4)
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=srv.base, timeout=30) as client:

        async def one(case: dict[str, Any]) -> bool:
            async with gate:
                if case["kind"] == "huge":
                    size = rng.randint(ServerSettings().max_body_bytes, 4 * 1024 * 1024)
                    status, ctype, body = await loop.run_in_executor(pool, send_whole, srv.base, case, size)
                    return good_answer(case, status, ctype, body)
                try:
                    resp = await client.request(
                        case["method"],
                        case["path"],
                        params=case["query"],
                        content=body_of(rng, case["kind"]),
                        headers={k: v.encode() for k, v in case["headers"].items()},
                    )
                except httpx.HTTPError:
                    return False
                return good_answer(case, resp.status_code, resp.headers.get("content-type", ""), resp.content)

        return list(await asyncio.gather(*(one(c) for c in cases)))


def fuzz(srv: Server, n: int) -> None:
    rng = random.Random(20261201)
    secrets = {f: srv.secret(f) for f in FUZZ_FLOWS}
    cases = [fuzz_case(rng, secrets) for _ in range(n)]
    before = logged(srv.db, "%")
    started = time.perf_counter()
    results = asyncio.run(run_fuzz(srv, cases, rng))
    took = time.perf_counter() - started
    kinds = Counter(c["kind"] for c in cases)
    bad = [c for c, ok in zip(cases, results, strict=True) if not ok]
    figure(
        "fuzz: inputs sent",
        f"{n} in {took:.1f} s ({kinds['deep']} deeply nested, {kinds['huge']} huge without Expect)",
    )
    figure(
        "fuzz: bad answers",
        f"{len(bad)}" + (f" e.g. {bad[0]['kind']} {bad[0]['path'][:40]}" if bad else ""),
        "0",
        not bad,
    )
    resp = httpx.post(
        srv.base + "/dialplan/delivery_agents",
        json={**CALL, "call_id": "after-fuzz"},
        headers={SECRET_HEADER: srv.secret("delivery_agents")},
        timeout=10,
    )
    srv.drained()
    lost = n + 1 - (logged(srv.db, "%") - before)
    figure("fuzz: call-log rows lost", f"{lost} of {n + 1}", "0", lost == 0 and resp.status_code == 200)
    figure(
        "fuzz: normal call logged afterwards",
        str(logged(srv.db, "after-fuzz") == 1),
        "True",
        logged(srv.db, "after-fuzz") == 1,
    )
    cut = srv.health()["call_log"]
    figure(
        "fuzz: call log after fuzz",
        f"state {cut['state']}, dropped {sum(cut['dropped'].values())}, cut {cut['cut']}",
    )


# --- 1,000 concurrent calls per deployment mode ------------------------------------------------


async def concurrent_calls(srv: Server, flow_id: str, count: int) -> tuple[int, int, int, int]:
    """(calls heard another journey, requests made, requests missing from the log, mixed records)."""
    from flowgraph.commands.call import build_portal, play_call
    from flowgraph.compile.compiler import compile_flow
    from flowgraph.load import load_flow
    from flowgraph.simulate.platform import CallScript
    from flowgraph.simulate.simulator import simulate_async

    compiled = compile_flow(load_flow(EXAMPLES / f"{flow_id}.json"))
    portal = build_portal(compiled, srv.base)
    secret = srv.secret(flow_id)

    def script(i: int) -> CallScript:
        digits = [str(1 + (i >> bit) % 2) for bit in range(3)]
        return CallScript(
            caller=("+919876543210", "9000000001")[i % 2],
            presses=digits,
            call_id=f"{flow_id}.{i:06d}",
            uuid=f"{flow_id}-u{i:x}",
        )

    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        journeys = await asyncio.gather(*(play_call(client, portal, secret, script(i)) for i in range(count)))
    expected = [(await simulate_async(compiled, script(i))).events for i in range(count)]
    wrong = sum(j.events != e for j, e in zip(journeys, expected, strict=True))
    made = sum(len(j.exchanges) for j in journeys)
    srv.drained()
    rows = logged(srv.db, f"{flow_id}.%")
    import sqlite3

    with sqlite3.connect(srv.db) as conn:
        mixed = conn.execute(
            "SELECT count(*) FROM call_log WHERE call_id LIKE ? AND "
            "uuid != ? || '-u' || lower(printf('%x', CAST(substr(call_id, length(?) + 2) AS INTEGER)))",
            (f"{flow_id}.%", flow_id, flow_id),
        ).fetchone()[0]
    return wrong, made, made - rows, mixed


def calls(srv: Server, count: int) -> None:
    for flow_id, mode in (("delivery_agents", "per-step"), ("nested_three_steps", "single")):
        started = time.perf_counter()
        wrong, made, missing, mixed = asyncio.run(concurrent_calls(srv, flow_id, count))
        took = time.perf_counter() - started
        figure(f"calls {mode}: {count} concurrent", f"{made} requests in {took:.1f} s")
        figure(f"calls {mode}: wrong journeys", str(wrong), "0", wrong == 0)
        figure(
            f"calls {mode}: requests missing / mixed in log",
            f"{missing} / {mixed}",
            "0 / 0",
            missing == 0 and mixed == 0,
        )


# --- publishing a flow at the size limit -------------------------------------------------------


def big_flow(nodes: int, flow_id: str) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).parent))
    from compile_bench import FlowGen

    doc = FlowGen(nodes).flow()  # exactly ``nodes`` nodes
    doc["id"] = flow_id
    return doc


async def probe_while(srv: Server, work: Any, rate: float = 100) -> tuple[list[float], Any]:
    """Probe delivery_agents at ``rate`` while ``work()`` runs in a thread; latencies during it."""
    stop = asyncio.Event()
    headers = {SECRET_HEADER: srv.secret("delivery_agents")}
    task = asyncio.create_task(probe(srv.base + "/dialplan/delivery_agents", headers, stop, rate, "pub"))
    await asyncio.sleep(0.5)
    t0 = time.perf_counter()
    result = await asyncio.to_thread(work)
    t1 = time.perf_counter()
    stop.set()
    probes = await task
    return [p.latency for p in probes if t0 <= p.due <= t1], (result, t1 - t0)


def publish(srv: Server) -> None:
    limits = ServerSettings()
    doc = big_flow(limits.max_flow_nodes, "big")
    size = len(orjson.dumps(doc))
    srv.api("POST", "/api/flows", json=doc).raise_for_status()
    idle, _ = asyncio.run(probe_while(srv, lambda: time.sleep(3)))
    base = pct(idle, 0.99)
    figure("publish: other flow's p99 while idle (baseline)", f"{base:.1f} ms ({len(idle)} probes)")
    during, (resp, took) = asyncio.run(
        probe_while(srv, lambda: srv.api("POST", "/api/flows/big/publish", json={"note": "max size"}))
    )
    figure(
        "publish: flow at the limit",
        f"{len(doc['nodes'])} nodes, {size / 1e6:.2f} MB, HTTP {resp.status_code} in {took:.1f} s",
    )
    p99 = pct(during, 0.99)
    figure(
        "publish: other flow's p99 / max meanwhile",
        f"{p99:.1f} / {pct(during, 1.0):.1f} ms ({len(during)} probes)",
        "p99 <= 50 ms",
        p99 <= 50,
    )
    figure("publish: p99 meanwhile / baseline p99", f"{p99 / max(base, 0.001):.1f}x")
    over = big_flow(limits.max_flow_nodes + 50, "too_big")
    status = srv.api("POST", "/api/flows", json=over).status_code
    figure("publish: flow over the node limit", f"HTTP {status}", "422", status == 422)
    huge = srv.api("POST", "/api/flows", content=b" " * (limits.max_api_bytes + 1)).status_code
    figure("publish: body over the byte limit", f"HTTP {huge}", "413", huge == 413)


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=10_000, help="generated inputs (default 10000)")
    parser.add_argument("--calls", type=int, default=1000, help="concurrent calls per mode")
    parser.add_argument("--only", default="fuzz,calls,publish,faults")
    parser.add_argument("--redis", action="store_true", help="also stop and freeze Redis")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="flowgraph-reliability-") as tmp:
        if only & {"fuzz", "calls", "publish"}:
            with server(Path(tmp) / "main") as srv:
                if "fuzz" in only:
                    fuzz(srv, args.fuzz)
                if "calls" in only:
                    calls(srv, args.calls)
                if "publish" in only:
                    publish(srv)
        if "faults" in only:
            from reliability_faults import faults

            faults(Path(tmp), redis=args.redis)
    return 0


if __name__ == "__main__":
    sys.exit(main())
