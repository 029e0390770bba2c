"""``flowgraph call`` (issue 8 §7) against a real server: every call its own ``call_id`` and
``uuid`` (flags still override them), and a ``$call_flow`` that grows with each request."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from test_dialplan_support import EXAMPLES, LiveServer, live_server

from flowgraph.cli import main
from flowgraph.commands.call import CallJourney, fill_template

FLOW = "delivery_agents"
#: Not in the flow's table: the help menu, then (pressing 1) the order status: two requests.
CALLER = "+919111111111"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("call_cli")) as live:
        yield live


def _call(server: LiveServer, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[str, str, list[dict]]:
    args = ["call", server.base, "--flow", FLOW, "--flow-file", str(EXAMPLES / f"{FLOW}.json")]
    args += ["--caller", CALLER, "--dtmf", "1", "--secret", server.secret(FLOW), "-v", *extra]
    assert main(args) == 0
    out = capsys.readouterr().out
    ids = re.search(r"\(call_id (\S+), uuid (\S+)\)", out)
    assert ids is not None, out
    bodies = [json.loads(m) for m in re.findall(r"request \d+ to dialplan \S+: (.*)", out)]
    return ids[1], ids[2], bodies


def test_every_call_gets_fresh_ids_and_the_stats_count_each(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _stats(server)["calls"]
    calls = [_call(server, capsys) for _ in range(3)]
    assert len({c[0] for c in calls}) == 3 and len({c[1] for c in calls}) == 3
    for call_id, uuid, bodies in calls:
        assert re.fullmatch(r"\d{10}\.\d{6}", call_id) and re.fullmatch(r"[0-9a-f]{8}", uuid)
        assert [(b["call_id"], b["uuid"]) for b in bodies] == [(call_id, uuid)] * 2
        records = server.calls(FLOW, call_id, want=2)
        assert {r["uuid"] for r in records} == {uuid}
    assert _stats(server)["calls"] == before + 3


def _stats(server: LiveServer) -> dict:
    resp = httpx.get(f"{server.base}/api/flows/{FLOW}/stats", headers=server.proc.auth, timeout=10)
    resp.raise_for_status()
    return resp.json()


def test_call_flow_grows_with_each_request(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    call_id, _, bodies = _call(server, capsys)
    first, second = (b["call_flow"] for b in bodies)
    assert isinstance(first, list) and len(first) == 1
    assert first[0]["type"] == "init" and first[0]["value"] == call_id and first[0]["time"].isdigit()
    assert second[:1] == first and len(second) == 2
    assert second[1]["type"] == "api_dialplan" and second[1]["dtmf"] == "1"
    # The server read it: the call log keeps each request's journey.
    logged = [r["variables"].get("call_flow") for r in server.calls(FLOW, call_id, want=2)]
    assert sorted(len(j) for j in logged) == [1, 2]


def test_flags_override_the_ids(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    call_id, uuid, bodies = _call(
        server, capsys, "--call-id", "h11.08-1770532638.2135633", "--uuid", "ab12cd"
    )
    assert (call_id, uuid) == ("h11.08-1770532638.2135633", "ab12cd")
    assert all(b["call_id"] == call_id and b["uuid"] == uuid for b in bodies)


def test_fill_template_puts_the_journey_as_an_array() -> None:
    journey = CallJourney()
    steps = journey.advance("entry", {"call_id": "1.2"})
    template = {"call_flow": "$call_flow", "note": "flow=$call_flow", "uuid": "$uuid"}
    filled = fill_template(template, {"call_flow": steps, "uuid": "ab"})
    assert filled["call_flow"] == steps and filled["uuid"] == "ab"
    assert json.loads(filled["note"].removeprefix("flow=")) == steps
