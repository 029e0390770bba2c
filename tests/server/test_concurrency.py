"""1,000 calls in parallel through the platform emulator against one real server: every call
hears exactly its own journey (single-dialplan records never mix), and the call log holds
exactly one record per request made (none lost, none doubled)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from test_dialplan_support import EXAMPLES, LiveServer, live_server

from flowgraph.commands.call import Portal, build_portal, play_call
from flowgraph.compile.compiler import compile_flow
from flowgraph.load import load_flow
from flowgraph.simulate.platform import CallScript, Journey
from flowgraph.simulate.simulator import simulate
from flowgraph.store.calls import CallLog, calls_for_call, count_calls
from flowgraph.store.db import make_engine

CALLS = 1000
PARALLEL = 100
FLOWS = ("nested_three_steps", "delivery_agents")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("concurrency")) as live:
        yield live


def script_for(i: int) -> CallScript:
    """Call ``i``'s script: digits differ between neighbours, so a swapped record shows."""
    digits = [str(1 + (i >> bit) % 2) for bit in range(3)]
    callers = ("+919876543210", "9000000001", "91-9812345678")
    return CallScript(
        caller=callers[i % 3], presses=list(digits), call_id=f"1775719461.{i:06d}", uuid=f"u{i:x}"
    )


async def run_calls(server: LiveServer, portals: dict[str, Portal], secrets: dict[str, str]) -> list[Journey]:
    limits = httpx.Limits(max_connections=PARALLEL, max_keepalive_connections=PARALLEL)
    gate = asyncio.Semaphore(PARALLEL)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def one(i: int) -> Journey:
            flow = FLOWS[i % len(FLOWS)]
            async with gate:
                return await play_call(client, portals[flow], secrets[flow], script_for(i))

        return list(await asyncio.gather(*(one(i) for i in range(CALLS))))


@pytest.mark.slow
def test_thousand_parallel_calls(server: LiveServer) -> None:
    flows = {name: compile_flow(load_flow(EXAMPLES / f"{name}.json")) for name in FLOWS}
    portals = {name: build_portal(compiled, server.base) for name, compiled in flows.items()}
    secrets = {name: server.secret(name) for name in FLOWS}
    journeys = asyncio.run(run_calls(server, portals, secrets))

    requests: Counter[str] = Counter()
    for i, journey in enumerate(journeys):
        flow = FLOWS[i % len(FLOWS)]
        expected = simulate(flows[flow], script_for(i))
        assert journey.events == expected.events, f"call {i} ({flow}) heard another journey"
        requests[flow] += len(journey.exchanges)
    assert requests["nested_three_steps"] > CALLS // 2  # single mode made several requests per call

    engine = make_engine(server.db_url)
    try:
        log = CallLog(engine)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            counts = {flow: count_calls(log, flow) for flow in FLOWS}
            if counts == dict(requests):
                break
            time.sleep(0.2)
        assert counts == dict(requests)  # every request logged exactly once
        # Spot-check that each call's records are its own, in order.
        for i in (0, 1, 2, 501, 998, 999):
            records = calls_for_call(log, script_for(i).call_id, FLOWS[i % len(FLOWS)])
            assert len(records) == len(journeys[i].exchanges)
            assert {r["uuid"] for r in records} == {f"u{i:x}"}
    finally:
        engine.dispose()
