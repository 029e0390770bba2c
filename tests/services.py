"""Real services for tests: a private PostgreSQL 15, a private Redis and a flowgraph server process,
each on 127.0.0.1 in a temporary directory and stopped afterwards.

Context managers (usable from any test or bench): :func:`postgres_server`, :func:`redis_server`,
:func:`flowgraph_server`. Pytest fixtures: ``postgres_url`` (session-wide server),
``postgres_db`` (a fresh database per test), ``redis_url``. tests/conftest.py re-exports them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent

#: Debian's Chromium, started the way this machine needs (root, closed network); never downloaded.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(predicate: object, timeout_s: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not come up within {timeout_s}s\n{tail}")


# --- PostgreSQL --------------------------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """Debian's PostgreSQL binaries (15 preferred), or None when not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    preferred = [p for p in found if "/15/" in p]
    pick = (preferred or found or [None])[-1]
    return Path(pick).parent if pick else None


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throwaway PostgreSQL cluster; yield its URL (database ``postgres``, user ``postgres``).

    As root the cluster runs as the ``postgres`` user (``runuser``), since PostgreSQL refuses root.
    """
    bindir = postgres_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    tmp = Path(tempfile.mkdtemp(prefix="flowgraph-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(tmp, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, log, port = tmp / "data", tmp / "server.log", free_port()
    subprocess.run(
        [
            *run_as,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


_db_numbers = count(1)


def create_database(server_url: str) -> str:
    """Create a fresh empty database on the server; return its URL."""
    import psycopg

    name = f"flowgraph_test_{os.getpid()}_{next(_db_numbers)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One private PostgreSQL for the whole test session."""
    with postgres_server() as url:
        yield url


@pytest.fixture
def postgres_db(postgres_url: str) -> str:
    """A new, empty database for one test."""
    return create_database(postgres_url)


# --- Redis -------------------------------------------------------------------------------------


@contextmanager
def redis_server() -> Iterator[str]:
    """Start a private redis-server (no persistence); yield ``redis://127.0.0.1:PORT/0``."""
    with redis_process() as (url, _proc):
        yield url


@contextmanager
def redis_process(port: int | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """:func:`redis_server` on ``port`` (default: a free one), also yielding the process (for
    fault tests that stop, freeze or restart it)."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (make test installs it)")
    tmp = Path(tempfile.mkdtemp(prefix="flowgraph-redis-"))
    port = port or free_port()
    log = tmp / "redis.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                exe,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "no",
                "--save",
                "",
                "--dir",
                str(tmp),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(lambda: _redis_ping(port), 15, "redis-server", log)
        yield f"redis://127.0.0.1:{port}/0", proc
    finally:
        proc.send_signal(signal.SIGCONT)  # a frozen server cannot exit
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """One private Redis for the whole test session."""
    with redis_server() as url:
        yield url


# --- a flowgraph server process ------------------------------------------------------------------


class ServerProcess:
    """A running ``flowgraph serve``: its base URL, admin token, database URL and log file."""

    def __init__(
        self, base_url: str, token: str, database_url: str, log: Path, proc: subprocess.Popen[bytes]
    ):
        self.base_url, self.token, self.database_url = base_url, token, database_url
        self.log, self.proc = log, proc

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def client(self) -> httpx.Client:
        """An HTTP client on the server's base URL (close it, or use it in ``with``)."""
        return httpx.Client(base_url=self.base_url, timeout=10)


@contextmanager
def flowgraph_server(
    database_url: str,
    token: str | None = "test-admin-token",
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    workdir: Path | None = None,
) -> Iterator[ServerProcess]:
    """Run ``flowgraph serve`` (real uvicorn) on a free 127.0.0.1 port until the block ends.

    ``token=None`` leaves FLOWGRAPH_ADMIN_TOKEN unset, so the server generates one (``.token`` is
    then empty; read the token file).
    """
    port = free_port()
    workdir = workdir or Path(tempfile.mkdtemp(prefix="flowgraph-serve-"))
    log = workdir / f"server-{port}.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWGRAPH_")}
    full_env["FLOWGRAPH_LOG_LEVEL"] = "warning"
    if token is not None:
        full_env["FLOWGRAPH_ADMIN_TOKEN"] = token
    full_env.update(env or {})
    cmd = [str(VENV_BIN / "flowgraph"), "serve", "--port", str(port), "--db", database_url, *args]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=workdir, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: proc.poll() is not None or _healthy(base), 30, "flowgraph serve", log)
        if proc.poll() is not None:
            raise RuntimeError(f"flowgraph serve exited with {proc.returncode}\n{log.read_text()[-2000:]}")
        yield ServerProcess(base, token or "", database_url, log, proc)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def local_http(handler: type) -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 with ``handler`` (a BaseHTTPRequestHandler); its URL."""
    from http.server import ThreadingHTTPServer
    from threading import Thread

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
