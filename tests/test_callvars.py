"""Lenient request parsing (NOTES.md "Request side"): every seen shape, and never raising."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowgraph.profile import PlatformProfile
from flowgraph.runtime.callvars import CallData, menu_keys, national10, parse_call_vars, zone

PROFILE = PlatformProfile()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", "1"),
        (["1"], "1"),
        ([1], "1"),
        ("12#", "12#"),
        (1, "1"),
        ("  4 ", "4"),
        (["1", "2"], "12"),
        ('["7"]', "7"),
        ("*", "*"),
        ("", None),
        ([], None),
        (None, None),
        ("$last_dtmf", None),
        (" $last_dtmf ", None),
        ([""], None),
        ({"a": 1}, None),
        # What a template that quotes "$last_dtmf" makes of the forms above (JSON string, form
        # body or query string all carry the text).
        ('["1","2"]', "12"),
        ("['2']", "2"),
        ("[2]", "2"),
        ('"2"', "2"),
        ('["12#"]', "12#"),
        ('["$last_dtmf"]', None),
        ("[]", None),
        ("null", None),
        ('""', None),
        ("#", "#"),
    ],
)
def test_last_dtmf_forms(value: Any, expected: str | None) -> None:
    assert parse_call_vars({"last_dtmf": value}, PROFILE).last_dtmf == expected


@pytest.mark.parametrize(
    ("pressed", "keys"),
    [
        ("12#", "12"),
        ("1#", "1"),
        ("#", "#"),
        ("##", "#"),
        ("*#", "*"),
        ("1", "1"),
        ("#1", "#1"),
        (None, None),
    ],
)
def test_menu_keys_drop_one_trailing_hash(pressed: str | None, keys: str | None) -> None:
    assert menu_keys(pressed) == keys


def test_last_dtmf_missing_is_no_input() -> None:
    assert parse_call_vars({"uuid": "ab12"}, PROFILE).last_dtmf is None


@pytest.mark.parametrize(
    ("raw", "national"),
    [
        ("9240202904", "9240202904"),
        ("+919240202904", "9240202904"),
        ("918287842425", "8287842425"),
        ("+91-9876543210", "9876543210"),
        ("09876543210", "9876543210"),
        (9876543210, "9876543210"),
        (919876543210.0, "9876543210"),
        ("+91-98XXXXXXXX", "9198"),
        ("1001", "1001"),
        ("$caller_id_number", ""),
        ("", ""),
    ],
)
def test_numbers_compare_by_last_ten_digits(raw: Any, national: str) -> None:
    call = parse_call_vars({"caller_id_number": raw, "call_to_number": raw}, PROFILE)
    assert call.caller == national
    assert call.dialled == national
    assert national10(raw) == national


def test_real_request_shape() -> None:
    body = {
        "uuid": "5f1e2d3c",
        "call_id": "h11.08-1770532638.2135633",
        "call_to_number": "+919240202904",
        "caller_id_number": "918287842425",
        "start_stamp": "2026-03-02 18:45:10",
        "last_dtmf": "$last_dtmf",
        "call_flow": [
            {"type": "init", "value": "1775967644.594011", "time": "1775967648"},
            {"type": "hangup", "time": 1775967659},
        ],
        "customer_no_with_prefix ": "$caller_id_number",
    }
    call = parse_call_vars(body, PROFILE)
    assert call.uuid == "5f1e2d3c"
    assert call.call_id == "h11.08-1770532638.2135633"
    assert call.call_key == "25:h11.08-1770532638.2135633|5f1e2d3c"  # profile.call_identity
    assert call.caller_id_number == "918287842425"
    assert (call.caller, call.dialled) == ("8287842425", "9240202904")
    assert call.start_stamp is not None
    assert call.start_stamp.utcoffset() == timedelta(hours=5, minutes=30)
    assert (call.start_stamp.hour, call.start_stamp.minute) == (18, 45)
    assert call.last_dtmf is None
    assert [s["type"] for s in call.call_flow] == ["init", "hangup"]
    assert "customer_no_with_prefix" in call.raw


def test_keys_with_stray_whitespace_and_case() -> None:
    call = parse_call_vars({" uuid ": "ab", "Caller_ID_Number": "+919876543210", "last_dtmf ": ["3"]})
    assert (call.uuid, call.caller, call.last_dtmf) == ("ab", "9876543210", "3")


def test_duplicate_key_after_strip_keeps_real_value() -> None:
    call = parse_call_vars({"uuid": "", "uuid ": "cafe"}, PROFILE)
    assert call.uuid == "cafe"


@pytest.mark.parametrize("absent", ["  ", "$uuid", " $uuid ", None, ""])
def test_duplicate_key_skips_every_absent_form(absent: Any) -> None:
    # Found by the oracle property (tests/test_property.py): blank text and a placeholder were
    # taken as the value of a key given twice, hiding the real one.
    for mapping in ({"uuid ": absent, "uuid": "ab12"}, {"uuid": absent, "UUID": "ab12"}):
        assert parse_call_vars(mapping, PROFILE).uuid == "ab12", mapping
    assert parse_call_vars({"uuid ": absent, "uuid": "ab12"}, PROFILE).raw == {"uuid": "ab12"}
    stamp = parse_call_vars({"start_stamp ": "  ", "start_stamp": "2026-11-23 10:00:00"}, PROFILE)
    assert stamp.start_stamp is not None and stamp.start_stamp.hour == 10
    dtmf = parse_call_vars({"last_dtmf": [], "last_dtmf ": "2"}, PROFILE)
    assert dtmf.last_dtmf == "2"


def test_placeholders_and_empty_are_absent() -> None:
    call = parse_call_vars(
        {"uuid": "$uuid", "call_id": "", "start_stamp": "$start_stamp", "call_flow": "$call_flow"}, PROFILE
    )
    assert (call.uuid, call.call_id, call.start_stamp, call.call_flow) == ("", "", None, [])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('[{"type":"init","time":"1775967648"}]', [{"type": "init", "time": "1775967648"}]),
        ('{"type":"init"}', [{"type": "init"}]),
        ({"type": "init"}, [{"type": "init"}]),
        ("[broken", []),
        ("journey", []),
        (42, []),
        (None, []),
    ],
)
def test_call_flow_forms(value: Any, expected: list[Any]) -> None:
    assert parse_call_vars({"call_flow": value}, PROFILE).call_flow == expected


@pytest.mark.parametrize(
    ("value", "hour"),
    [
        ("2026-03-02 18:45:10", 18),
        ("2026-03-02T18:45:10", 18),
        ("2026-03-02T13:15:10+00:00", 18),  # converted into the profile's zone
        ("2026/03/02 18:45:10", 18),
        (1772457310, 18),  # epoch seconds = 2026-03-02 13:15:10 UTC
        ("1772457310", 18),
    ],
)
def test_start_stamp_forms(value: Any, hour: int) -> None:
    stamp = parse_call_vars({"start_stamp": value}, PROFILE).start_stamp
    assert stamp is not None and stamp.hour == hour and stamp.tzinfo is not None


@pytest.mark.parametrize("value", ["yesterday", "2026-13-40 99:00:00", "", [], "1e400"])
def test_bad_start_stamp_is_absent(value: Any) -> None:
    assert parse_call_vars({"start_stamp": value}, PROFILE).start_stamp is None


def test_other_timezone_profile() -> None:
    stamp = parse_call_vars({"start_stamp": "2026-03-02 18:45:10"}, PlatformProfile(timezone="Asia/Dubai"))
    assert stamp.start_stamp is not None and stamp.start_stamp.utcoffset() == timedelta(hours=4)


def test_unknown_timezone_falls_back_to_ist() -> None:
    call = parse_call_vars({"start_stamp": "2026-03-02 18:45:10"}, PlatformProfile(timezone="Mars/Olympus"))
    assert call.start_stamp is not None and call.start_stamp.utcoffset() == timedelta(hours=5, minutes=30)


@pytest.mark.parametrize("mapping", [None, "uuid=1", 42, ["uuid"], {1: "x", None: "y"}])
def test_not_a_mapping(mapping: Any) -> None:
    call = parse_call_vars(mapping, PROFILE)
    assert isinstance(call, CallData) and call.uuid == "" and call.last_dtmf is None


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
_keys = st.sampled_from(
    ["uuid", "call_id", " caller_id_number", "call_to_number ", "start_stamp", "last_dtmf", "call_flow", "x"]
)


@settings(max_examples=300)
@given(st.dictionaries(_keys | st.text(max_size=8), _json, max_size=8) | _json)
def test_never_raises(mapping: Any) -> None:
    call = parse_call_vars(mapping, PROFILE)
    assert isinstance(call, CallData)
    # The last-resort guard returns raw={}: a filled dict arriving there means a parser raised.
    assert bool(call.raw) == (isinstance(mapping, dict) and bool(mapping))
    assert call.last_dtmf is None or (isinstance(call.last_dtmf, str) and call.last_dtmf)
    assert isinstance(call.call_flow, list)
    assert (len(call.caller) <= 10 and call.caller.isdigit()) or call.caller == ""
    assert call.start_stamp is None or isinstance(call.start_stamp, datetime)


_stamps = st.one_of(
    st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2200, 1, 1)).map(
        lambda d: d.strftime("%Y-%m-%d %H:%M:%S")
    ),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\Z"),
    st.sampled_from(["2026-02-30 10:00:00", "2026-03-02T18:45:10", "2026/03/02 18:45:10", "$start_stamp"]),
    st.text(max_size=20),
)


@settings(max_examples=300)
@given(_stamps, st.sampled_from(["Asia/Kolkata", "Asia/Dubai", "UTC"]))
def test_stamp_text_is_the_parsed_stamp_in_the_zone(value: str, zone_name: str) -> None:
    # stamp_text may answer from the text as received; it must equal formatting the parsed stamp.
    profile = PlatformProfile(timezone=zone_name)
    for tz_name in ("Asia/Kolkata", zone_name):
        tz = zone(tz_name)
        fast = parse_call_vars({"start_stamp": value}, profile).stamp_text(tz)
        stamp = parse_call_vars({"start_stamp": value}, profile).start_stamp
        try:
            slow = stamp.astimezone(tz).isoformat(" ", "seconds")[:19] if stamp else ""
        except OverflowError:
            slow = ""
        assert fast == slow


def test_lazy_fields_are_read_once_and_stay() -> None:
    body = {"caller_id_number": "+919876543210", "call_to_number": "+91-8069000000", "start_stamp": "x"}
    call = parse_call_vars(body, PROFILE)
    body["caller_id_number"] = "1111111111"  # the request mapping is never read again for a field
    assert call.caller == "9876543210" and call.caller == "9876543210"
    assert (call.dialled, call.start_stamp, call.call_flow) == ("8069000000", None, [])


def test_explicit_call_data_derives_national_forms() -> None:
    call = CallData(caller_id_number="+91-98765 43210", last_dtmf="1")
    assert (call.caller, call.dialled, call.start_stamp, call.raw, call.call_flow) == (
        "9876543210",
        "",
        None,
        {},
        [],
    )
    assert CallData(caller_id_number="+919876543210", caller="override").caller == "override"
    assert "9876543210" in repr(call)
