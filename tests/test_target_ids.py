"""T7: the one id rule for agent / IVR / auto-attendant / department targets, judged alike by the
rule itself, the checks (FG528 on a literal, FG529 on a flow-table cell), the compiled runtime
(``bad_value`` failover on a rendered id), the reference interpreter and the CLI.

The live server side of the same table is tests/server/test_target_ids_live.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from values_ids import IDS, caller, id_flow, literal_id_flow

from flowgraph import check
from flowgraph.compile.compiler import compile_flow
from flowgraph.load import flow_from_data
from flowgraph.profile import DEFAULT_PROFILE, ID_TRANSFER_TYPES, PlatformProfile, sendable_id
from flowgraph.runtime.engine import Runtime
from flowgraph.simulate.interpret import walk
from flowgraph.simulate.platform import CallScript, Failover, Transfer
from flowgraph.simulate.simulator import simulate

ID_RUNTIME = Runtime(compile_flow(flow_from_data(id_flow())))
FLOWGRAPH = [str(Path(sys.executable).parent / "flowgraph")]
FAILOVER_BODY = [{"transfer": {"type": "department", "data": ["5200"]}}]


@pytest.mark.parametrize(("value", "ok"), IDS)
def test_the_rule_itself(value: str, ok: bool) -> None:
    assert sendable_id(value, DEFAULT_PROFILE) is ok


@pytest.mark.parametrize("kind", sorted(ID_TRANSFER_TYPES))
@pytest.mark.parametrize(("value", "ok"), IDS)
def test_check_judges_a_literal_target_by_the_rule(kind: str, value: str, ok: bool) -> None:
    found = [d for d in check(flow_from_data(literal_id_flow(value, kind))) if d.code == "FG528"]
    assert bool(found) is not ok
    if found:
        assert found[0].nodes == ("t",) and found[0].field == "targets[0]" and found[0].is_error
        assert found[0].evidence["value"] == value
    else:  # and what passes the check is sent exactly as written
        body = Runtime(compile_flow(flow_from_data(literal_id_flow(value, kind)))).answer_sync("entry", {})
        assert json.loads(body.body) == [{"transfer": {"type": kind, "data": [value]}}]


def test_a_literal_is_judged_as_written_and_the_failover_too() -> None:
    # A literal is sent as it is written, so spaces around it are refused (a rendered cell is
    # trimmed first: see the table test below).
    assert [d.field for d in check(flow_from_data(literal_id_flow(" 05000001"))) if d.code == "FG528"] == [
        "targets[0]"
    ]
    data = literal_id_flow("05000001")
    data["settings"]["failover"] = {"type": "ivr", "data": ["22590 "]}
    (found,) = [d for d in check(flow_from_data(data)) if d.code == "FG528"]
    assert found.nodes == () and found.field == "settings.failover.data[0]" and "ivr id" in found.message


def test_number_targets_are_not_judged_as_ids() -> None:
    data = literal_id_flow("+91 98765 43210", "number")
    assert [d.code for d in check(flow_from_data(data)) if d.is_error] == []


@pytest.mark.parametrize(("i", "value", "ok"), [(i, v, ok) for i, (v, ok) in enumerate(IDS)])
def test_runtime_judges_a_rendered_target_by_the_rule(i: int, value: str, ok: bool) -> None:
    answer = ID_RUNTIME.answer_sync("entry", {"caller_id_number": caller(i)})
    if ok:
        assert answer.failover_reason is None
        assert json.loads(answer.body) == [{"transfer": {"type": "agent", "data": [value]}}]
    else:  # never sent as it is: the flow's failover, with the reason
        assert answer.failover_reason is not None and answer.failover_reason.startswith("bad_value:")
        assert "node 'agent'" in answer.failover_reason
        assert json.loads(answer.body) == FAILOVER_BODY


@pytest.mark.parametrize(("i", "value", "ok"), [(i, v, ok) for i, (v, ok) in enumerate(IDS)])
def test_interpreter_agrees_with_the_compiled_flow(i: int, value: str, ok: bool) -> None:
    flow = flow_from_data(id_flow("ivr"))
    script = CallScript(caller=caller(i))
    journey = walk(flow, script)
    assert journey == simulate(flow, script)
    (event,) = journey.events
    if ok:
        assert isinstance(event, Transfer) and event.targets == (value,)
    else:
        assert isinstance(event, Failover) and "bad_value" in event.detail


def test_table_cells_that_break_the_rule_are_a_warning() -> None:
    diags = [d for d in check(flow_from_data(id_flow())) if d.code == "FG529"]
    (found,) = diags
    refused = sorted(caller(i) for i, (v, ok) in enumerate(IDS) if not ok and v.strip())
    assert found.evidence["rows"] == refused and not found.is_error
    assert found.nodes == ("agent", "who") and found.field == "targets[0]"
    # A cell with spaces around one id is trimmed when rendered, so it is no warning.
    data = id_flow()
    data["tables"]["t"]["rows"] = {caller(0): {"agent_id": " 05000001 "}}
    assert [d.code for d in check(flow_from_data(data)) if d.code == "FG529"] == []
    assert json.loads(
        Runtime(compile_flow(flow_from_data(data))).answer_sync("entry", {"caller_id_number": caller(0)}).body
    ) == [{"transfer": {"type": "agent", "data": ["05000001"]}}]


def test_the_shape_is_a_profile_setting() -> None:
    data = literal_id_flow("agent_7")
    data["settings"]["profile"] = {"target_id_pattern": "[0-9]{1,20}"}
    (found,) = [d for d in check(flow_from_data(data)) if d.code == "FG528"]
    assert found.evidence["pattern"] == "[0-9]{1,20}"
    data = id_flow()
    data["settings"]["profile"] = {"target_id_pattern": "[0-9]{1,20}"}
    runtime = Runtime(compile_flow(flow_from_data(data)))
    agent_7 = next(i for i, (v, _) in enumerate(IDS) if v == "agent_7")
    assert runtime.answer_sync("entry", {"caller_id_number": caller(agent_7)}).failover_reason.startswith(
        "bad_value:"
    )
    with pytest.raises(ValueError, match="not a regular expression"):
        PlatformProfile(target_id_pattern="[0-9")


# --- the CLI sees the same rule ------------------------------------------------------------


def test_cli_check_and_simulate(tmp_path: Path) -> None:
    path = tmp_path / "ids.json"
    path.write_text(json.dumps(literal_id_flow("05000001,05000002")))
    out = subprocess.run([*FLOWGRAPH, "check", str(path)], capture_output=True, text=True, check=False)
    assert out.returncode == 1 and "t: FG528 error: '05000001,05000002' is not one agent id" in out.stdout
    assert "give each id as its own target" in out.stdout
    path.write_text(json.dumps(id_flow()))
    out = subprocess.run([*FLOWGRAPH, "check", str(path)], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and "agent: FG529 warning" in out.stdout, out.stdout
    bad = IDS.index(("$agent", False))
    args = [*FLOWGRAPH, "simulate", str(path), "--caller", caller(bad)]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    assert "failover" in out.stdout and "bad_value" in out.stdout and "'$agent'" in out.stdout, out.stdout
