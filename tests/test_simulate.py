"""Simulated calls for every example: golden journeys, both deployment modes, the interpreter.

``tests/fixtures/simulate/<example>.json`` lists scripted calls and the journey each must give.
Every case runs three ways — the reference interpreter, and the compiled flow in per-step and
in single-dialplan mode — and all three must equal the golden journey. Regenerate after an
intended change with ``FLOWGRAPH_UPDATE_GOLDEN=1 pytest tests/test_simulate.py`` and review the
diff.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from flowgraph.cli import main
from flowgraph.compile.emit import parse_response, validate_response
from flowgraph.diagnostics import CompileError
from flowgraph.load import flow_from_data, load_flow
from flowgraph.simulate.interpret import walk
from flowgraph.simulate.platform import CallScript, Failover, Handoff, Prompt, ScriptError
from flowgraph.simulate.simulator import simulate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
FIXTURES = Path(__file__).parent / "fixtures" / "simulate"
UPDATE = os.environ.get("FLOWGRAPH_UPDATE_GOLDEN") == "1"


def script_from(data: dict[str, Any]) -> CallScript:
    """A call script from a fixture's ``script`` object."""
    return CallScript(
        caller=data["caller"],
        dialled=data.get("dialled", "+919000000000"),
        start=datetime.fromisoformat(data.get("at", "2026-11-26 10:00")),
        presses=data.get("presses", []),
        answers=data.get("answers", []),
        lookups=data.get("lookups", {}),
    )


def test_every_example_has_golden_calls() -> None:
    assert EXAMPLES
    for example in EXAMPLES:
        doc = json.loads((FIXTURES / example.name).read_text())
        assert len(doc["cases"]) >= 3, example.name


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_golden_journeys(example: Path) -> None:
    flow = load_flow(example)
    golden = FIXTURES / example.name
    doc = json.loads(golden.read_text())
    for case in doc["cases"]:
        reference = walk(flow, script_from(case["script"]))
        if UPDATE:
            case["expected"] = reference.to_json()
        assert reference.to_json() == case.get("expected"), case["name"]
        for mode in ("per_step", "single"):
            journey = simulate(flow, script_from(case["script"]), mode)
            assert journey == reference, (case["name"], mode)
            # Every step answered with one line of valid platform JSON.
            assert journey.exchanges, (case["name"], mode)
            for exchange in journey.exchanges:
                assert validate_response(exchange.response, flow.settings.profile) == []
                assert parse_response(exchange.response)
    if UPDATE:
        golden.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def test_nested_three_steps_reproduces_the_platform_document() -> None:
    """The document's three requests and responses, in single-dialplan mode."""
    flow = load_flow(ROOT / "examples" / "nested_three_steps.json")
    journey = simulate(flow, CallScript(caller="9876543210", presses=["1", "1", "2"]))
    bodies = [orjson.loads(e.response) for e in journey.exchanges]
    for i, data in enumerate((156848, 156849, 156850)):
        assert bodies[i] == [
            [
                {
                    "recording": {
                        "type": "system",
                        "data": data,
                        "dtmf": {"timeout": 6000, "maxLength": 4, "retry": 2},
                    }
                }
            ],
            [{"api_dialplan": {"data": "6733074ecbb570864f06bc14"}}],
        ]
    assert [e.step for e in journey.exchanges] == ["entry", "after_step1", "after_step2", "after_step3"]
    assert [e.variables.get("last_dtmf") for e in journey.exchanges] == [None, "1", "1", "2"]
    assert len(journey.exchanges) - 1 == flow.settings.profile.nesting_limit  # exactly three hops


def test_per_step_mode_names_each_step_in_the_hop() -> None:
    flow = load_flow(ROOT / "examples" / "delivery_agents.json")
    journey = simulate(flow, CallScript(caller="8000000000", presses=["2"]), "per_step")
    assert [(e.dialplan_id, e.step) for e in journey.exchanges] == [
        ("entry", "entry"),
        ("after_help_menu", "after_help_menu"),
    ]
    assert [e.ended for e in journey.exchanges] == ["api_dialplan", "answered"]


def _http_flow(**profile: Any) -> dict[str, Any]:
    return {
        "id": "crm",
        "entry": "crm",
        "nodes": [
            {
                "id": "crm",
                "type": "lookup",
                "source": {"kind": "http", "url": "https://crm.example.com/who"},
                "branches": {"found": "hello", "not_found": "desk", "error": "desk"},
            },
            {
                "id": "hello",
                "type": "play",
                "recording": {"type": "url", "data": "https://a.example/{{crm.lang}}.mp3"},
                "branches": {"next": "agent"},
            },
            {"id": "agent", "type": "transfer", "transfer": "number", "targets": ["{{crm.agent}}"]},
            {"id": "desk", "type": "dialplan", "dialplan_id": "66ab41c183715fc7da"},
        ],
        "settings": {"failover": {"type": "department", "data": ["5100"]}, "profile": profile},
    }


def test_http_lookups_answer_from_the_script() -> None:
    flow = flow_from_data(_http_flow())
    found = CallScript(caller="9876543210", lookups={"crm": {"lang": "hi", "agent": "+91 98100 00001"}})
    journey = simulate(flow, found)
    assert journey == walk(flow, found)
    assert journey.describe() == [
        "hears url recording https://a.example/hi.mp3",
        "transferred to number 9810000001: answered",
    ]
    for outcome in ("not_found", "error"):
        script = CallScript(caller="9876543210", lookups={"crm": outcome})  # type: ignore[dict-item]
        assert simulate(flow, script).events == [Handoff("66ab41c183715fc7da")]


def test_a_missing_column_fails_over_on_the_server() -> None:
    flow = flow_from_data(_http_flow())
    script = CallScript(caller="9876543210", lookups={"crm": {"lang": "hi"}})
    journey = simulate(flow, script)
    assert journey == walk(flow, script)
    assert journey.events == [Failover("server", ("department", ("5100",)))]
    assert "crm.agent" in journey.events[0].detail  # type: ignore[union-attr]


def test_a_lookup_the_script_does_not_answer_is_a_clear_error() -> None:
    flow = flow_from_data(_http_flow())
    with pytest.raises(ScriptError, match=r"lookup node 'crm'.*--lookup crm="):
        simulate(flow, CallScript(caller="9876543210"))
    with pytest.raises(ScriptError, match="lookup node 'crm'"):
        walk(flow, CallScript(caller="9876543210"))


def test_a_flow_with_errors_is_not_simulated() -> None:
    doc = _http_flow()
    del doc["settings"]["failover"]
    with pytest.raises(CompileError):
        simulate(flow_from_data(doc), CallScript(caller="9876543210", lookups={"crm": "error"}))


def test_retry_replays_the_prompt_until_a_press() -> None:
    flow = load_flow(ROOT / "examples" / "nested_three_steps.json")
    journey = simulate(flow, CallScript(caller="9876543210", presses=[None, "", "1", "2"]))
    prompts = [e for e in journey.events if isinstance(e, Prompt)]
    assert [(p.data, p.pressed) for p in prompts] == [
        ("156848", None),
        ("156848", None),
        ("156848", "1"),
        ("156849", "2"),
    ]


def test_cli_simulate_prints_the_journey(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples" / "delivery_agents.json")
    args = ["simulate", path, "--no-answer", "--at", "2026-11-26 10:00", "-v"]
    assert main([*args, "--caller", "+919876543210"]) == 0
    out = capsys.readouterr().out
    assert "call from +919876543210 to +919000000000 at 2026-11-26 10:00:00 IST (per_step mode)" in out
    # An unanswered agent falls through to another transfer: the only form seen live (NOTES.md).
    assert "transferred to number 9000000101: not answered" in out
    assert "transferred to department 5200: not answered" in out
    assert "path: order -> connect_agent -> delivery_agent -> support" in out
    assert main([*args, "--caller", "+919111111111", "--dtmf", "1"]) == 0
    out = capsys.readouterr().out
    assert "hears system prompt 500110 (up to 1 digits), presses 1" in out
    assert (
        'response: [{"recording":{"type":"url","data":"https://audio.example.com/ivr/order-status.mp3"}}]'
        in out
    )
    assert "path: order -> help_menu -> order_status -> status_end" in out


def test_cli_simulate_json_and_no_input(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples" / "nested_three_steps.json")
    code = main(
        ["simulate", path, "--caller", "9876543210", "--dtmf", "1,-,,", "--mode", "per-step", "--json"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [e.get("pressed") for e in doc["events"][:4]] == ["1", None, None, None]
    assert doc["events"][-1] == {
        "event": "transfer",
        "type": "ivr",
        "targets": ["22590"],
        "ring_type": "order_by",
        "moh": None,
        "skip_active": False,
        "answered": True,
    }
    assert [e["request"].get("last_dtmf") for e in doc["exchanges"]] == [None, "1", ""]
    assert doc["exchanges"][0]["response"][1] == [{"api_dialplan": {"data": "after_step1"}}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dtmf", "1,x"], "key presses are 0-9"),
        (["--at", "tomorrow"], "expected a time like"),
        (["--lookup", "crm=maybe"], "outcome is found:col=val"),
        (["--mode", "double"], "mode is per_step or single"),
    ],
)
def test_cli_simulate_usage_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples" / "nested_three_steps.json")
    assert main(["simulate", path, "--caller", "9876543210", *args]) == 2
    assert message in capsys.readouterr().err


def test_cli_simulate_missing_lookup_and_broken_flow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow_file = tmp_path / "crm.json"
    flow_file.write_text(json.dumps(_http_flow()))
    assert main(["simulate", str(flow_file), "--caller", "9876543210"]) == 2
    assert "lookup node 'crm' asks an HTTP API" in capsys.readouterr().err
    ok = [
        "simulate",
        str(flow_file),
        "--caller",
        "9876543210",
        "--lookup",
        "crm=found:lang=ta,agent=9810000001",
    ]
    assert main(ok) == 0
    assert "https://a.example/ta.mp3" in capsys.readouterr().out
    broken = _http_flow()
    broken["nodes"][0]["branches"].pop("error")
    flow_file.write_text(json.dumps(broken))
    assert main(["simulate", str(flow_file), "--caller", "9876543210", "--lookup", "crm=error"]) == 1
    assert "FG402" in capsys.readouterr().err
