"""Issue 8 §4-§6 on a real ``flowgraph serve`` (uvicorn on 127.0.0.1, SQLite): numbers and URLs
from a table, and key presses in every form the platform may send them, over HTTP.

The same value tables as tests/test_values.py (checks, compiled runtime, table keys, interpreter).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from services import flowgraph_server
from test_dialplan_support import EXAMPLES, SECRET_HEADER, LiveServer
from values_table import NUMBERS, URLS, caller, number_flow, url_flow

from flowgraph.compile.emit import validate_response
from flowgraph.profile import PlatformProfile

FAILOVER = [{"transfer": {"type": "department", "data": ["5200"]}}]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("values")
    seeds = tmp / "seeds"
    seeds.mkdir()
    (seeds / "number_rule.json").write_text(json.dumps(number_flow()))
    (seeds / "url_rule.json").write_text(json.dumps(url_flow()))
    shutil.copy(EXAMPLES / "delivery_agents.json", seeds / "delivery_agents.json")
    url = f"sqlite:///{tmp / 'flowgraph.db'}"
    with flowgraph_server(url, args=("--seed-examples", str(seeds)), workdir=tmp) as proc:
        yield LiveServer(proc, url)


def _answer(resp: httpx.Response) -> Any:
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    assert validate_response(resp.content, PlatformProfile()) == []
    return json.loads(resp.content)


def _reason(server: LiveServer, flow: str, call_id: str) -> str | None:
    (record,) = server.calls(flow, call_id)
    return record["failover_reason"]


@pytest.mark.parametrize(("i", "value", "sent"), [(i, v, s) for i, (v, s) in enumerate(NUMBERS)])
def test_number_from_a_table(server: LiveServer, i: int, value: str, sent: str | None) -> None:
    call_id = f"num.{i}"
    body = {"uuid": "ab12", "call_id": call_id, "caller_id_number": caller(i)}
    got = _answer(server.platform("number_rule", json=body))
    reason = _reason(server, "number_rule", call_id)
    if sent is None:
        assert got == FAILOVER and reason is not None and reason.startswith("bad_number:"), reason
    else:
        assert got == [{"transfer": {"type": "number", "data": [sent]}}] and reason is None


def test_bad_numbers_are_counted_under_their_reason(server: LiveServer) -> None:
    refused = sum(1 for _, sent in NUMBERS if sent is None)
    for i, (_, sent) in enumerate(NUMBERS):
        if sent is None:
            server.platform(
                "number_rule", json={"uuid": "cd34", "call_id": f"m.{i}", "caller_id_number": caller(i)}
            )
    metrics = httpx.get(server.base + "/metrics", headers=server.proc.auth, timeout=10).text
    line = next(x for x in metrics.splitlines() if 'reason="bad_number"' in x)
    assert int(float(line.rsplit(" ", 1)[1])) >= refused


@pytest.mark.parametrize(
    "form", ["9876543210", "+91 98765-43210", "919876543210", "09876543210", "+91-98765 43210"]
)
def test_caller_key_in_every_accepted_form(server: LiveServer, form: str) -> None:
    # delivery_agents keys its table by 9876543210: every accepted form of it finds the row.
    got = _answer(server.platform("delivery_agents", json={"uuid": "e1", "caller_id_number": form}))
    assert got[1] == [{"transfer": {"type": "number", "data": ["9000000101"], "skip_active": False}}]


@pytest.mark.parametrize("form", ["98765432101", "+1 9876543210 x1", "9876543210, 9812345678"])
def test_caller_key_refused_forms_find_no_row(server: LiveServer, form: str) -> None:
    got = _answer(server.platform("delivery_agents", json={"uuid": "e2", "caller_id_number": form}))
    assert got[0][0]["recording"]["data"] == 500110  # not found: the help menu


@pytest.mark.parametrize(("i", "url", "sent"), [(i, u, s) for i, (u, s) in enumerate(URLS)])
def test_url_from_a_table(server: LiveServer, i: int, url: str, sent: str | None) -> None:
    call_id = f"url.{i}"
    got = _answer(
        server.platform("url_rule", json={"uuid": "ab", "call_id": call_id, "caller_id_number": caller(i)})
    )
    reason = _reason(server, "url_rule", call_id)
    if sent is None:
        assert got == FAILOVER and reason is not None and reason.startswith("bad_url:"), reason
    else:
        assert got[0] == [{"recording": {"type": "url", "data": sent}}] and reason is None


# --- key presses (§5) ---------------------------------------------------------------------

MENU = ("delivery_agents", "after_help_menu")  # 1: order status (a URL recording), else support
STATUS, SUPPORT = "order_status", "support"
PRESSES = [
    ("1", STATUS),
    ("1#", STATUS),
    ("2#", SUPPORT),
    ("#", SUPPORT),  # not an option here: invalid
    ("12#", SUPPORT),
    ('["1"]', STATUS),
    ("['1']", STATUS),
    ("[1]", STATUS),
    ('"1"', STATUS),
    ("[]", SUPPORT),
    ("null", SUPPORT),
    ("", SUPPORT),
    ("$last_dtmf", SUPPORT),
]


def _branch(got: Any) -> str:
    return STATUS if "order-status" in json.dumps(got) else SUPPORT


@pytest.mark.parametrize(("text", "branch"), PRESSES)
def test_key_presses_in_a_form_body_and_a_query_string(server: LiveServer, text: str, branch: str) -> None:
    headers = {SECRET_HEADER: server.secret(MENU[0])}
    form = {"uuid": "k1", "call_id": "k.form", "last_dtmf": text}
    resp = server.platform(
        *MENU,
        content=urlencode(form).encode(),
        headers={**headers, "content-type": "application/x-www-form-urlencoded"},
    )
    assert _branch(_answer(resp)) == branch
    resp = server.platform(*MENU, method="GET", params={**form, "call_id": "k.query"})
    assert _branch(_answer(resp)) == branch


@pytest.mark.parametrize(("text", "branch"), PRESSES)
def test_key_presses_pasted_into_a_quoted_json_template(server: LiveServer, text: str, branch: str) -> None:
    # The template says "last_dtmf": "$last_dtmf"; the platform pastes its value between the
    # quotes as plain text, so an array arrives as "last_dtmf":"["1"]" (invalid JSON).
    raw = '{"uuid": "k2", "call_id": "k.raw", "last_dtmf": "$last_dtmf", "x": "y"}'.replace(
        "$last_dtmf", text
    )
    headers = {SECRET_HEADER: server.secret(MENU[0]), "content-type": "application/json"}
    assert _branch(_answer(server.platform(*MENU, content=raw.encode(), headers=headers))) == branch


def test_call_flow_pasted_into_quotes_is_kept_for_the_log(server: LiveServer) -> None:
    journey = '[{"type":"init","value":"1775967644.594011","time":"1775967648"}]'
    raw = f'{{"uuid": "k3", "call_id": "k.flow", "last_dtmf": "["1"]", "call_flow": "{journey}"}}'
    headers = {SECRET_HEADER: server.secret(MENU[0]), "content-type": "application/json"}
    assert _branch(_answer(server.platform(*MENU, content=raw.encode(), headers=headers))) == STATUS
    (record,) = server.calls(MENU[0], "k.flow")
    assert "1775967644.594011" in json.dumps(record)


def test_pasted_array_body_is_repaired_without_touching_good_json(tmp_path: Path) -> None:
    from flowgraph.server.platform_request import parse_body

    assert parse_body(b'{"note": "[x]", "last_dtmf": "["3"]"}', b"application/json") == {
        "note": "[x]",
        "last_dtmf": ["3"],
    }
    assert parse_body(b'{"note": "[\\"x\\"]"}', b"application/json") == {"note": '["x"]'}
