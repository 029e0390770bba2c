"""The platform emulator against scripted transports: what Smartflo does with each answer."""

from __future__ import annotations

import pytest

from flowgraph.profile import PlatformProfile
from flowgraph.simulate.platform import (
    CallScript,
    Failover,
    Handoff,
    Hangup,
    Journey,
    PlatformEmulator,
    Play,
    PortalSetup,
    Prompt,
    Reply,
    Transfer,
    TransportError,
)

DEST = ("ivr", ("22590",))
MENU = b'[[{"recording":{"type":"system","data":156848,"dtmf":{"maxLength":2}}}],[{"api_dialplan":{"data":"aa01"}}]]'


class Canned:
    """A transport answering from a list of bodies (or exceptions), recording each request."""

    def __init__(self, *bodies: bytes | Reply | Exception):
        self.bodies = list(bodies)
        self.requests: list[tuple[str, dict[str, str]]] = []

    async def __call__(self, dialplan_id: str, variables: dict[str, str]) -> bytes | Reply:
        self.requests.append((dialplan_id, variables))
        body = self.bodies.pop(0)
        if isinstance(body, Exception):
            raise body
        return body


def run(transport: Canned, script: CallScript | None = None, **profile: object) -> Journey:
    setup = PortalSetup(
        entry="aa00", served={"aa00", "aa01"}, failover=DEST, profile=PlatformProfile(**profile)
    )
    return PlatformEmulator(transport, setup).call_sync(script or CallScript(caller="+919876543210"))


def test_menu_then_next_request_carries_last_dtmf() -> None:
    transport = Canned(MENU, b'[{"transfer":{"type":"number","data":["9876500001"]}}]')
    journey = run(transport, CallScript(caller="+919876543210", presses=["123"]))
    assert journey.events == [
        Prompt("system", "156848", 5000, 2, 0, "12"),
        Transfer("number", ("9876500001",), "order_by", None, False, True),
    ]
    (first, v1), (second, v2) = transport.requests
    assert (first, second) == ("aa00", "aa01")
    assert "last_dtmf" not in v1 and v2["last_dtmf"] == "12"
    assert v1["caller_id_number"] == "+919876543210" and v1["start_stamp"]
    assert [(e.ran, e.ended) for e in journey.exchanges] == [(2, "api_dialplan"), (1, "answered")]


def test_no_input_is_sent_as_empty_last_dtmf() -> None:
    transport = Canned(MENU, b'[{"recording":{"type":"url","data":"https://a.example/x.mp3"}}]')
    journey = run(transport)
    assert transport.requests[1][1]["last_dtmf"] == ""
    assert journey.events[-2:] == [Play("url", "https://a.example/x.mp3"), Hangup()]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"not json", "invalid JSON"),
        (b"[]", "non-empty"),
        (b'[{"hangup":{}}]', "unknown action"),
        (b'[{"transfer":{"type":"ivr","data":["1","2"]}}]', "takes one value"),
        (b'[{"recording":{"type":"system","data":1,"dtmf":{"retry":9}}}]', "exceeds the platform maximum"),
        (b'[{"transfer":{"type":"number","data":["12345"]}}]', "not a number"),
        (b'[{"recording":{"type":"system","data":1}}]\n[]', "several lines"),
    ],
)
def test_invalid_answers_run_the_failover(body: bytes, detail: str) -> None:
    journey = run(Canned(body))
    assert journey.events == [Failover("invalid_response", DEST)]
    assert detail in journey.events[0].detail  # type: ignore[union-attr]


def test_transport_failure_and_server_failover() -> None:
    failed = run(Canned(TransportError("timeout")))
    assert failed.events == [Failover("invalid_response", DEST)]
    server = run(Canned(Reply(b'[{"transfer":{"type":"ivr","data":["22590"]}}]', "lookup timed out")))
    assert server.events == [Failover("server", DEST)]
    assert server.events[0].detail == "lookup timed out"  # type: ignore[union-attr]


def test_nesting_limit_and_handoff() -> None:
    loop = b'[{"api_dialplan":{"data":"aa01"}}]'
    journey = run(Canned(loop, loop, loop, loop))
    assert journey.events == [Failover("nesting_limit", DEST)]
    assert len(journey.exchanges) == 4  # the entry and three hops; the fourth hop is refused
    away = run(Canned(b'[[{"recording":{"type":"system","data":7}}],[{"api_dialplan":{"data":"66ab41"}}]]'))
    assert away.events == [Play("system", "7"), Handoff("66ab41")]


def test_unanswered_transfer_falls_through_to_the_next_inner_list() -> None:
    body = (
        b'[[{"transfer":{"type":"number","data":["9876500001"],"ring_type":"order_by"}}],'
        b'[{"transfer":{"type":"ivr","data":["83108"]}}]]'
    )
    both = run(Canned(body), CallScript(caller="1", answers=[False, False]))
    assert both.events == [
        Transfer("number", ("9876500001",), "order_by", None, False, False),
        Transfer("ivr", ("83108",), "order_by", None, False, False),
        Hangup(),
    ]
    answered = run(Canned(body))
    assert len(answered.events) == 1 and answered.exchanges[0].ended == "answered"
    off = run(Canned(body), CallScript(caller="1", answers=[False]), transfer_fallthrough=False)
    assert off.events[1:] == [Hangup()]


def test_flat_form_runs_in_order() -> None:
    body = b'[{"recording":{"type":"system","data":1}},{"recording":{"type":"system","data":2}}]'
    assert run(Canned(body)).events == [Play("system", "1"), Play("system", "2"), Hangup()]
