"""Property on a real ``flowgraph serve`` (uvicorn on 127.0.0.1): the live runtime answers every
request as the reference interpreter does (``interpret.answer``, which reads call data with its
own code), for call data in every form NOTES.md lists, sent as a query string, a JSON body, a
form body or split between the query and a body (NOTES.md: accept all three and merge), and for
key presses in every form, ``#`` included, at the menu's continuation.

The flow looks the caller up in a table keyed by numbers in several written forms, routes on the
caller's and the dialled number, rings the caller back (a caller that is not one national number
is ``bad_number``), plays a recording named by ``{{uuid}}`` and, after a menu, transfers to the
looked-up agent (a variable carried across requests in the call's context).
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from services import flowgraph_server
from test_dialplan_support import LiveServer

from flowgraph.compile.compiler import compile_flow
from flowgraph.compile.emit import Action, DialplanAction, parse_response
from flowgraph.load import flow_from_data
from flowgraph.simulate.interpret import answer
from tests import factory
from tests.strategies import call_data, dtmf_values

FLOW_ID = "oracle_live"
PEOPLE = {
    "+91 98765 43210": {"agent": "9000000101"},
    "09812345678": {"agent": "+91-90000 0010"},  # nine digits: bad_number too
    "9000011111": {"agent": "12345"},  # not a number: bad_number after the menu
}
_ids = itertools.count()
HOW = ("json", "form", "query", "split")
#: Callers: in the table (in another written form than its key), north (98...) and not.
#: The people of the table as their numbers may arrive (other forms than the keys').
PEOPLE_FORMS = (
    "9876543210",
    "+919876543210",
    " 98765-43210",
    "919812345678",
    "9812345678",
    9000011111,
    "+91 90000 11111",
)
CALLERS = ("9876543210", "9812345678", "9000011111", "9810012345", "9899999999", "8000000000")


def live_flow() -> dict[str, Any]:
    north = factory.caller_is(prefixes=["98"])
    south = factory.caller_is(numbers=["+91 80400 00000"], on="dialled")
    return factory.flow(
        factory.lookup("who", "people", {"found": "m", "not_found": "route"}),
        factory.switch(
            "route",
            [("north", north), ("south", south)],
            {"north": "back", "south": "hello", "default": "desk"},
        ),
        factory.transfer("back", "number", ["{{caller_id_number}}"]),
        factory.play("hello", "{{uuid}}", "desk"),
        factory.menu("m", {"1": "agent", "2": "desk", "#": "other", "no_input": "desk", "invalid": "other"}),
        factory.transfer("agent", "number", ["{{who.agent}}"]),
        factory.ivr("desk"),
        factory.transfer("other", "department", ["5200"]),
        flow_id=FLOW_ID,
        tables={"people": factory.table(PEOPLE)},
        recordings=[{"id": "500"}],
        settings={"deployment": {"mode": "per_step"}},
        tests=[],
    )


FLOW = flow_from_data(live_flow())
COMPILED = compile_flow(FLOW)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("oracle")
    seeds = tmp / "seeds"
    seeds.mkdir()
    (seeds / f"{FLOW_ID}.json").write_text(json.dumps(live_flow()))
    url = f"sqlite:///{tmp / 'flowgraph.db'}"
    with flowgraph_server(url, args=("--seed-examples", str(seeds)), workdir=tmp) as proc:
        yield LiveServer(proc, url)


def _form_text(value: Any) -> str:
    """What a form body or query string carries for a value: text (arrays as JSON text)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _send(
    server: LiveServer, step: str | None, variables: dict[str, Any], how: str, secret: str
) -> tuple[bytes, dict[str, Any]]:
    """One platform request carrying ``variables`` the way ``how`` says; the body and the merged
    variables the server received (query first, the body on top)."""
    path = f"/dialplan/{FLOW_ID}" + (f"/{step}" if step else "")
    headers = {"X-Flowgraph-Secret": secret}
    items = list(variables.items())
    if how == "json":
        query, body = [], items
        kw: dict[str, Any] = {
            "content": json.dumps(dict(body)),
            "headers": {**headers, "Content-Type": "application/json"},
        }
    elif how == "form":
        query, body = [], [(k, _form_text(v)) for k, v in items]
        kw = {
            "content": urlencode(body),
            "headers": {**headers, "Content-Type": "application/x-www-form-urlencoded"},
        }
    elif how == "query":
        query, body = [(k, _form_text(v)) for k, v in items], []
        kw = {"headers": headers}
    else:  # split: the ids in the query string, the rest in a JSON body
        query = [(k, _form_text(v)) for k, v in items if "id" in k.lower()]
        body = [(k, v) for k, v in items if "id" not in k.lower()]
        kw = {"content": json.dumps(dict(body)), "headers": {**headers, "Content-Type": "application/json"}}
    url = server.base + path + ("?" + urlencode(query) if query else "")
    resp = httpx.request("POST" if body or how != "query" else "GET", url, timeout=10, **kw)
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    merged: dict[str, Any] = dict(query)
    merged.update(body)
    return resp.content, merged


def _expected(actions: list[Action] | None) -> list[Action] | None:
    """The interpreter's actions as sent: a menu's continuation is the next step's dialplan id."""
    if actions is None:
        return None
    out = []
    for a in actions:
        if isinstance(a, DialplanAction) and a.data.startswith("\x00after:"):
            a = DialplanAction(COMPILED.dialplan_ids["after_" + a.data.split(":", 1)[1]])
        out.append(a)
    return out


def _got(body: bytes) -> list[Action] | None:
    """The server's actions, or None for the flow's failover."""
    if body == COMPILED.failover_body:
        return None
    return [a for group in parse_response(body) for a in group]


def test_live_answers_equal_the_interpreter(server: LiveServer) -> None:
    secret = server.secret(FLOW_ID)
    seen: Counter[str] = Counter()

    @settings(
        max_examples=200,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        call=call_data(with_stamp=False, nationals=st.sampled_from(CALLERS)),
        dialled_south=st.booleans(),
        person=st.none() | st.sampled_from(PEOPLE_FORMS),
        dtmf=dtmf_values(st.sampled_from(("1", "1", "2", "#", "3", "12", "*"))),
    )
    def one_call(call: dict[str, Any], dialled_south: bool, person: Any, dtmf: Any) -> None:
        # Each call its own id (the server keeps the call's variables under it between requests).
        # The encodings take turns: hypothesis would favour the first of a sampled few.
        n = next(_ids)
        how, then = HOW[n % 4], HOW[(n // 4 + n) % 4]
        call = {k: v for k, v in call.items() if k.strip().lower() != "call_id"}
        call["call_id"] = f"oracle.{n}"
        if person is not None:  # half the calls: someone in the table, so the menu is reached
            call = {k: v for k, v in call.items() if k.strip().lower() != "caller_id_number"}
            call["caller_id_number"] = person
        if dialled_south:
            call["call_to_number"] = "08040000000"
        body, received = _send(server, None, call, how, secret)
        carried: dict[str, str] = {}
        first = answer(FLOW, received, carried=carried)
        assert _got(body) == _expected(first.actions), (how, received, first.detail, body)
        seen[f"first:{how}"] += 1
        seen.update(f"first:{node}" for node in first.path if first.actions)
        seen["first:failover"] += first.actions is None
        if first.path[-1:] != ["m"] or first.actions is None:
            return
        body, received = _send(server, "after_m", {**call, "last_dtmf": dtmf}, then, secret)
        second = answer(FLOW, received, menu="m", carried=carried)
        assert _got(body) == _expected(second.actions), (then, received, second.detail, body)
        seen[f"then:{then}"] += 1
        seen.update(f"then:{node}" for node in second.path if second.actions)
        seen["then:failover"] += second.actions is None

    one_call()
    print(dict(seen))
    # Not vacuous: every encoding, every end of the first request and of the continuation.
    for kind in ("json", "form", "query", "split"):
        assert seen[f"first:{kind}"] >= 10 and seen[f"then:{kind}"] >= 3, (kind, seen)
    for end in ("m", "back", "hello", "desk", "failover"):
        assert seen[f"first:{end}"] >= 2, (end, seen)
    for end in ("agent", "desk", "other", "failover"):
        assert seen[f"then:{end}"] >= 2, (end, seen)
