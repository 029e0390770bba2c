"""T11 on a real ``flowgraph serve`` (uvicorn on 127.0.0.1, SQLite): once it is up it prints the
URL to open and how to sign in, and Ctrl+C -- SIGINT to the whole process group, as a terminal
sends it, worker process included -- stops it without a traceback or a "leaked semaphore
objects" warning, leaving no process of the group behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from services import free_port

ROOT = Path(__file__).resolve().parents[2]
FLOWGRAPH = str(Path(sys.executable).parent / "flowgraph")


def _up(base: str, proc: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"flowgraph serve did not come up (exit {proc.poll()})")


def _group_left(pgid: int) -> list[str]:
    """The command lines of the processes still in group ``pgid`` once they had 10 s to end
    (the resource tracker ends just after the server; an orphaned worker never would)."""
    deadline = time.monotonic() + 10
    while True:
        left = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    left.append((stat.parent / "cmdline").read_text().replace("\0", " "))
            except (OSError, IndexError, ValueError):
                continue
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def _serve(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    # Seeding publishes through the worker process, so it is running when Ctrl+C comes.
    shutil.copy(ROOT / "examples" / "personal_agent.json", seeds / "personal_agent.json")
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWGRAPH_")} | env
    cmd = [FLOWGRAPH, "serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'fg.db'}"]
    proc = subprocess.Popen(
        [*cmd, "--seed-examples", str(seeds)],
        cwd=tmp_path,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, like a terminal's job
    )
    _up(f"http://127.0.0.1:{port}", proc)
    return proc, port


def _ctrl_c(proc: subprocess.Popen[bytes]) -> str:
    os.killpg(proc.pid, signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return out.decode(errors="replace")


def _worker_started(proc: subprocess.Popen[bytes]) -> None:
    # The spawned worker is a child of the server (seen through /proc): wait for it.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        if any(
            "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()
            for c in children
            if Path(f"/proc/{c}").exists()
        ):
            return
        time.sleep(0.05)
    raise AssertionError("the worker process never started")


def test_ctrl_c_stops_quietly_after_saying_where_it_serves(tmp_path: Path) -> None:
    proc, port = _serve(tmp_path, {"FLOWGRAPH_ADMIN_TOKEN": "t0ken-for-the-test"})
    _worker_started(proc)
    out = _ctrl_c(proc)
    line = (
        f"flowgraph: serving http://127.0.0.1:{port}/ (editor and API) -- sign in with "
        "FLOWGRAPH_ADMIN_TOKEN; Ctrl+C to stop"
    )
    assert line in out, out
    assert "t0ken-for-the-test" not in out  # the token itself is never printed
    assert "leaked semaphore" not in out and "Traceback" not in out and "KeyboardInterrupt" not in out, out
    assert proc.returncode in (0, 130), out
    assert _group_left(proc.pid) == [], "processes of the server's group outlived it"


def test_a_generated_token_is_named_by_its_file(tmp_path: Path) -> None:
    proc, port = _serve(tmp_path, {})
    out = _ctrl_c(proc)
    token_file = tmp_path / ".flowgraph" / "admin-token"
    assert token_file.exists()
    assert (
        f"serving http://127.0.0.1:{port}/ (editor and API) -- sign in with the token in {token_file};" in out
    )
    assert "leaked semaphore" not in out and "Traceback" not in out, out
