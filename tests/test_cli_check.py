"""``flowgraph check`` through ``flowgraph.cli.main(argv)``: lines, exit codes, JSON, path report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowgraph.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "checks"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_flow_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(FIXTURES / "clean.flow.json"))
    assert (code, out) == (0, "")
    assert err.strip() == "0 error(s), 0 warning(s) in 1 file(s)"


def test_warnings_only_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "fg520_hangup_unconfirmed.flow.json")
    code, out, _err = run(capsys, path)
    assert code == 0
    assert out.startswith(f"{path}:end: FG520 warning: ")


def test_errors_exit_one_with_node_and_field(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "fg104_unknown_target.flow.json")
    code, out, err = run(capsys, path)
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith(f"{path}:greet: FG104 error: branch 'next' goes to unknown node 'agnet'")
    assert "[branches.next]" in lines[0] and "did you mean 'agent'" in lines[0]
    assert [line.split(" ")[1] for line in lines] == ["FG104", "FG403", "FG106"]
    assert "2 error(s), 1 warning(s) in 1 file(s)" in err


def test_diagnostic_without_node_has_no_node_part(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "fg401_no_failover.flow.json")
    code, out, _err = run(capsys, path)
    assert code == 1
    assert out.startswith(f"{path}: FG401 error: the flow has no failover destination")


def test_several_files_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    examples = sorted(str(p) for p in (ROOT / "examples").glob("*.json"))
    code, _out, err = run(capsys, *examples)
    assert code == 0
    assert "0 error(s)" in err and f"in {len(examples)} file(s)" in err


def test_unreadable_file_is_one_line_and_exit_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x", "entry": "a", "nodes": [{"id": "a", "type": "play"}]}')
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, _out, err = run(capsys, str(bad), str(broken), str(FIXTURES / "clean.flow.json"))
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith(f"flowgraph: {bad}: node 'a' nodes[0].recording: Field required")
    assert (
        lines[1]
        == f"flowgraph: {broken}: line 1 column 2: invalid JSON: Expecting property name enclosed in double quotes"
    )
    assert "Traceback" not in err
    assert lines[2] == "0 error(s), 0 warning(s) in 1 file(s); 2 file(s) could not be read"


def test_usage_error_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 2
    assert "FLOW" in capsys.readouterr().err


def test_json_output_one_list_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    a = str(FIXTURES / "fg201_cycle.flow.json")
    b = str(FIXTURES / "clean.flow.json")
    code, out, _err = run(capsys, "--json", a, b)
    first, second = (json.loads(line) for line in out.splitlines())
    assert code == 1
    assert second == []
    assert [d["code"] for d in first] == ["FG201", "FG106"]
    cycle = first[0]
    assert cycle["file"] == a and cycle["severity"] == "error"
    assert cycle["evidence"]["cycle"] == ["welcome", "main", "who", "greet"]
    assert cycle["edges"][0] == {"source": "welcome", "branch": "next"}


def test_paths_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "clean.flow.json")
    code, out, _err = run(capsys, "--paths", path)
    assert code == 0
    assert out.splitlines() == [
        f"{path}: 5 path(s) from 'welcome'",
        f"{path}:   agent [transfer]: 1 path(s)",
        f"{path}:     e.g. welcome -next-> main -2-> who -found-> greet -next-> agent",
        f"{path}:   sales [transfer]: 1 path(s)",
        f"{path}:     e.g. welcome -next-> main -1-> sales",
        f"{path}:   operator [transfer]: 3 path(s)",
        f"{path}:     e.g. welcome -next-> main -no_input-> operator",
        f"{path}:     e.g. welcome -next-> main -invalid-> operator",
        f"{path}:     e.g. welcome -next-> main -2-> who -not_found-> operator",
    ]


def test_paths_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "fg403_dead_end.flow.json")
    code, out, _err = run(capsys, "--json", "--paths", path)
    diags, report = (json.loads(line) for line in out.splitlines())
    assert code == 1
    assert [d["code"] for d in diags] == ["FG402", "FG403"]
    assert report["file"] == path
    dead = [e for e in report["paths"]["ends"] if e["dead_end"]]
    assert dead == [
        {
            "node": "who",
            "type": "lookup",
            "paths": 1,
            "dead_end": True,
            "missing": ["not_found"],
            "examples": ["welcome -next-> main -2-> who -not_found-> (nothing)"],
        }
    ]


def test_output_is_identical_across_hash_seeds() -> None:
    # Set iteration order changes with PYTHONHASHSEED; the output must not.
    flows = sorted(str(p) for p in FIXTURES.glob("*.flow.json"))
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-m", "flowgraph.cli", "check", "--json", "--paths", *flows],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert proc.returncode == 1, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == 2 * len(flows)
