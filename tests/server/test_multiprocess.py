"""Several server processes behind a load balancer: two real ``flowgraph serve`` processes share a
private PostgreSQL (flows, versions, call log) and a private Redis (single-dialplan call records).

One single-dialplan call whose successive requests alternate between the two processes hears the
same journey as the simulation; a publish or rollback in one process reaches the other within
its poll interval."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from services import flowgraph_server
from test_dialplan_support import EXAMPLES, LiveServer

from flowgraph.commands.call import HttpTransport, Portal, build_portal
from flowgraph.compile.compiler import compile_flow
from flowgraph.load import load_flow
from flowgraph.simulate.platform import CallScript, Journey, PlatformEmulator, Transfer
from flowgraph.simulate.simulator import simulate

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
FLOW = "nested_three_steps"


@pytest.fixture(params=["redis", "sql"])
def pair(
    request: pytest.FixtureRequest, postgres_db: str, tmp_path: Path
) -> Iterator[tuple[LiveServer, LiveServer, str | None]]:
    """Two server processes on one PostgreSQL database; call records in Redis or in PostgreSQL."""
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    env = {"FLOWGRAPH_REDIS_URL": redis_url} if redis_url else {}
    seed = ("--seed-examples", str(EXAMPLES))
    with ExitStack() as stack:
        # One after the other: the first seeds the examples, the second finds them there.
        a = stack.enter_context(flowgraph_server(postgres_db, args=seed, env=env, workdir=tmp_path))
        b = stack.enter_context(flowgraph_server(postgres_db, args=seed, env=env, workdir=tmp_path))
        yield LiveServer(a, postgres_db), LiveServer(b, postgres_db), redis_url


class Alternating:
    """A transport that sends request n to process n % 2, like a round-robin load balancer."""

    def __init__(self, transports: list[HttpTransport]):
        self.transports = transports
        self.sent: list[int] = []

    async def __call__(self, dialplan_id: str, variables: dict[str, str]) -> bytes:
        which = len(self.sent) % len(self.transports)
        self.sent.append(which)
        return await self.transports[which](dialplan_id, variables)


def alternate_call(
    a: LiveServer, b: LiveServer, script: CallScript, between: Any = None
) -> tuple[Journey, list[int]]:
    compiled = compile_flow(load_flow(EXAMPLES / f"{FLOW}.json"))
    portals: list[Portal] = [build_portal(compiled, s.base) for s in (a, b)]
    secret = a.secret(FLOW)

    async def go() -> tuple[Journey, list[int]]:
        async with httpx.AsyncClient(timeout=10) as client:
            transport = Alternating([HttpTransport(client, p.dialplans, secret) for p in portals])

            async def observed(dialplan_id: str, variables: dict[str, str]) -> bytes:
                body = await transport(dialplan_id, variables)
                if between is not None:
                    between(len(transport.sent))
                return body

            journey = await PlatformEmulator(observed, portals[0].setup).call(script)
            return journey, transport.sent

    return asyncio.run(go())


def test_single_dialplan_call_alternating_between_processes(
    pair: tuple[LiveServer, LiveServer, str | None],
) -> None:
    a, b, redis_url = pair
    script = CallScript(caller="9876543210", presses=["1", "1", "2"], call_id="1775719461.900001")
    seen_keys: list[int] = []

    def count_records(_sent: int) -> None:
        if redis_url:
            seen_keys.append(len(redis.Redis.from_url(redis_url).keys(f"flowgraph:ctx:{FLOW}:*")))

    journey, sent = alternate_call(a, b, script, count_records)
    assert sent == [0, 1, 0, 1]
    assert journey.events == simulate(load_flow(EXAMPLES / f"{FLOW}.json"), script).events
    assert isinstance(journey.events[-1], Transfer)  # reached the "payments" transfer of step 3
    if redis_url:
        # The record lived in Redis while the call was in a menu, and is gone once it ended.
        assert seen_keys == [1, 1, 1, 0]
    records = a.calls(FLOW, script.call_id, want=4)
    assert [r["step"] for r in reversed(records)] == ["entry", "after_step1", "after_step2", "after_step3"]


def test_publish_and_rollback_reach_the_other_process(
    pair: tuple[LiveServer, LiveServer, str | None],
) -> None:
    a, b, _ = pair
    doc: dict[str, Any] = {
        "id": "shared",
        "entry": "go",
        "settings": {"failover": {"type": "department", "data": ["5001"]}},
        "nodes": [{"id": "go", "type": "transfer", "transfer": "ivr", "targets": ["1111"]}],
    }
    with a.proc.client() as api:
        api.post("/api/flows", json=doc, headers=a.proc.auth).raise_for_status()
        api.post("/api/flows/shared/publish", json={}, headers=a.proc.auth).raise_for_status()
        wait_for_answer(b, b'"1111"')
        etag = api.get("/api/flows/shared", headers=a.proc.auth).headers["etag"]
        doc["nodes"][0]["targets"] = ["2222"]
        api.put("/api/flows/shared", json=doc, headers={**a.proc.auth, "If-Match": etag}).raise_for_status()
        api.post("/api/flows/shared/publish", json={}, headers=a.proc.auth).raise_for_status()
        assert b'"2222"' in a.platform("shared", json={"uuid": "1"}).content  # same process: at once
        wait_for_answer(b, b'"2222"')
        api.post("/api/flows/shared/rollback", json={"version": 1}, headers=a.proc.auth).raise_for_status()
        wait_for_answer(b, b'"1111"')


def wait_for_answer(server: LiveServer, want: bytes, timeout_s: float = 5.0) -> None:
    """The other process notices a publish by polling (0.5 s); allow a generous margin."""
    deadline = time.monotonic() + timeout_s
    body = b""
    while time.monotonic() < deadline:
        body = server.platform("shared", json={"uuid": "1"}).content
        if want in body:
            return
        time.sleep(0.1)
    raise AssertionError(f"{server.base} still answers {body!r}, wanted {want!r}")
