"""T7 on a real ``flowgraph serve`` (uvicorn on 127.0.0.1, SQLite): agent ids read from a flow
table at request time are sent only when they are one id; any other gets the flow's failover with
reason ``bad_value`` (the same table as tests/test_target_ids.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from services import flowgraph_server
from test_dialplan_support import LiveServer
from values_ids import IDS, caller, id_flow

from flowgraph.compile.emit import validate_response
from flowgraph.profile import PlatformProfile

FAILOVER = [{"transfer": {"type": "department", "data": ["5200"]}}]
FLOW = "id_rule_agent"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("ids")
    seeds = tmp / "seeds"
    seeds.mkdir()
    (seeds / f"{FLOW}.json").write_text(json.dumps(id_flow()))
    url = f"sqlite:///{tmp / 'flowgraph.db'}"
    with flowgraph_server(url, args=("--seed-examples", str(seeds)), workdir=tmp) as proc:
        yield LiveServer(proc, url)


def _answer(resp: httpx.Response) -> Any:
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    assert validate_response(resp.content, PlatformProfile()) == []
    return json.loads(resp.content)


def test_agent_ids_from_a_table(server: LiveServer) -> None:
    for i, (value, ok) in enumerate(IDS):
        call_id = f"id.{i}"
        body = {"uuid": "ab12", "call_id": call_id, "caller_id_number": caller(i)}
        got = _answer(server.platform(FLOW, json=body))
        (record,) = server.calls(FLOW, call_id)
        reason = record["failover_reason"]
        if ok:
            assert got == [{"transfer": {"type": "agent", "data": [value]}}] and reason is None, value
        else:
            assert got == FAILOVER, (value, got)
            assert reason is not None and reason.startswith("bad_value: node 'agent'"), reason


def test_bad_ids_are_counted_under_their_reason(server: LiveServer) -> None:
    refused = [i for i, (_, ok) in enumerate(IDS) if not ok]
    for i in refused:
        server.platform(FLOW, json={"uuid": "cd34", "call_id": f"m.{i}", "caller_id_number": caller(i)})
    metrics = httpx.get(server.base + "/metrics", headers=server.proc.auth, timeout=10).text
    line = next(x for x in metrics.splitlines() if 'reason="bad_value"' in x)
    assert int(float(line.rsplit(" ", 1)[1])) >= len(refused)
