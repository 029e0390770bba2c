"""Every command that reads a flow file answers bad files and bad arguments with one line on
stderr naming the file (or the argument) and the problem, exit 2 -- never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flowgraph.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "examples" / "delivery_agents.json"

#: Bad flow files: name -> (content, what the one line must say). ``None`` content = a directory.
BAD_FILES: dict[str, tuple[bytes | None, str]] = {
    "truncated.json": (b'{"id": "x", ', "line 1 column 13: invalid JSON"),
    "empty.json": (b"", "the file is empty"),
    "blank.yaml": (b"\n  \n", "the file is empty"),
    "broken.yaml": (b"id: [unclosed\n", "invalid YAML"),
    "list.json": (b"[1, 2]", "got a list"),
    "null.json": (b"null", "got null"),
    "types.json": (b'{"id": 5, "entry": 3, "nodes": "no"}', "id: Input should be a valid string"),
    "badtype.json": (b'{"id":"x","entry":"a","nodes":[{"id":"a","type":"warp"}]}', "node 'a' nodes[0]"),
    "binary.json": (b"\xff\xfe\x00bad", "not UTF-8 text"),
    "folder.json": (None, "is a directory"),
}


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    for name, (content, _) in BAD_FILES.items():
        if content is None:
            (folder / name).mkdir()
        else:
            (folder / name).write_bytes(content)
    shutil.copy(GOOD, folder / "good.json")
    return folder


def commands(flow: str, folder: Path) -> dict[str, list[str]]:
    good = str(folder / "good.json")
    return {
        "check": ["check", flow],
        "compile": ["compile", flow],
        "simulate": ["simulate", flow, "--caller", "9876543210"],
        "render": ["render", flow, "-o", str(folder / "out.svg")],
        "diff old": ["diff", flow, good],
        "diff new": ["diff", good, flow],
        "call": [
            "call",
            "http://127.0.0.1:9",
            "--flow",
            "x",
            "--caller",
            "1",
            "--flow-file",
            flow,
            "--secret",
            "s",
        ],
    }


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, list[str]]:
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.splitlines()


@pytest.mark.parametrize(
    "command", ["check", "compile", "simulate", "render", "diff old", "diff new", "call"]
)
@pytest.mark.parametrize("name", [*BAD_FILES, "missing.json"])
def test_bad_flow_files_get_one_located_line(
    capsys: pytest.CaptureFixture[str], bad_dir: Path, name: str, command: str
) -> None:
    path = str(bad_dir / name)
    code, lines = run(capsys, commands(path, bad_dir)[command])
    assert code == 2
    errors = [line for line in lines if line.startswith("flowgraph: ")]
    assert len(errors) == 1, lines
    expected = BAD_FILES[name][1] if name in BAD_FILES else "no such file"
    assert errors[0].startswith(f"flowgraph: {path}: ") and expected in errors[0], errors[0]
    # check also prints its summary; every other command prints the error line alone.
    assert len(lines) == (2 if command == "check" else 1), lines


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not-a-url", "expected an http(s) URL"),
        ("ftp://example.com/x", "expected an http(s) URL"),
        ("http://[::1", "not a valid URL"),
    ],
)
def test_call_with_a_bad_server_url_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], bad_dir: Path, url: str, expected: str
) -> None:
    flow = str(bad_dir / "good.json")
    argv = ["call", url, "--flow", "delivery_agents", "--caller", "1", "--flow-file", flow, "--secret", "s"]
    code, lines = run(capsys, argv)
    assert code == 2 and expected in lines[-1], lines


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([1, 2], "record 0: expected a call record object, got int"),
        ({"records": [{"trace": []}, "x"]}, "record 1: expected a call record object, got str"),
        ({"nodes": "no"}, "stats: nodes: expected an object of counts by node id"),
        ({"nodes": {}, "edges": [{"source": "a"}]}, "stats: not a traffic stats document: KeyError"),
    ],
)
def test_render_with_a_bad_traffic_file(
    capsys: pytest.CaptureFixture[str], bad_dir: Path, document: object, expected: str
) -> None:
    traffic = bad_dir / "traffic.json"
    traffic.write_text(json.dumps(document))
    argv = ["render", str(bad_dir / "good.json"), "-o", str(bad_dir / "t.svg"), "--traffic", str(traffic)]
    code, lines = run(capsys, argv)
    assert code == 2 and len(lines) == 1 and lines[0].startswith(f"flowgraph: {traffic}: {expected}"), lines
