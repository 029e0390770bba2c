"""A split's arms on a real server: /stats and the traffic picture say how each arm's calls ended.

``greeting_ab_test`` (seeded from examples/) sends callers down ``classic`` or ``new`` by their
number, then a menu: 1 sales, 2 support, no input or a wrong key the operator. Calls are played
over HTTP like the platform; which arm each took is read back from its call-log trace.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_dialplan_support import LiveServer, live_server

FLOW = "greeting_ab_test"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("split")) as live:
        yield live


def play_call(server: LiveServer, n: int, keys: str | None) -> str:
    call_id = f"ab-{n}"
    caller = f"98{n:08d}"
    base = {"call_id": call_id, "uuid": f"u{n}", "caller_id_number": caller, "call_to_number": "8069000000"}
    first = server.platform(FLOW, json=base)
    assert first.status_code == 200 and b'"dtmf"' in first.content
    variables = base if keys is None else {**base, "last_dtmf": keys}
    last = server.platform(FLOW, "after_main_menu", json=variables)
    assert b'"transfer"' in last.content, last.content
    return call_id


def test_stats_count_each_arms_calls_and_how_they_ended(server: LiveServer) -> None:
    plays = [(n, ["1", "2", None, "9"][n % 4]) for n in range(40)]
    expected: dict[str, Counter[str]] = {}
    for n, keys in plays:
        call_id = play_call(server, n, keys)
        records = server.calls(FLOW, call_id, want=2)
        (arm,) = {t["branch"] for r in records for t in r["trace"] if t["node"] == "greeting_test"}
        got = expected.setdefault(arm, Counter())
        got["calls"] += 1
        got["transferred"] += 1
        got["pressed"] += keys is not None
    stats = httpx.get(f"{server.base}/api/flows/{FLOW}/stats", headers=server.proc.auth, timeout=10)
    stats.raise_for_status()
    arms = {a["branch"]: a for a in stats.json()["arms"] if a["source"] == "greeting_test"}
    assert set(arms) == set(expected) == {"classic", "new"}  # 40 callers: both arms get some
    for arm, counts in expected.items():
        assert {k: arms[arm][k] for k in counts} == dict(counts), arm
        assert arms[arm]["failed_over"] == arms[arm]["hung_up"] == arms[arm]["unfinished"] == 0


def test_the_traffic_picture_shows_each_arms_outcomes(server: LiveServer, tmp_path: Path) -> None:
    for n in range(100, 104):
        server.calls(FLOW, play_call(server, n, "1"), want=2)  # written (the log writes in batches)
    stats = httpx.get(f"{server.base}/api/flows/{FLOW}/stats", headers=server.proc.auth, timeout=10).json()
    arms = {a["branch"]: a for a in stats["arms"]}
    svg = httpx.get(
        f"{server.base}/api/flows/{FLOW}/image.svg",
        params={"traffic": "1d"},
        headers=server.proc.auth,
        timeout=60,
    )
    svg.raise_for_status()
    for branch, arm in arms.items():
        words = f"{branch} · {arm['calls']} calls: {arm['transferred']} transferred, {arm['pressed']} pressed keys"
        assert words in svg.text, (words, arm)
