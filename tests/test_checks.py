"""Checks: broken fixtures yield their codes, the catalogue matches the docs, unit cases per rule."""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from flowgraph import check
from flowgraph.checks import CATALOGUE, CheckOptions, normalise_number, path_report
from flowgraph.compile.compiler import compile_flow
from flowgraph.diagnostics import Severity
from flowgraph.load import flow_from_data, load_flow

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "checks"
FIXTURE_NAMES = sorted(p.name.removesuffix(".flow.json") for p in FIXTURES.glob("*.flow.json"))
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def base() -> dict[str, Any]:
    """The clean fixture as data, for unit tests to mutate."""
    return json.loads((FIXTURES / "clean.flow.json").read_text())


def codes(data: dict[str, Any]) -> list[str]:
    return [d.code for d in check(flow_from_data(data))]


def node(data: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in data["nodes"] if n["id"] == node_id)


# --- data-driven fixtures ----------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_yields_expected_diagnostics(name: str) -> None:
    flow = load_flow(FIXTURES / f"{name}.flow.json")
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    # A fixture for the server-table rules comes with the server's tables (FG54x).
    server = FIXTURES / f"{name}.server_tables.json"
    options = CheckOptions(server_tables=json.loads(server.read_text())) if server.exists() else None
    got = [{"code": d.code, "nodes": list(d.nodes)} for d in check(flow, options)]
    assert got == expected


CHECK_CODES = [c for c in CATALOGUE if c[2] in "123456"]


def test_every_check_code_has_a_broken_fixture() -> None:
    produced = set()
    for name in FIXTURE_NAMES:
        produced |= {e["code"] for e in json.loads((FIXTURES / f"{name}.expected.json").read_text())}
    assert set(CHECK_CODES) - produced == set()
    for code in CHECK_CODES:
        assert any(n.startswith(code.lower()) for n in FIXTURE_NAMES), f"no fixture named for {code}"


def test_catalogue_and_docs_agree() -> None:
    text = (ROOT / "docs" / "diagnostics.md").read_text()
    documented = {
        m[1]: (m[2], m[3]) for m in re.finditer(r"^### (FG\d{3}) — (.+) \((error|warning)\)$", text, re.M)
    }
    assert documented == {c: (e.title, e.severity.value) for c, e in CATALOGUE.items()}


def test_codes_are_grouped_by_family() -> None:
    assert all(re.fullmatch(r"FG[1-7]\d\d", c) for c in CATALOGUE)
    assert list(CATALOGUE) == sorted(CATALOGUE)


def test_compiler_notes_are_catalogued() -> None:
    # The compiler's FG701 for a step without a portal dialplan id, through the real compiler.
    from flowgraph.compile.compiler import compile_flow

    compiled = compile_flow(flow_from_data(base()))
    notes = [(d.code, d.severity) for d in compiled.warnings]
    assert ("FG701", Severity.WARNING) in notes
    assert all(CATALOGUE[code].severity is severity for code, severity in notes)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_have_no_errors(path: Path) -> None:
    errors = [d for d in check(load_flow(path)) if d.is_error]
    assert errors == []


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 5


# --- structure ---------------------------------------------------------------------------


def test_unknown_target_suggests_close_match() -> None:
    data = base()
    node(data, "greet")["branches"]["next"] = "agnet"
    (d,) = [d for d in check(flow_from_data(data)) if d.code == "FG104"]
    assert d.nodes == ("greet",) and d.edges == (("greet", "next"),) and d.field == "branches.next"
    assert d.evidence["close_matches"][0] == "agent"
    assert d.hint.startswith("did you mean 'agent'")


def test_unknown_branch_name_lists_declared_and_suggests() -> None:
    data = base()
    node(data, "main")["branches"]["no_inptu"] = "operator"
    (d,) = [d for d in check(flow_from_data(data)) if d.code == "FG105"]
    assert d.evidence["declared"] == ["1", "2", "no_input", "invalid"]
    assert d.evidence["close_matches"] == ["no_input"]


def test_unreachable_is_a_warning_only() -> None:
    data = base()
    data["nodes"].append({"id": "spare", "type": "hangup"})
    diags = check(flow_from_data(data))
    assert {d.code for d in diags} == {"FG106", "FG520"}
    assert not any(d.is_error for d in diags)


# --- cycles ------------------------------------------------------------------------------


def test_cycle_lists_nodes_in_order_with_edges() -> None:
    data = base()
    node(data, "greet")["branches"]["next"] = "welcome"
    (d,) = [d for d in check(flow_from_data(data)) if d.code == "FG201"]
    assert d.evidence["cycle"] == ["welcome", "main", "who", "greet"]
    assert d.edges == (("welcome", "next"), ("main", "2"), ("who", "found"), ("greet", "next"))
    assert "retry" in d.hint


def test_two_separate_cycles_are_reported_once_each() -> None:
    data = base()
    node(data, "greet")["branches"]["next"] = "who"  # who -> greet -> who
    data["nodes"].append(
        {"id": "loop_a", "type": "play", "recording": {"data": "101"}, "branches": {"next": "loop_b"}}
    )
    data["nodes"].append(
        {"id": "loop_b", "type": "play", "recording": {"data": "101"}, "branches": {"next": "loop_a"}}
    )
    node(data, "main")["branches"]["1"] = "loop_a"
    cycles = [d.evidence["cycle"] for d in check(flow_from_data(data)) if d.code == "FG201"]
    # Sorted by nodes: one diagnostic per loop, each starting at its first node in the file.
    assert cycles == [["loop_a", "loop_b"], ["who", "greet"]]


def test_many_cycles_through_one_component_are_one_diagnostic() -> None:
    data = base()
    # Both menu options loop back: several simple cycles, one strongly connected component.
    node(data, "greet")["branches"]["next"] = "welcome"
    node(data, "main")["branches"]["1"] = "welcome"
    (d,) = [d for d in check(flow_from_data(data)) if d.code == "FG201"]
    assert d.evidence["component"] == ["welcome", "main", "who", "greet"]


# --- nesting -----------------------------------------------------------------------------


def test_nesting_error_shows_chain_and_respects_profile_limit() -> None:
    data = json.loads((FIXTURES / "fg301_too_deep.flow.json").read_text())
    (d,) = [d for d in check(flow_from_data(data)) if d.code == "FG301"]
    assert d.evidence["chain"] == ["entry", "after_m1", "after_m2", "after_m3", "after_m4"]
    assert d.evidence["limit"] == 3 and d.evidence["depth"] == 4
    data["settings"]["profile"] = {"nesting_limit": 4}
    assert "FG301" not in codes(data)


def test_handoff_chain_ends_with_the_dialplan_node() -> None:
    data = json.loads((FIXTURES / "fg302_handoff_too_deep.flow.json").read_text())
    (d,) = check(flow_from_data(data))
    assert d.code == "FG302" and d.evidence["chain"][-1] == "handoff" and d.field == "dialplan_id"


# --- coverage and the path report --------------------------------------------------------


def test_path_report_counts_paths_per_end() -> None:
    report = path_report(flow_from_data(base()))
    ends = {e.node: e.paths for e in report.ends}
    # main: 1 -> sales; 2 -> who (found -> agent, not_found -> operator); no_input, invalid -> operator
    assert ends == {"agent": 1, "sales": 1, "operator": 3}
    assert report.total == 5 and report.cycle_edges == ()


def test_path_report_counts_without_enumerating() -> None:
    # 60 diamonds in a row: 2**60 paths, counted in one pass.
    nodes: list[dict[str, Any]] = []
    for i in range(60):
        nodes.append(
            {
                "id": f"s{i}",
                "type": "switch",
                "cases": [{"branch": "a", "when": {"on": "caller", "prefixes": ["9"]}}],
                "branches": {"a": f"p{i}", "default": f"p{i}"},
            }
        )
        nodes.append(
            {"id": f"p{i}", "type": "play", "recording": {"data": "1"}, "branches": {"next": f"s{i + 1}"}}
        )
    nodes[-1]["branches"]["next"] = "done"
    nodes.append({"id": "done", "type": "transfer", "transfer": "ivr", "targets": ["1"]})
    flow = flow_from_data({"id": "wide", "entry": "s0", "nodes": nodes})
    (end,) = path_report(flow).ends
    assert end.node == "done" and end.paths == 2**60
    assert end.examples[0][0] == ("s0", "a")


def test_dead_end_counts_paths_and_gives_example() -> None:
    data = base()
    del node(data, "who")["branches"]["not_found"]
    (d,) = [d for d in check(flow_from_data(data)) if d.code == "FG403"]
    assert d.evidence == {"paths": 1, "examples": ["welcome -next-> main -2-> who -not_found-> (nothing)"]}


def test_failover_destination_obeys_transfer_rules() -> None:
    data = base()
    data["settings"]["failover"] = {"type": "number", "data": ["12345"]}
    (d,) = [d for d in check(flow_from_data(data)) if d.code == "FG508"]
    assert d.nodes == () and d.field == "settings.failover.data[0]"
    data["settings"]["failover"] = {"type": "ivr", "data": ["1", "2"]}
    assert "FG509" in codes(data)


# --- platform values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9876543210", "9876543210"),
        ("+919876543210", "9876543210"),
        ("+91-98765-43210", "9876543210"),
        ("919876543210", "9876543210"),
        ("98765 43210", "9876543210"),
        ("+19876543210", None),
        ("98765", None),
        ("98765432100", None),
        ("98765abcde", None),
    ],
)
def test_normalise_number(raw: str, expected: str | None) -> None:
    assert normalise_number(raw) == expected


def test_templated_number_is_judged_by_its_table_rows_not_by_fg508() -> None:
    """No FG508 for a template; but the table's agent ids are no phone numbers (FG527 warns)."""
    data = base()
    node(data, "sales")["targets"] = ["{{who.agent}}"]
    node(data, "main")["branches"]["1"] = "who"
    node(data, "who")["branches"]["found"] = "sales"
    node(data, "who")["branches"]["not_found"] = "operator"
    data["nodes"] = [n for n in data["nodes"] if n["id"] not in {"greet", "agent"}]
    assert codes(data) == ["FG527"]
    for row in data["tables"]["customers"]["rows"].values():
        row["agent"] = "+91 98765-43210"
    assert codes(data) == []


def test_option_max_length_uses_profile_default() -> None:
    data = base()
    data["settings"]["profile"] = {"dtmf_max_length": 1}
    node(data, "main")["options"] = ["1", "22"]
    node(data, "main")["branches"]["22"] = node(data, "main")["branches"].pop("2")
    (d,) = check(flow_from_data(data))
    assert d.code == "FG505" and d.evidence == {"option": "22", "max_length": 1}


def test_hangup_after_switch_only_is_an_empty_response() -> None:
    data = base()
    data["nodes"].append(
        {
            "id": "late",
            "type": "switch",
            "cases": [{"branch": "night", "when": {"on": "time", "from": "20:00", "to": "24:00"}}],
            "branches": {"night": "closed", "default": "operator"},
        }
    )
    data["nodes"].append({"id": "closed", "type": "hangup"})
    node(data, "main")["branches"]["no_input"] = "late"
    (d,) = [d for d in check(flow_from_data(data)) if d.code == "FG521"]
    assert d.evidence == {"steps": ["after_main"], "path": ["late", "closed"]}


def test_hangup_warning_goes_away_when_confirmed() -> None:
    data = json.loads((FIXTURES / "fg520_hangup_unconfirmed.flow.json").read_text())
    data["settings"]["profile"] = {"hangup_confirmed": True}
    assert codes(data) == []


def test_url_with_variable_must_still_name_scheme() -> None:
    data = base()
    node(data, "greet")["recording"] = {"type": "url", "data": "https://media.example.com/{{who.agent}}.wav"}
    assert codes(data) == []
    node(data, "greet")["recording"]["data"] = "media.example.com/{{who.agent}}.wav"
    assert codes(data) == ["FG515"]


# --- variables ---------------------------------------------------------------------------


def test_lookup_column_defined_only_on_found_branch() -> None:
    data = base()
    node(data, "who")["branches"]["not_found"] = "greet"
    (d,) = check(flow_from_data(data))
    assert d.code == "FG602" and d.nodes == ("agent", "who") and d.field == "targets[0]"


def test_switch_variable_condition_is_checked() -> None:
    data = base()
    data["nodes"].append(
        {
            "id": "route",
            "type": "switch",
            "cases": [
                {"branch": "vip", "when": {"on": "variable", "variable": "who.tier", "values": ["gold"]}}
            ],
            "branches": {"vip": "agent", "default": "operator"},
        }
    )
    node(data, "greet")["branches"]["next"] = "route"
    assert codes(data) == ["FG604"]
    data["tables"]["customers"]["columns"].append("tier")
    assert codes(data) == []


def test_switch_variable_with_bad_name_is_unknown() -> None:
    data = base()
    data["nodes"].append(
        {
            "id": "route",
            "type": "switch",
            "cases": [
                {"branch": "vip", "when": {"on": "variable", "variable": "who tier", "values": ["gold"]}}
            ],
            "branches": {"vip": "agent", "default": "operator"},
        }
    )
    node(data, "greet")["branches"]["next"] = "route"
    (d,) = check(flow_from_data(data))
    assert (d.code, d.field) == ("FG601", "cases[0].when.variable")


def test_http_lookup_allows_any_column() -> None:
    data = base()
    node(data, "who")["source"] = {
        "kind": "http",
        "url": "https://crm.example.com/who?n={{caller_id_number}}",
    }
    node(data, "who")["branches"]["error"] = "operator"
    node(data, "agent")["targets"] = ["{{who.anything_at_all}}"]
    assert codes(data) == []


def test_menu_digits_defined_in_its_continuation() -> None:
    data = base()
    node(data, "greet")["recording"] = {"type": "url", "data": "https://m.example.com/{{main.digits}}.wav"}
    assert codes(data) == []


def test_variables_cross_menus_but_must_be_defined_on_every_path() -> None:
    """A lookup before a menu feeds a transfer after it (the call's context carries it); when
    the lookup's not_found branch also reaches the menu, the use is maybe undefined."""
    data = json.loads((FIXTURES / "fg602_across_menu.flow.json").read_text())
    (d,) = check(flow_from_data(data))
    assert d.code == "FG602" and d.nodes == ("agent", "who") and d.evidence == {"lookup": "who"}
    node(data, "who")["branches"]["not_found"] = "operator"
    assert check(flow_from_data(data)) == []
    flow = flow_from_data(data)
    compiled = compile_flow(flow)
    assert compiled.reads_context == {"after_main"}
    assert compiled.carry_into == {"after_main"}


def test_menu_digits_are_defined_after_the_menu_in_every_later_step() -> None:
    data = json.loads((FIXTURES / "fg603_digits_elsewhere.flow.json").read_text())
    (d,) = check(flow_from_data(data))
    assert d.code == "FG603" and d.evidence == {"menu": "main"}
    # Moved after the menu, two steps later, the digits are defined.
    node(data, "welcome")["recording"]["data"] = "https://media.example.com/hello.wav"
    node(data, "greet")["recording"] = {
        "type": "url",
        "data": "https://media.example.com/{{main.digits}}.wav",
    }
    assert check(flow_from_data(data)) == []


# --- determinism and options -------------------------------------------------------------


def test_output_is_sorted_and_independent_of_node_order() -> None:
    data = json.loads((FIXTURES / "fg104_unknown_target.flow.json").read_text())
    node(data, "sales")["targets"] = ["123"]
    node(data, "operator")["ring_type"] = "order_by"
    first = [d.to_json() for d in check(flow_from_data(data))]
    assert [d["severity"] for d in first] == sorted(d["severity"] for d in first)  # error < warning
    shuffled = copy.deepcopy(data)
    random.Random(7).shuffle(shuffled["nodes"])
    again = [d.to_json() for d in check(flow_from_data(shuffled))]
    assert sorted(json.dumps(d, sort_keys=True) for d in again) == sorted(
        json.dumps(d, sort_keys=True) for d in first
    )
    assert [(d["code"], d["nodes"]) for d in again] == [(d["code"], d["nodes"]) for d in first]


def test_ignore_option_drops_codes() -> None:
    flow = load_flow(FIXTURES / "fg521_empty_response.flow.json")
    assert [d.code for d in check(flow, CheckOptions(ignore=frozenset({"FG520"})))] == ["FG521"]


def test_every_diagnostic_has_message_hint_and_catalogue_severity() -> None:
    for name in FIXTURE_NAMES:
        for d in check(load_flow(FIXTURES / f"{name}.flow.json")):
            assert d.message and d.hint, (name, d.code)
            assert d.severity is CATALOGUE[d.code].severity
            assert isinstance(d.severity, Severity)
