"""The emitter: golden responses from the platform document, forms, parsing and validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowgraph.compile.emit import (
    Action,
    DialplanAction,
    Dtmf,
    RecordingAction,
    ResponseError,
    TransferAction,
    encode_action,
    encode_response,
    format_number,
    frame,
    parse_response,
    validate_response,
)
from flowgraph.diagnostics import NothingToSend
from flowgraph.profile import PlatformProfile

FIXTURES = Path(__file__).parent / "fixtures" / "emit"
CASES = sorted(p.name.removesuffix(".actions.json") for p in FIXTURES.glob("*.actions.json"))
PROFILE = PlatformProfile()


def build(spec: dict[str, Any]) -> Action:
    """An action from a fixture's spec (kept independent of the wire format on purpose)."""
    kind = spec["kind"]
    if kind == "recording":
        dtmf = Dtmf(**spec["dtmf"]) if "dtmf" in spec else None
        return RecordingAction(spec["type"], spec["data"], dtmf)
    if kind == "transfer":
        return TransferAction(
            spec["type"], spec["data"], spec.get("ring_type"), spec.get("moh"), spec.get("skip_active")
        )
    return DialplanAction(spec["data"])


def test_every_document_example_has_a_case() -> None:
    # 1 recording (twice: one-line and pretty), 8 transfers, 1 api_dialplan, 3 nested steps.
    assert len(CASES) == 13


@pytest.mark.parametrize("name", CASES)
def test_golden_document_examples(name: str) -> None:
    spec = json.loads((FIXTURES / f"{name}.actions.json").read_text())
    expected_text = (FIXTURES / f"{name}.expected.json").read_text()
    body = encode_response([build(a) for a in spec["actions"]], PROFILE)
    assert json.loads(body) == json.loads(expected_text)
    # Byte-for-byte modulo whitespace: the document's text with its whitespace squeezed out,
    # keys in the document's order.
    compact = json.dumps(json.loads(expected_text), separators=(",", ":"), ensure_ascii=False).encode()
    assert body == compact
    assert b"\n" not in body and b" " not in body


def test_nested_three_step_response_bytes() -> None:
    body = encode_response(
        [RecordingAction("system", "156848", Dtmf(6000, 4, 2)), DialplanAction("6733074ecbb570864f06bc14")],
        PROFILE,
    )
    assert body == (
        b'[[{"recording":{"type":"system","data":156848,"dtmf":{"timeout":6000,"maxLength":4,"retry":2}}}],'
        b'[{"api_dialplan":{"data":"6733074ecbb570864f06bc14"}}]]'
    )


def test_flat_form_from_profile() -> None:
    flat = PlatformProfile(multi_action_form="flat")
    body = encode_response([RecordingAction("url", "https://x/a.mp3"), DialplanAction("ab12")], flat)
    assert body == b'[{"recording":{"type":"url","data":"https://x/a.mp3"}},{"api_dialplan":{"data":"ab12"}}]'


def test_three_actions_nested_in_order() -> None:
    acts: list[Action] = [
        RecordingAction("system", "1"),
        TransferAction("number", ["9988776655"]),
        TransferAction("ivr", ["83108"]),
    ]
    groups = json.loads(encode_response(acts, PROFILE))
    assert [list(g[0]) for g in groups] == [["recording"], ["transfer"], ["transfer"]]
    assert groups[2][0]["transfer"]["data"] == ["83108"]


@pytest.mark.parametrize(
    ("raw", "national", "e164"),
    [
        ("+91-9876543210", "9876543210", "+919876543210"),
        ("919876543210", "9876543210", "+919876543210"),
        ("09876543210", "9876543210", "+919876543210"),
        ("98765 43210", "9876543210", "+919876543210"),
        ("981XXXXXXX", "981XXXXXXX", "981XXXXXXX"),
    ],
)
def test_number_format(raw: str, national: str, e164: str) -> None:
    assert format_number(raw, PROFILE) == national
    assert format_number(raw, PlatformProfile(number_format="e164")) == e164


def test_number_targets_formatted_on_encode() -> None:
    body = encode_response([TransferAction("number", ["+91-9876543210", "919812345678"])], PROFILE)
    assert json.loads(body)[0]["transfer"]["data"] == ["9876543210", "9812345678"]
    agent = encode_response([TransferAction("agent", ["+91-05000001"])], PROFILE)
    assert json.loads(agent)[0]["transfer"]["data"] == ["+91-05000001"]  # only numbers are rewritten


@pytest.mark.parametrize(
    ("data", "as_number", "expected"),
    [("1234", True, 1234), ("1234", False, "1234"), ("01234", True, "01234"), ("ab12", True, "ab12")],
)
def test_system_recording_id_type(data: str, as_number: bool, expected: object) -> None:
    profile = PlatformProfile(system_recording_as_number=as_number)
    body = encode_response([RecordingAction("system", data)], profile)
    assert json.loads(body)[0]["recording"]["data"] == expected


def test_url_recording_stays_text_and_partial_dtmf() -> None:
    body = encode_response([RecordingAction("url", "https://cdn.example/1234.wav", Dtmf(retry=1))], PROFILE)
    assert body == b'[{"recording":{"type":"url","data":"https://cdn.example/1234.wav","dtmf":{"retry":1}}}]'


def test_frame_joins_preencoded_fragments() -> None:
    a = encode_action(RecordingAction("system", "7"), PROFILE)
    b = encode_action(DialplanAction("x1"), PROFILE)
    assert frame([a, b]) == b"[[" + a + b"],[" + b + b"]]"
    assert frame([a]) == b"[" + a + b"]"
    with pytest.raises(NothingToSend, match="never send"):
        frame([])


def test_parse_forms() -> None:
    one = parse_response(b'[{"transfer":{"type":"ivr","data":"22590"}}]')
    assert one == [[TransferAction("ivr", ("22590",))]]
    nested = parse_response(
        '[[{"recording":{"type":"system","data":5,"dtmf":{"maxlength":3}}}],[{"api_dialplan":{"data":"ab"}}]]'
    )
    assert nested == [[RecordingAction("system", "5", Dtmf(None, 3, None))], [DialplanAction("ab")]]
    flat = parse_response(b'[{"api_dialplan":{"data":"a"}},{"api_dialplan":{"data":"b"}}]')
    assert flat == [[DialplanAction("a"), DialplanAction("b")]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[]", "non-empty"),
        (b"{", "invalid JSON"),
        (b'[{"hangup":{}}]', "unknown action 'hangup'"),
        (b'[[{"api_dialplan":{"data":"a"}}],{"api_dialplan":{"data":"b"}}]', "mixes"),
        (b'[{"recording":{"type":"system","data":true}}]', "recording.data"),
        (b'[{"recording":{"type":"system","data":1,"dtmf":{"retry":"2"}}}]', "retry"),
        (b'[{"transfer":{"type":"number","data":[9876543210]}}]', "transfer.data"),
        (b'[{"transfer":{"type":"ivr","data":["1"],"skip_active":"yes"}}]', "skip_active"),
        (b"[[]]", "empty"),
    ],
)
def test_parse_rejects(body: bytes, message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        parse_response(body)


def test_validate_accepts_every_golden_case_except_placeholder_number() -> None:
    for name in CASES:
        body = json.dumps(json.loads((FIXTURES / f"{name}.expected.json").read_text()), separators=(",", ":"))
        problems = validate_response(body, PROFILE)
        if name == "transfer_number":  # the document writes 981XXXXXXX: not a real number
            assert problems == ["[0].transfer.data: '981XXXXXXX' is not a number in national10 form"]
        else:
            assert problems == [], name


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'[{"transfer":{"type":"ivr","data":["1"]}}]\n', None),
        (b'[{"transfer":\n{"type":"ivr","data":["1"]}}]', "spans several lines"),
        (b"not json", "invalid JSON"),
        (b"[]", "non-empty JSON list"),
        (b'{"transfer":{}}', "non-empty JSON list"),
        (b'[{"hangup":{}}]', "[0]: unknown action 'hangup'"),
        (b'[{"play_recording":{"data":"1"}}]', "unknown action 'play_recording'"),
        (b'[{"recording":{"type":"system","data":1,"dtmf":{"retry":6}}}]', "exceeds the platform maximum 5"),
        (b'[{"recording":{"type":"tts","data":"hi"}}]', "recording.type"),
        (b'[{"recording":{"type":"system","data":1,"dtmf":{"timeout":"5"}}}]', "dtmf.timeout"),
        (b'[{"recording":{"type":"system","data":1,"volume":3}}]', "unknown key 'volume'"),
        (b'[{"transfer":{"type":"ivr","data":["1","2"]}}]', "type 'ivr' takes one value, got 2"),
        (b'[{"transfer":{"type":"number","data":["+919876543210"]}}]', "not a number in national10 form"),
        (b'[{"transfer":{"type":"auto_attend","data":["1"]}}]', "transfer.type"),
        (b'[{"transfer":{"type":"agent","data":["1"],"ring_type":"sequential"}}]', "ring_type"),
        (b'[{"transfer":{"type":"agent","data":["1"],"moh":1235}}]', "moh"),
        (b'[{"transfer":{"type":"agent","data":[]}}]', "non-empty list"),
        (b'[{"api_dialplan":{"data":6733}}]', "api_dialplan.data"),
        (b'[{"api_dialplan":{"data":"a"},"transfer":{}}]', "exactly one key"),
        (b'[[{"api_dialplan":{"data":"a"}}],[]]', "[1]: empty inner list"),
    ],
)
def test_validate_problems(body: bytes, problem: str | None) -> None:
    problems = validate_response(body, PROFILE)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


_text = st.text(alphabet="0123456789abcdef", min_size=1, max_size=12)
_actions = st.one_of(
    st.builds(
        RecordingAction,
        st.sampled_from(["system", "url"]),
        _text,
        st.one_of(st.none(), st.builds(Dtmf, st.integers(1000, 9000), st.integers(1, 10), st.integers(0, 5))),
    ),
    st.builds(
        TransferAction,
        st.sampled_from(["agent", "ivr", "department"]),
        st.lists(_text, min_size=1, max_size=1).map(tuple),
        st.sampled_from([None, "order_by"]),
        st.one_of(st.none(), _text),
        st.one_of(st.none(), st.booleans()),
    ),
    st.builds(DialplanAction, _text),
)


@given(st.lists(_actions, min_size=1, max_size=4))
def test_round_trip_and_valid(actions: list[Action]) -> None:
    profile = PlatformProfile(system_recording_as_number=False)
    body = encode_response(actions, profile)
    assert validate_response(body, profile) == []
    flat = [a for group in parse_response(body) for a in group]
    assert flat == actions
