"""Helpers (no tests here) for the platform-endpoint tests: a real ``flowgraph serve`` seeded with
the examples, the flows' secrets (read from the same SQLite file), and the in-process oracle answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from services import ServerProcess, flowgraph_server

from flowgraph.compile.compiler import CompiledFlow, compile_flow
from flowgraph.load import flow_from_data, load_flow
from flowgraph.runtime.engine import Runtime
from flowgraph.store.db import make_engine
from flowgraph.store.flows import FlowStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXAMPLE_IDS = tuple(sorted(p.stem for p in EXAMPLES.glob("*.json")))
SECRET_HEADER = "X-Flowgraph-Secret"


@dataclass
class LiveServer:
    """A running server plus what tests need to talk to it like the platform does."""

    proc: ServerProcess
    db_url: str

    @property
    def base(self) -> str:
        return self.proc.base_url

    def secret(self, flow_id: str) -> str:
        engine = make_engine(self.db_url)
        try:
            return FlowStore(engine).secret(flow_id)
        finally:
            engine.dispose()

    def platform(
        self, flow_id: str, step: str | None = None, method: str = "POST", **kw: Any
    ) -> httpx.Response:
        """One platform request with the flow's secret (unless ``headers`` are given)."""
        headers = kw.pop("headers", None)
        if headers is None:
            headers = {SECRET_HEADER: self.secret(flow_id)}
        path = f"/dialplan/{flow_id}" + (f"/{step}" if step else "")
        return httpx.request(method, self.base + path, headers=headers, timeout=10, **kw)

    def calls(
        self, flow_id: str, call_id: str, want: int = 1, timeout_s: float = 10.0
    ) -> list[dict[str, Any]]:
        """The call's call-log records once at least ``want`` have been written (batched writes)."""
        deadline = time.monotonic() + timeout_s
        records: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            resp = httpx.get(
                f"{self.base}/api/flows/{flow_id}/calls",
                params={"call_id": call_id, "limit": 1000},
                headers=self.proc.auth,
                timeout=10,
            )
            resp.raise_for_status()
            records = resp.json()
            if len(records) >= want:
                return records
            time.sleep(0.1)
        raise AssertionError(f"only {len(records)} call-log records for {call_id}, wanted {want}")


@contextmanager
def live_server(
    tmp: Path, env: dict[str, str] | None = None, db_url: str | None = None
) -> Iterator[LiveServer]:
    """``flowgraph serve`` (real uvicorn on 127.0.0.1) seeded with every example."""
    url = db_url or f"sqlite:///{tmp / 'flowgraph.db'}"
    with flowgraph_server(url, args=("--seed-examples", str(EXAMPLES)), env=env, workdir=tmp) as proc:
        yield LiveServer(proc, url)


def compiled_example(name: str, mode: str | None = None) -> CompiledFlow:
    flow = load_flow(EXAMPLES / f"{name}.json")
    if mode is not None:
        data = flow.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["settings"]["deployment"]["mode"] = mode
        flow = flow_from_data(data)
    return compile_flow(flow)


def oracle(name: str, step: str, variables: dict[str, Any]) -> bytes:
    """What the compiled runtime answers in process for these variables (the expected body)."""
    return Runtime(compiled_example(name)).answer_sync(step, variables).body
