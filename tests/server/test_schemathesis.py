"""Schemathesis against the management API's OpenAPI schema, on a real uvicorn process seeded with
the examples: generated requests (bounded: 30 examples per operation, FLOWGRAPH_FUZZ_EXAMPLES to change, with the admin token) never
get a 500, and every answer is one the schema documents."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from server_support import AUTH, EXAMPLES, TOKEN
from services import ServerProcess, flowgraph_server

from flowgraph.commands.openapi import openapi_schema

SEEDED = sorted(p.stem for p in EXAMPLES.glob("*.json"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workdir: Path = tmp_path_factory.mktemp("schemathesis")
    with flowgraph_server(
        f"sqlite:///{workdir / 'fg.db'}",
        token=TOKEN,
        args=("--seed-examples", str(EXAMPLES)),
        workdir=workdir,
    ) as server:
        yield server


# The schema the server publishes, built in-process (no database) so tests are collected per operation.
schema = schemathesis.openapi.from_dict(openapi_schema()).include(path_regex="^/(api|healthz)")


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("FLOWGRAPH_FUZZ_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_management_api_never_500s(case: schemathesis.Case, fuzzed_server: ServerProcess) -> None:
    # Aim most generated ids at seeded flows, so requests get past the 404 into the real work.
    flow_id = case.path_parameters.get("flow_id") if case.path_parameters else None
    if flow_id is not None and not str(flow_id).startswith("x"):
        case.path_parameters["flow_id"] = SEEDED[zlib.crc32(str(flow_id).encode()) % len(SEEDED)]
    case.call_and_validate(
        base_url=fuzzed_server.base_url, headers=AUTH, checks=[not_a_server_error, status_code_conformance]
    )
