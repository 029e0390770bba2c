"""Flow tests (``tests`` in the flow document) through ``flowgraph test``: verdicts, exit codes,
JUnit XML, branch coverage, the starter suite, and tests staying out of the flow's version."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from flowgraph.cli import main
from flowgraph.compile.compiler import flow_version
from flowgraph.load import flow_from_data, load_flow
from flowgraph.simulate.flowtests import FlowTestError, coverage, run_tests, starter_suite

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
PERSONAL = ROOT / "examples" / "personal_agent.json"


def personal(tests: list[dict[str, Any]]) -> dict[str, Any]:
    doc = json.loads(PERSONAL.read_text())
    doc["tests"] = tests
    return doc


OWN_AGENT = {
    "name": "Vikram presses 1: his own agent",
    "call": {"caller": "+919812345678"},
    "presses": ["1"],
    "expect": {
        "outcome": "transfer",
        "transfer": "agent",
        "targets": ["05000022"],
        "path": ["account", "menu", "own_agent"],
    },
}


def write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_ships_tests_that_pass_and_cover_every_branch(path: Path, capsys: Any) -> None:
    assert load_flow(path).tests, path.name
    assert main(["test", str(path), "--min-coverage", "100"]) == 0
    out = capsys.readouterr().out
    assert "branch coverage 100%" in out and " 0 failed" in out


def test_a_failing_expectation_exits_1_with_expected_and_got(tmp_path: Path, capsys: Any) -> None:
    wrong = copy.deepcopy(OWN_AGENT)
    wrong["name"] = "wrong agent"
    wrong["expect"]["targets"] = ["05000021"]
    path = write(tmp_path, personal([OWN_AGENT, wrong]))
    assert main(["test", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: FAIL wrong agent: targets: expected [05000021], got [05000022]" in out
    assert "1 passed, 1 failed" in out


def test_a_failover_is_reported_with_its_reason(tmp_path: Path, capsys: Any) -> None:
    """A lookup row whose agent is empty fails over at request time; the test says so."""
    doc = personal([{**OWN_AGENT, "name": "empty agent"}])
    doc["tables"]["customers"]["rows"]["9812345678"]["agent_id"] = ""
    assert main(["test", str(write(tmp_path, doc))]) == 1
    out = capsys.readouterr().out
    assert "outcome: expected transfer, got failover (empty_value)" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expect": {"outcome": "ringing"}}, "test 'bad' tests[0].expect.outcome"),
        (
            {"call": {"caller": "+919812345678", "at": "tomorrow"}},
            "test 'bad' tests[0].call.at: Value error, 'tomorrow' is not 'YYYY-MM-DD HH:MM'",
        ),
        ({"presses": [1]}, "test 'bad' tests[0].presses[0]"),
        ({"call": {"caller": 9812345678}}, "test 'bad' tests[0].call.caller: Input should be a valid string"),
        ({"lookups": {"nowhere": "error"}}, "test 'bad' tests[0].lookups.nowhere: not an HTTP lookup node"),
    ],
)
def test_bad_test_data_exits_2_naming_the_test_and_field(
    tmp_path: Path, capsys: Any, change: dict[str, Any], message: str
) -> None:
    path = write(tmp_path, personal([{**OWN_AGENT, "name": "bad", **change}]))
    assert main(["test", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.endswith(f"flowgraph: {path}: 1 problem(s); no test was run\n") and err.count("\n") == 2


def _bad(name: str, **change: Any) -> dict[str, Any]:
    return {**copy.deepcopy(OWN_AGENT), "name": name, **change}


def test_every_bad_test_is_reported_at_once_by_its_name(tmp_path: Path, capsys: Any) -> None:
    tests = [
        OWN_AGENT,
        _bad("int press", presses=[1]),
        _bad("array press", presses=[["1"]]),
        _bad("bad at", call={"caller": "+919812345678", "at": "2026-01-05"}),
        _bad("typo", expect={"outcome": "transfer", "targes": ["x"]}),
        _bad("no call", call=None),
    ]
    del tests[-1]["call"]
    path = write(tmp_path, personal(tests))
    assert main(["test", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"flowgraph: {path}: test 'int press' tests[1].presses[0]: Input should be a valid string",
        f"flowgraph: {path}: test 'array press' tests[2].presses[0]: Input should be a valid string",
        f"flowgraph: {path}: test 'bad at' tests[3].call.at: Value error, '2026-01-05' is not 'YYYY-MM-DD HH:MM'",
        f"flowgraph: {path}: test 'typo' tests[4].expect.targes: unknown key (not part of the flow format)",
        f"flowgraph: {path}: test 'no call' tests[5].call: Field required",
        f"flowgraph: {path}: 5 problem(s); no test was run",
    ]


def test_two_tests_with_one_name_and_unknown_lookups_are_reported_together(
    tmp_path: Path, capsys: Any
) -> None:
    tests = [
        OWN_AGENT,
        _bad(OWN_AGENT["name"]),
        _bad("ghost", lookups={"crm": "error"}),
        _bad(OWN_AGENT["name"]),
    ]
    path = write(tmp_path, personal(tests))
    assert main(["test", str(path)]) == 2
    err = capsys.readouterr().err
    name = OWN_AGENT["name"]
    assert f"test '{name}' tests[1].name: also the name of tests[0]" in err
    assert f"test '{name}' tests[3].name: also the name of tests[0]" in err
    assert "test 'ghost' tests[2].lookups.crm: not an HTTP lookup node of the flow (it has none)" in err
    assert "3 problem(s); no test was run" in err
    with pytest.raises(FlowTestError) as exc:
        run_tests(flow_from_data(personal(tests)))
    assert len(exc.value.problems) == 3 and "(and 2 more: " in str(exc.value)
    # The server runs tests in a worker process: the error crosses it whole.
    again = pickle.loads(pickle.dumps(exc.value))
    assert again.problems == exc.value.problems and str(again) == str(exc.value)


def test_presses_and_answers_the_call_never_uses_fail_the_test(tmp_path: Path, capsys: Any) -> None:
    extra = _bad("extra presses", presses=["1", "2", None])
    rings = _bad("extra answers", answers=[True, False])
    path = write(tmp_path, personal([OWN_AGENT, extra, rings]))
    assert main(["test", str(path)]) == 1
    out = capsys.readouterr().out
    assert (
        "FAIL extra presses: presses: 3 given, but the call reached 1 prompt(s); never used: '2', nothing"
    ) in out
    assert "FAIL extra answers: answers: 2 given, but the call rang 1 transfer(s); never used: false" in out
    assert "1 passed, 2 failed" in out


def test_junit_xml_parses_back(tmp_path: Path) -> None:
    wrong = {**OWN_AGENT, "name": "wrong", "expect": {"outcome": "hangup"}}
    path = write(tmp_path, personal([OWN_AGENT, wrong]))
    report = tmp_path / "junit.xml"
    assert main(["test", str(path), "--junit", str(report)]) == 1
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases[OWN_AGENT["name"]].find("failure") is None
    failure = cases["wrong"].find("failure")
    assert failure is not None and failure.get("message") == "outcome: expected hangup, got transfer"


def test_coverage_names_the_branches_no_test_reaches(tmp_path: Path, capsys: Any) -> None:
    flow = flow_from_data(personal([OWN_AGENT]))
    cov = coverage(flow, [r.journey for r in run_tests(flow) if r.journey])
    assert cov.covered == {("account", "found"), ("menu", "1")}
    assert set(cov.missed) == {
        ("account", "not_found"),
        ("menu", "2"),
        ("menu", "no_input"),
        ("menu", "invalid"),
        ("own_agent", "no_answer"),
    }
    path = write(tmp_path, personal([OWN_AGENT]))
    assert main(["test", str(path), "--coverage", "--min-coverage", "50"]) == 1
    out = capsys.readouterr().out
    assert "branch coverage 29% (2/7)" in out and "not reached: menu -> no_input" in out


def test_tests_are_not_part_of_the_flow_version() -> None:
    flow = flow_from_data(personal([]))
    assert flow_version(flow) == flow_version(flow_from_data(personal([OWN_AGENT])))


def test_the_starter_suite_expects_what_the_flow_does_today(tmp_path: Path, capsys: Any) -> None:
    flow = flow_from_data(personal([]))
    suite = starter_suite(flow)
    results = run_tests(flow.model_copy(update={"tests": suite}))
    assert results and all(r.passed for r in results)
    assert coverage(flow, [r.journey for r in results if r.journey]).percent == 100
    path = write(tmp_path, personal([]))
    assert main(["test", "--generate", "--write", str(path)]) == 0
    assert len(json.loads(path.read_text())["tests"]) == len(suite)


def test_the_starter_suite_sends_a_caller_down_every_arm_of_a_split() -> None:
    doc = json.loads((Path(__file__).resolve().parents[1] / "examples" / "greeting_ab_test.json").read_text())
    doc["tests"] = []
    split = next(n for n in doc["nodes"] if n["type"] == "split")
    split["arms"] = [{"branch": "classic", "share": 90}, {"branch": "new", "share": 10}]  # a rare arm too
    flow = flow_from_data(doc)
    suite = starter_suite(flow)
    results = run_tests(flow.model_copy(update={"tests": suite}))
    assert results and all(r.passed for r in results)
    report = coverage(flow, [r.journey for r in results if r.journey])
    assert report.percent == 100, report.missed
