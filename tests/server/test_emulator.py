"""``flowgraph call``: the platform emulator walks every example end to end against a real server,
in both deployment modes, and hears exactly what the in-process simulation hears."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_dialplan_support import EXAMPLE_IDS, EXAMPLES, LiveServer, live_server

from flowgraph.cli import main
from flowgraph.commands.call import build_portal, fill_template, play_call
from flowgraph.compile.compiler import compile_flow
from flowgraph.load import load_flow
from flowgraph.simulate.platform import CallScript, Failover, Handoff, Hangup, Prompt, Transfer
from flowgraph.simulate.simulator import simulate

MODES = ("per_step", "single")
#: (caller, presses) per example: registered and unknown callers, each menu branch, no input.
SCRIPTS: list[tuple[str, list[str | None]]] = [
    ("+919876543210", ["1", "1", "1"]),
    ("9812345678", ["2"]),
    ("+91-9000000001", ["1", "2"]),
    ("919840111222", [None, None, None]),
    ("9411122233", ["1", "1", "2"]),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("emulator")
    with live_server(tmp) as live:
        for name in EXAMPLE_IDS:
            doc = json.loads((EXAMPLES / f"{name}.json").read_text())
            for mode in MODES:
                if doc["settings"]["deployment"]["mode"] != mode:
                    publish_copy(live, doc, mode, tmp)
        yield live


def flow_id(name: str, mode: str) -> str:
    doc = json.loads((EXAMPLES / f"{name}.json").read_text())
    return name if doc["settings"]["deployment"]["mode"] == mode else f"{name}__{mode}"


def flow_file(name: str, mode: str, tmp: Path) -> Path:
    """The example as published for ``mode`` (the example itself, or its other-mode copy)."""
    if flow_id(name, mode) == name:
        return EXAMPLES / f"{name}.json"
    return tmp / f"{name}__{mode}.json"


def publish_copy(live: LiveServer, doc: dict[str, Any], mode: str, tmp: Path) -> None:
    copy = json.loads(json.dumps(doc))
    copy["id"] = f"{doc['id']}__{mode}"
    copy["settings"]["deployment"]["mode"] = mode
    (tmp / f"{copy['id']}.json").write_text(json.dumps(copy))
    with live.proc.client() as client:
        client.post("/api/flows", json=copy, headers=live.proc.auth).raise_for_status()
        client.post(f"/api/flows/{copy['id']}/publish", json={}, headers=live.proc.auth).raise_for_status()


def http_journey(live: LiveServer, path: Path, fid: str, mode: str, script: CallScript) -> Any:
    portal = build_portal(compile_flow(load_flow(path)), live.base)
    assert portal.mode == mode

    async def go() -> Any:
        async with httpx.AsyncClient(timeout=10) as client:
            return await play_call(client, portal, live.secret(fid), script)

    return asyncio.run(go())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_every_example_walks_like_the_simulation(server: LiveServer, name: str, mode: str) -> None:
    fid = flow_id(name, mode)
    path = flow_file(name, mode, server.proc.log.parent)
    flow = load_flow(path)
    for i, (caller, presses) in enumerate(SCRIPTS):
        script = CallScript(caller=caller, presses=list(presses), call_id=f"{fid}-{i}")
        over_http = http_journey(server, path, fid, mode, script)
        expected = simulate(flow, script)
        assert over_http.events == expected.events, (caller, presses)
        assert not any(isinstance(e, Failover) for e in over_http.events)
        assert isinstance(over_http.events[-1], Transfer | Hangup | Handoff)


def test_nested_three_steps_reproduces_the_document(server: LiveServer) -> None:
    path = EXAMPLES / "nested_three_steps.json"
    script = CallScript(caller="9876543210", presses=["1", "1", "1"], call_id="doc-1")
    journey = http_journey(server, path, "nested_three_steps", "single", script)
    prompts = [e for e in journey.events if isinstance(e, Prompt)]
    assert [p.data for p in prompts] == ["156848", "156849", "156850"]
    assert all(ex.dialplan_id == "6733074ecbb570864f06bc14" for ex in journey.exchanges[1:])
    assert len(journey.exchanges) == 4


def test_cli_fetches_the_published_flow_with_the_token(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["call", server.base, "--flow", "nested_three_steps", "--caller", "9876543210", "--dtmf", "1,2"]
    args += [
        "--token",
        server.proc.token,
        "--secret",
        server.secret("nested_three_steps"),
        "--mode",
        "single",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "(single mode)" in out and "presses 1" in out and "presses 2" in out


def test_cli_takes_the_secret_from_the_deployment_sheet_with_the_token(
    server: LiveServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWGRAPH_SECRET", raising=False)
    args = ["call", server.base, "--flow", "nested_three_steps", "--caller", "9876543210", "--dtmf", "1,1,1"]
    assert main([*args, "--token", server.proc.token]) == 0
    assert "transferred to agent 05000001, 05000002: answered" in capsys.readouterr().out


def test_cli_refuses_a_mode_the_server_does_not_serve(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["call", server.base, "--flow", "nested_three_steps", "--caller", "1", "--mode", "per-step"]
    args += ["--token", server.proc.token, "--secret", "s"]
    assert main(args) == 2
    assert "is published for single mode" in capsys.readouterr().err


def test_cli_prints_the_journey(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "call",
        server.base,
        "--flow",
        "delivery_agents",
        "--flow-file",
        str(EXAMPLES / "delivery_agents.json"),
        "--caller",
        "+919000000001",
        "--dtmf",
        "2",
        "--secret",
        server.secret("delivery_agents"),
        "-v",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "presses 2" in out
    assert "transferred to department 5200: answered" in out
    assert "request 2 to dialplan after_help_menu" in out


def test_cli_wrong_secret_reaches_the_failover_destination(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["call", server.base, "--flow", "registered_users", "--flow-file"]
    args += [str(EXAMPLES / "registered_users.json"), "--caller", "9876543210", "--secret", "wrong"]
    assert main(args) == 0  # over HTTP the failover answer is just a transfer to the platform
    out = capsys.readouterr().out
    # A registered caller would hear the welcome recording; with a wrong secret the server
    # answers the flow's failover destination (the IVR) straight away.
    assert "recording" not in out
    assert "1. transferred to ivr 22590: answered" in out


def test_cli_no_answer_falls_through(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["call", server.base, "--flow", "registered_users", "--flow-file"]
    args += [str(EXAMPLES / "registered_users.json"), "--caller", "9876543210", "--no-answer"]
    args += ["--secret", server.secret("registered_users")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.count("not answered") == 2 and "call ends" in out


def test_cli_unreachable_server_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["call", "http://127.0.0.1:9", "--flow", "x", "--caller", "1", "--token", "t"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("flowgraph: http://127.0.0.1:9/api/flows/x/published") and err.count("\n") == 1


def test_fill_template_leaves_unknown_placeholders_literal() -> None:
    template = {"uuid": "$uuid", "last_dtmf": "$last_dtmf", "note": "from $caller_id_number!"}
    filled = fill_template(template, {"uuid": "ab12", "caller_id_number": "98"})
    assert filled == {"uuid": "ab12", "last_dtmf": "$last_dtmf", "note": "from 98!"}
