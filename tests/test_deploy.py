"""The deployment sheet: per-step and single-dialplan modes, never the secret itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowgraph.compile.compiler import CompiledFlow, compile_flow
from flowgraph.compile.deploy import SECRET_PLACEHOLDER, deployment_sheet, sheet_text
from flowgraph.load import load_flow

ROOT = Path(__file__).resolve().parent.parent


def example(name: str) -> CompiledFlow:
    return compile_flow(load_flow(ROOT / "examples" / f"{name}.json"))


def test_per_step_sheet() -> None:
    sheet = deployment_sheet(example("delivery_agents"), "https://ivr.example.com/")
    assert sheet["mode"] == "per_step" and sheet["base_url"] == "https://ivr.example.com"
    entry, cont = sheet["dialplans"]
    assert entry["url"] == "https://ivr.example.com/dialplan/delivery_agents"
    assert cont["url"] == "https://ivr.example.com/dialplan/delivery_agents/after_help_menu"
    assert entry["method"] == cont["method"] == "POST"
    assert "last_dtmf" not in entry["request_body"]
    assert cont["request_body"] == {
        "uuid": "$uuid",
        "call_id": "$call_id",
        "call_to_number": "$call_to_number",
        "caller_id_number": "$caller_id_number",
        "start_stamp": "$start_stamp",
        "last_dtmf": "$last_dtmf",
        "call_flow": "$call_flow",
    }
    assert json.loads(cont["request_body_text"]) == cont["request_body"]
    assert entry["failover"] == {"type": "department", "data": ["5200"]}
    assert (entry["depth"], cont["depth"]) == (0, 1)
    # The entry is assigned to the number; only the continuation is reached by api_dialplan.
    assert (entry["assign_to_number"], entry["dialplan_id_key"]) == (True, None)
    assert (cont["assign_to_number"], cont["dialplan_id_key"], cont["dialplan_id"]) == (
        False,
        "after_help_menu",
        None,
    )
    assert any("after_help_menu" in n for n in sheet["notes"])


def test_single_sheet_for_document_example() -> None:
    sheet = deployment_sheet(example("nested_three_steps"), "http://127.0.0.1:8000")
    (only,) = sheet["dialplans"]
    assert only["url"] == "http://127.0.0.1:8000/dialplan/nested_three_steps"
    assert only["request_body"]["last_dtmf"] == "$last_dtmf"
    assert (only["dialplan_id_key"], only["dialplan_id"]) == ("flow", "6733074ecbb570864f06bc14")
    assert only["depth"] == 3
    assert sheet["notes"] == []


def test_secret_is_never_in_the_sheet() -> None:
    sheet = deployment_sheet(example("registered_users"), "https://x", secret_header="X-Api-Key")
    (entry,) = sheet["dialplans"]
    assert entry["header"] == {"name": "X-Api-Key", "value": SECRET_PLACEHOLDER}
    assert "X-Flowgraph-Secret" in json.dumps(deployment_sheet(example("registered_users"), "https://x"))


def test_other_mode_is_described_with_a_note() -> None:
    sheet = deployment_sheet(example("nested_three_steps"), "https://x", mode="per_step")
    assert [d["step"] for d in sheet["dialplans"]] == ["entry", "after_step1", "after_step2", "after_step3"]
    assert "set settings.deployment.mode to 'per_step'" in sheet["notes"][0]
    with pytest.raises(ValueError, match="deployment mode"):
        deployment_sheet(example("nested_three_steps"), "https://x", mode="both")


def test_text_rendering() -> None:
    text = sheet_text(deployment_sheet(example("delivery_agents"), "https://ivr.example.com"))
    assert "1. API Dialplan 'flowgraph delivery_agents entry'" in text
    assert "URL:            https://ivr.example.com/dialplan/delivery_agents/after_help_menu" in text
    assert "settings.deployment.dialplan_ids['after_help_menu']: (not set yet)" in text
    assert '"last_dtmf": "$last_dtmf"' in text
    assert "Destination: this API Dialplan" in text
