"""The compiler: golden plans for the examples, determinism, versions, ids, ops and errors.

Regenerate the golden plans after a deliberate change with
``FLOWGRAPH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_compiler.py`` and review the diff.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from flowgraph.compile.compiler import (
    ActionOp,
    LookupOp,
    MenuOp,
    SwitchOp,
    Template,
    compile_flow,
    flow_version,
)
from flowgraph.diagnostics import CompileError
from flowgraph.load import flow_from_data, load_flow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
GOLDEN = Path(__file__).parent / "fixtures" / "compile"


def base_flow(**settings: Any) -> dict[str, Any]:
    """A small valid flow: menu -> (1: play+transfer, else ivr)."""
    return {
        "id": "tiny",
        "entry": "greet",
        "nodes": [
            {
                "id": "greet",
                "type": "menu",
                "recording": {"type": "system", "data": "111"},
                "options": ["1"],
                "branches": {"1": "thanks", "no_input": "desk", "invalid": "desk"},
            },
            {
                "id": "thanks",
                "type": "play",
                "recording": {"type": "system", "data": "112"},
                "branches": {"next": "desk"},
            },
            {"id": "desk", "type": "transfer", "transfer": "ivr", "targets": ["22590"]},
        ],
        "settings": {"failover": {"type": "ivr", "data": ["22590"]}, **settings},
        "recordings": [{"id": "111"}, {"id": "112"}],
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_golden_plan(path: Path) -> None:
    got = compile_flow(load_flow(path)).plan_json()
    golden = GOLDEN / f"{path.stem}.plan.json"
    if os.environ.get("FLOWGRAPH_UPDATE_GOLDEN"):
        golden.write_bytes(got)
    assert got == golden.read_bytes()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_byte_identical_for_identical_input(path: Path) -> None:
    data = json.loads(path.read_text())
    first = compile_flow(flow_from_data(data)).plan_json()
    second = compile_flow(flow_from_data(copy.deepcopy(data))).plan_json()
    assert first == second


def test_version_ignores_layout_but_not_logic() -> None:
    data = base_flow()
    version = flow_version(flow_from_data(data))
    assert len(version) == 12 and int(version, 16) >= 0
    moved = copy.deepcopy(data)
    moved["layout"] = {"positions": {"greet": {"x": 5, "y": 9}}}
    assert flow_version(flow_from_data(moved)) == version
    changed = copy.deepcopy(data)
    changed["nodes"][1]["recording"]["data"] = "111"
    assert flow_version(flow_from_data(changed)) != version
    assert compile_flow(flow_from_data(data)).version == version


def test_errors_raise_compile_error_with_diagnostics() -> None:
    data = base_flow()
    data["nodes"][1]["branches"]["next"] = "greet_missing"
    with pytest.raises(CompileError) as err:
        compile_flow(flow_from_data(data))
    assert "FG104" in {d.code for d in err.value.diagnostics}


def test_missing_failover_is_an_error() -> None:
    data = base_flow()
    del data["settings"]["failover"]
    with pytest.raises(CompileError) as err:
        compile_flow(flow_from_data(data))
    assert "FG401" in {d.code for d in err.value.diagnostics}


def test_constant_actions_are_preencoded() -> None:
    compiled = compile_flow(flow_from_data(base_flow()))
    menu = compiled.ops["greet"]
    assert isinstance(menu, MenuOp)
    # Menu dtmf falls back to the profile defaults (platform document: 5000 / 10 / 0).
    assert (
        menu.emitter.fragment
        == b'{"recording":{"type":"system","data":111,"dtmf":{"timeout":5000,"maxLength":10,"retry":0}}}'
    )
    assert menu.handoff == b'{"api_dialplan":{"data":"after_greet"}}'
    assert menu.next_step == "after_greet"
    desk = compiled.ops["desk"]
    assert isinstance(desk, ActionOp) and desk.next is None
    assert (
        desk.emitter is not None and desk.emitter.fragment == b'{"transfer":{"type":"ivr","data":["22590"]}}'
    )
    assert compiled.failover_body == b'[{"transfer":{"type":"ivr","data":["22590"]}}]'


def test_templated_fields_are_rendered_per_call() -> None:
    data = base_flow()
    data["nodes"][2] = {
        "id": "desk",
        "type": "transfer",
        "transfer": "number",
        "targets": ["{{caller_id_number}}"],
    }
    compiled = compile_flow(flow_from_data(data))
    desk = compiled.ops["desk"]
    assert isinstance(desk, ActionOp) and desk.emitter is not None
    assert desk.emitter.fragment is None
    rendered = desk.emitter.bytes({"caller_id_number": "+91-9876543210"})
    assert rendered == b'{"transfer":{"type":"number","data":["9876543210"]}}'
    assert compiled.plan()["steps"][1]["ops"]["desk"]["template"]["transfer"]["data"] == [
        "{{caller_id_number}}"
    ]


def test_template_split() -> None:
    tpl = Template.of("https://x/{{ caller_id_number }}/{{L.col}}")
    assert tpl.parts == ("https://x/", "caller_id_number", "/", "L.col", "")
    assert tpl.render({"caller_id_number": "98", "L.col": "a"}) == "https://x/98/a"
    assert Template.of("plain").render({}) == "plain"


def test_per_step_dialplan_ids_and_missing_id_warning() -> None:
    data = base_flow(deployment={"mode": "per_step", "dialplan_ids": {"after_greet": "66ab41c183715fc7da"}})
    compiled = compile_flow(flow_from_data(data))
    assert compiled.dialplan_ids == {"entry": "entry", "after_greet": "66ab41c183715fc7da"}
    menu = compiled.ops["greet"]
    assert isinstance(menu, MenuOp) and menu.handoff == b'{"api_dialplan":{"data":"66ab41c183715fc7da"}}'
    assert not [d for d in compiled.warnings if d.code == "FG701"]

    missing = compile_flow(flow_from_data(base_flow()))
    notes = [d for d in missing.warnings if d.code == "FG701"]
    assert len(notes) == 1 and "after_greet" in notes[0].message


def test_single_mode_uses_the_flow_id_for_every_step() -> None:
    data = base_flow(deployment={"mode": "single", "dialplan_ids": {"flow": "6733074ecbb570864f06bc14"}})
    compiled = compile_flow(flow_from_data(data))
    assert compiled.mode == "single"
    assert set(compiled.dialplan_ids.values()) == {"6733074ecbb570864f06bc14"}


def test_plan_shape_for_nested_example() -> None:
    plan = compile_flow(load_flow(ROOT / "examples" / "nested_three_steps.json")).plan()
    assert [(s["id"], s["depth"], s["menu"]) for s in plan["steps"]] == [
        ("entry", 0, None),
        ("after_step1", 1, "step1"),
        ("after_step2", 2, "step2"),
        ("after_step3", 3, "step3"),
    ]
    assert plan["steps"][0]["decide"] is None
    assert plan["steps"][3]["decide"] == {
        "1": "invoices",
        "2": "payments",
        "no_input": "operator",
        "invalid": "operator",
    }


def test_ops_for_switch_and_lookup() -> None:
    compiled = compile_flow(load_flow(ROOT / "examples" / "regional_routing.json"))
    switch = compiled.ops["business_hours"]
    assert isinstance(switch, SwitchOp)
    ((branch, cond),) = switch.cases
    assert branch == "open"
    assert cond.plan() == {
        "on": "time",
        "days": ["mon", "tue", "wed", "thu", "fri", "sat"],
        "from": "09:00",
        "to": "19:00",
    }
    lookup = compiled.ops["region"]
    assert isinstance(lookup, LookupOp) and lookup.index is not None
    assert lookup.index.find("+919840123456") == lookup.index.rows["9840"]


# --- the `flowgraph compile` command --------------------------------------------------------

DOCUMENT_RESPONSES = [
    [
        [
            {
                "recording": {
                    "type": "system",
                    "data": rec,
                    "dtmf": {"timeout": 6000, "maxLength": 4, "retry": 2},
                }
            }
        ],
        [{"api_dialplan": {"data": "6733074ecbb570864f06bc14"}}],
    ]
    for rec in (156848, 156849, 156850)
]


def test_cli_reproduces_the_document_three_responses(capsys: pytest.CaptureFixture[str]) -> None:
    from flowgraph.cli import main

    assert main(["compile", str(ROOT / "examples" / "nested_three_steps.json")]) == 0
    out = capsys.readouterr().out
    shown = [
        json.loads(line.split(": ", 1)[1])
        for line in out.splitlines()
        if line.strip().startswith(("response:", "when last_dtmf = '1'"))
    ]
    assert shown[:3] == DOCUMENT_RESPONSES


def test_cli_json_and_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from flowgraph.cli import main

    out_file = tmp_path / "plan.json"
    flow = str(ROOT / "examples" / "nested_three_steps.json")
    assert main(["compile", flow, "--json", "-o", str(out_file)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(out_file.read_text())
    responses = printed["responses"]
    assert responses["entry"][0]["body"] == DOCUMENT_RESPONSES[0]
    assert [s["body"] for s in responses["after_step1"] if s["when"]["last_dtmf"] == "1"] == [
        DOCUMENT_RESPONSES[1]
    ]
    assert [s["body"] for s in responses["after_step2"] if s["when"]["last_dtmf"] == "1"] == [
        DOCUMENT_RESPONSES[2]
    ]
    assert printed["plan"]["version"] == compile_flow(load_flow(flow)).version


def test_cli_call_dependent_steps_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    from flowgraph.cli import main

    assert main(["compile", str(ROOT / "examples" / "regional_routing.json")]) == 0
    out = capsys.readouterr().out
    assert "step entry (depth 0, dialplan id entry): business_hours" in out
    assert "(other responses depend on the call" in out


def test_cli_sheet(capsys: pytest.CaptureFixture[str]) -> None:
    from flowgraph.cli import main

    flow = str(ROOT / "examples" / "delivery_agents.json")
    assert main(["compile", flow, "--sheet", "--base-url", "https://ivr.example.com", "--json"]) == 0
    sheet = json.loads(capsys.readouterr().out)
    assert sheet["dialplans"][1]["url"] == "https://ivr.example.com/dialplan/delivery_agents/after_help_menu"
    assert main(["compile", flow, "--sheet", "--mode", "single"]) == 0
    assert "mode single" in capsys.readouterr().out


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from flowgraph.cli import main

    broken = tmp_path / "broken.json"
    data = base_flow()
    data["nodes"][1]["branches"]["next"] = "nowhere"
    broken.write_text(json.dumps(data))
    assert main(["compile", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:thanks: FG104 error" in err
    assert main(["compile", str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err
