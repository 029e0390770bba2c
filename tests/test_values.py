"""Issue 8 §4-§6: one number rule, key presses, escaped URLs -- every value judged alike by the
checks, the compiled runtime, the table keys and the reference interpreter.

The live server side of the same tables is tests/server/test_values_live.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from values_table import NUMBERS, URLS, caller, literal_transfer_flow, literal_url_flow, number_flow, url_flow

from flowgraph import check
from flowgraph.compile.compiler import compile_flow
from flowgraph.load import flow_from_data
from flowgraph.profile import PlatformProfile, sendable_number
from flowgraph.runtime.engine import Runtime
from flowgraph.runtime.lookups import TableIndex
from flowgraph.simulate.interpret import walk
from flowgraph.simulate.platform import CallScript, Failover, Play, Transfer
from flowgraph.simulate.simulator import simulate

NUMBER_RUNTIME = Runtime(compile_flow(flow_from_data(number_flow())))
URL_RUNTIME = Runtime(compile_flow(flow_from_data(url_flow())))
FLOWGRAPH = [str(Path(sys.executable).parent / "flowgraph")]


@pytest.mark.parametrize(("value", "sent"), NUMBERS)
def test_the_rule_itself(value: str, sent: str | None) -> None:
    assert sendable_number(value) == sent


@pytest.mark.parametrize(("value", "sent"), NUMBERS)
def test_check_judges_a_literal_target_by_the_rule(value: str, sent: str | None) -> None:
    found = [d for d in check(flow_from_data(literal_transfer_flow(value))) if d.code == "FG508"]
    assert bool(found) == (sent is None)
    if found:
        assert found[0].nodes == ("t",) and found[0].field == "targets[0]"
    else:  # and what passes the check is sent as the rule's 10 digits
        body = Runtime(compile_flow(flow_from_data(literal_transfer_flow(value)))).answer_sync("entry", {})
        assert json.loads(body.body) == [{"transfer": {"type": "number", "data": [sent]}}]


@pytest.mark.parametrize(("i", "value", "sent"), [(i, v, s) for i, (v, s) in enumerate(NUMBERS)])
def test_runtime_judges_a_rendered_target_by_the_rule(i: int, value: str, sent: str | None) -> None:
    answer = NUMBER_RUNTIME.answer_sync("entry", {"caller_id_number": caller(i)})
    if sent is None:
        assert answer.failover_reason is not None and answer.failover_reason.startswith("bad_number:")
        assert json.loads(answer.body) == [{"transfer": {"type": "department", "data": ["5200"]}}]
    else:
        assert answer.failover_reason is None
        assert json.loads(answer.body) == [{"transfer": {"type": "number", "data": [sent]}}]
    e164 = PlatformProfile(number_format="e164")
    data = number_flow()
    data["settings"]["profile"] = e164.model_dump(include={"number_format"})
    other = Runtime(compile_flow(flow_from_data(data))).answer_sync("entry", {"caller_id_number": caller(i)})
    if sent is not None:
        assert json.loads(other.body)[0]["transfer"]["data"] == ["+91" + sent]


@pytest.mark.parametrize(("i", "value", "sent"), [(i, v, s) for i, (v, s) in enumerate(NUMBERS)])
def test_interpreter_agrees_with_the_compiled_flow(i: int, value: str, sent: str | None) -> None:
    flow = flow_from_data(number_flow())
    script = CallScript(caller=caller(i))
    journey = walk(flow, script)
    assert journey == simulate(flow, script)
    (event,) = journey.events
    if sent is None:
        assert isinstance(event, Failover) and "bad_number" in event.detail
    else:
        assert isinstance(event, Transfer) and event.targets == (sent,)


@pytest.mark.parametrize(("value", "sent"), NUMBERS)
def test_table_keys_follow_the_rule(value: str, sent: str | None) -> None:
    index = TableIndex.build({value: {"row": "1"}})
    if sent is None:
        # A refused value is a key as written: no caller reaches it by its last 10 digits.
        assert index.find(value) == {"row": "1"}
        last10 = "".join(c for c in value if c.isascii() and c.isdigit())[-10:]
        assert last10 == value.strip() or index.find("+91" + last10) is None
    else:
        for probe in (sent, "+91" + sent, "91" + sent, "0" + sent, "+91 " + sent[:5] + "-" + sent[5:]):
            assert index.find(probe) == {"row": "1"}, probe


def test_a_number_listed_twice_is_a_warning_on_the_node() -> None:
    data = literal_transfer_flow("9876543210")
    data["nodes"][0]["targets"] = ["9876543210", "+91 98765-43210", "9000000104", "{{caller_id_number}}"]
    data["nodes"][0]["targets"].append("{{caller_id_number}}")
    found = [d for d in check(flow_from_data(data)) if d.code == "FG524"]
    assert [(d.nodes, d.field, d.severity.value) for d in found] == [
        (("t",), "targets[1]", "warning"),
        (("t",), "targets[4]", "warning"),
    ]


# --- URLs (§6) ----------------------------------------------------------------------------


@pytest.mark.parametrize(("i", "url", "sent"), [(i, u, s) for i, (u, s) in enumerate(URLS)])
def test_rendered_url_is_escaped_or_fails_over(i: int, url: str, sent: str | None) -> None:
    answer = URL_RUNTIME.answer_sync("entry", {"caller_id_number": caller(i)})
    if sent is None:
        assert answer.failover_reason is not None and answer.failover_reason.startswith("bad_url:")
    else:
        assert answer.failover_reason is None
        assert json.loads(answer.body)[0][0] == {"recording": {"type": "url", "data": sent}}
    flow = flow_from_data(url_flow())
    script = CallScript(caller=caller(i))
    journey = walk(flow, script)
    assert journey == simulate(flow, script)
    if sent is not None:
        assert journey.events[0] == Play("url", sent)


@pytest.mark.parametrize(("url", "sent"), URLS)
def test_literal_url_judged_and_sent_by_the_same_rule(url: str, sent: str | None) -> None:
    data = literal_url_flow(url)
    errors = [d.code for d in check(flow_from_data(data)) if d.is_error]
    if sent is None:
        assert "FG515" in errors or (not url.strip() and "FG523" in errors)
        return
    assert errors == []
    body = Runtime(compile_flow(flow_from_data(data))).answer_sync("entry", {}).body
    assert json.loads(body)[0][0] == {"recording": {"type": "url", "data": sent}}


# --- the CLI sees the same rules ----------------------------------------------------------


def test_cli_check_and_simulate(tmp_path: Path) -> None:
    path = tmp_path / "numbers.json"
    data = literal_transfer_flow("98765432101")
    path.write_text(json.dumps(data))
    out = subprocess.run([*FLOWGRAPH, "check", str(path)], capture_output=True, text=True, check=False)
    assert out.returncode == 1 and "t: FG508 error: '98765432101'" in out.stdout
    path.write_text(json.dumps(number_flow()))
    bad = NUMBERS.index(("9000000105, 9000000106", None))
    args = [*FLOWGRAPH, "simulate", str(path), "--caller", caller(bad)]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    assert "failover" in out.stdout and "bad_number" in out.stdout, out.stdout
