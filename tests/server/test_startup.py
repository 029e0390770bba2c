"""Start-up failures of a real ``flowgraph serve``: one line naming what to check, exit 2 or 3,
never a traceback; the files it creates are private (0600, directories 0700)."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
from pathlib import Path

import pytest
from services import VENV_BIN, flowgraph_server, free_port


def serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWGRAPH_")}
    return subprocess.run(
        [str(VENV_BIN / "flowgraph"), "serve", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("flowgraph: ")]
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_unreachable_postgresql_names_the_url_without_its_password(tmp_path: Path) -> None:
    closed = free_port()
    result = serve(
        tmp_path, "--db", f"postgresql://bob:hunter2@127.0.0.1:{closed}/flows", "--port", str(free_port())
    )
    assert result.returncode == 3
    line = one_line(result)
    assert f"bob:***@127.0.0.1:{closed}/flows" in line and "hunter2" not in result.stderr
    assert "check that it runs" in line


def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = serve(tmp_path, "--db", f"sqlite:///{tmp_path / 'f.db'}", "--port", str(port))
    assert result.returncode == 3
    assert f"port {port} on 127.0.0.1 is already in use" in one_line(result)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bad.toml", "port = [", "bad.toml: invalid config file"),
        ("bad.yaml", "prot: 1", "bad.yaml: prot: unknown setting"),
        ("bad.json", '{"port": "eighty"}', "invalid settings"),
    ],
)
def test_bad_config_file_is_one_line_exit_2(tmp_path: Path, name: str, text: str, expected: str) -> None:
    (tmp_path / name).write_text(text)
    result = serve(tmp_path, "--config", name)
    assert result.returncode == 2
    assert expected in one_line(result)


def test_unsupported_database_is_a_configuration_error(tmp_path: Path) -> None:
    result = serve(tmp_path, "--db", "mysql://u:p@h/d", "--port", str(free_port()))
    assert result.returncode == 2 and "unsupported database 'mysql'" in one_line(result)


def test_files_the_server_creates_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = tmp_path / "data" / "nested" / "flowgraph.db"
        with flowgraph_server(f"sqlite:///{db}", token=None, workdir=tmp_path) as proc:
            assert proc.client().get("/healthz").status_code == 200
    finally:
        os.umask(old)
    token = db.parent / ".flowgraph" / "admin-token"
    for path, mode in [
        (db, 0o600),
        (token, 0o600),
        (db.parent, 0o700),
        (db.parent.parent, 0o700),
        (token.parent, 0o700),
    ]:
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
