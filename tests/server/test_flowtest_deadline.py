"""A flow test whose lookup times out ends as the live server ends the same call.

The live answer deadline (``flowgraph/runtime/deadline.py``) runs from the request's arrival: a
lookup whose own ``timeout_ms`` runs out first takes its ``error`` branch; one that would wait
longer is cut off by the deadline and the call gets the flow's failover, reason ``deadline``.
The runner is checked alone (the default 1500 ms deadline, the send margin, timeouts adding up)
and against a real server configured with a short deadline, whose lookups ask a real local HTTP
server that never answers in time.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest
from server_support import flow_secret
from services import flowgraph_server, local_http

from flowgraph.load import flow_from_data
from flowgraph.simulate.flowtests import run_tests
from flowgraph.simulate.impact import outcome

ERROR_BRANCH = {"outcome": "transfer", "transfer": "department", "targets": ["5300"]}
FAILOVER = {"outcome": "failover"}


def lookup_flow(url: str, *timeouts: int) -> dict[str, Any]:
    """Lookups in a row (one request), each ``error`` going on; the last error transfers to 5300.
    Found/not found go to agent 05000001; the flow's failover is department 9999."""
    nodes: list[dict[str, Any]] = []
    for i, timeout in enumerate(timeouts):
        after = f"ask{i + 1}" if i + 1 < len(timeouts) else "support"
        nodes.append(
            {
                "id": f"ask{i}",
                "type": "lookup",
                "source": {
                    "kind": "http",
                    "url": f"{url}/acct?n={{{{caller_id_number}}}}",
                    "timeout_ms": timeout,
                },
                "branches": {"found": "agent", "not_found": "agent", "error": after},
            }
        )
    nodes += [
        {"id": "agent", "type": "transfer", "transfer": "agent", "targets": ["05000001"]},
        {"id": "support", "type": "transfer", "transfer": "department", "targets": ["5300"]},
    ]
    return {
        "id": "slow_api",
        "entry": "ask0",
        "settings": {"failover": {"type": "department", "data": ["9999"]}},
        "nodes": nodes,
        "tests": [
            {
                "name": "the API times out",
                "call": {"caller": "+919812345678"},
                "lookups": {f"ask{i}": "timeout" for i in range(len(timeouts))},
                "expect": {"outcome": "hangup"},  # never true: the result's "got" is what we read
            }
        ],
    }


def flow_test_outcome(doc: dict[str, Any], deadline_ms: float | None = None) -> dict[str, Any]:
    options = {} if deadline_ms is None else {"deadline_ms": deadline_ms}
    (result,) = run_tests(flow_from_data(doc), **options)
    got = result.to_json()["got"]
    return {k: v for k, v in got.items() if k in ("outcome", "transfer", "targets", "reason")}


@pytest.mark.parametrize(
    ("timeouts", "deadline_ms", "want"),
    [
        ((800,), None, ERROR_BRANCH),  # shorter than the default 1500 ms: the error branch
        ((1500,), None, {**FAILOVER, "reason": "deadline"}),  # not shorter: the deadline first
        ((1490,), None, {**FAILOVER, "reason": "deadline"}),  # within the 20 ms kept for sending
        ((800, 800), None, {**FAILOVER, "reason": "deadline"}),  # two in one request add up
        ((2000,), 3000, ERROR_BRANCH),  # a server configured with a longer deadline
    ],
)
def test_a_timeout_is_measured_against_the_answer_deadline(
    timeouts: tuple[int, ...], deadline_ms: float | None, want: dict[str, Any]
) -> None:
    assert flow_test_outcome(lookup_flow("https://api.example.com", *timeouts), deadline_ms) == want


def test_the_failure_says_the_deadline_passed() -> None:
    doc = lookup_flow("https://api.example.com", 1500)
    doc["tests"][0]["expect"] = ERROR_BRANCH
    (result,) = run_tests(flow_from_data(doc))
    assert result.differences[0] == "outcome: expected transfer, got failover (deadline)"


class _NeverInTime(BaseHTTPRequestHandler):
    """Holds every request until the test ends (never sleeps for time)."""

    release = threading.Event()

    def do_GET(self) -> None:
        self.release.wait(30)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def slow_api() -> Iterator[str]:
    _NeverInTime.release.clear()
    with local_http(_NeverInTime) as url:
        try:
            yield url
        finally:
            _NeverInTime.release.set()


def live_outcome(server: Any, api: httpx.Client, doc: dict[str, Any], call_id: str) -> tuple[str, str]:
    """Store and publish ``doc`` (its test set aside), place one call: what its answer does, and
    how the call log says it ended."""
    published = copy.deepcopy(doc)
    published["tests"] = []
    existing = api.get(f"/api/flows/{doc['id']}")
    if existing.status_code == 404:
        api.post("/api/flows", json=published).raise_for_status()
    else:
        api.put(f"/api/flows/{doc['id']}", json=published, headers={"If-Match": "*"}).raise_for_status()
    api.post(f"/api/flows/{doc['id']}/publish", json={"note": "t"}).raise_for_status()
    variables = {"caller_id_number": "+919812345678", "call_id": call_id, "uuid": call_id}
    body = httpx.post(
        f"{server.base_url}/dialplan/{doc['id']}",
        json=variables,
        headers={"X-Flowgraph-Secret": flow_secret(server.database_url, doc["id"])},
        timeout=10,
    ).content
    rows: list[dict[str, Any]] = []
    for _ in range(200):  # the call log is written behind: wait for the record
        rows = api.get(f"/api/flows/{doc['id']}/calls", params={"call_id": call_id}).json()
        if rows:
            break
        time.sleep(0.05)
    return outcome(body), outcome(body, rows[0]["failover_reason"])


def test_flow_tests_on_the_server_end_as_live_calls_do(tmp_path: Any, slow_api: str) -> None:
    """Server deadline 400 ms: a 150 ms lookup timeout takes the error branch, a 600 ms one fails
    over, live and in ``POST /test`` (which measures against the server's own deadline)."""
    env = {"FLOWGRAPH_ANSWER_DEADLINE_MS": "400"}
    cases = [
        (150, ("transfer department 5300",) * 2, ERROR_BRANCH),
        (600, ("transfer department 9999", "failover (deadline)"), {**FAILOVER, "reason": "deadline"}),
    ]
    db = f"sqlite:///{tmp_path / 'f.db'}"
    with (
        flowgraph_server(db, env=env, workdir=tmp_path) as server,
        httpx.Client(base_url=server.base_url, headers=server.auth, timeout=30) as api,
    ):
        for n, (timeout, live_end, want) in enumerate(cases):
            doc = lookup_flow(slow_api, timeout)
            assert live_outcome(server, api, doc, f"deadline-{n}") == live_end
            api.put(f"/api/flows/{doc['id']}", json=doc, headers={"If-Match": "*"}).raise_for_status()
            got = api.post(f"/api/flows/{doc['id']}/test").json()["results"][0]["got"]
            assert {k: v for k, v in got.items() if k in want} == want
