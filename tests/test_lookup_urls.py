"""An HTTP lookup's URL template percent-encodes each variable's value whole: a caller number with
``+`` or spaces, or a value holding ``&``, reaches the business API as exactly one value."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

import pytest

from flowgraph.compile.compiler import compile_flow
from flowgraph.load import flow_from_data
from flowgraph.runtime.callvars import parse_call_vars
from flowgraph.runtime.engine import Runtime
from flowgraph.runtime.lookups import NOT_FOUND, HttpLookups, LookupResult

FLOW = {
    "id": "acct",
    "entry": "who",
    "settings": {"failover": {"type": "department", "data": ["5300"]}},
    "nodes": [
        {
            "id": "who",
            "type": "lookup",
            "source": {"kind": "http", "url": "https://api.example.com/acct?n={{caller_id_number}}&k=1"},
            "branches": {"found": "ivr", "not_found": "ivr", "error": "ivr"},
        },
        {"id": "ivr", "type": "transfer", "transfer": "ivr", "targets": ["22590"]},
    ],
}


class Capture(HttpLookups):
    def __init__(self) -> None:
        self.urls: list[str] = []

    async def fetch(self, url: str, method: str, timeout_ms: int, params: Mapping[str, str]) -> LookupResult:
        self.urls.append(url)
        return LookupResult(NOT_FOUND)

    async def aclose(self) -> None:
        """Nothing to close."""


@pytest.mark.parametrize("caller", ["+919812345678", "+91 98123 45678", "98123&x=1", "१२३"])
def test_each_value_arrives_as_one_query_value(caller: str) -> None:
    runtime = Runtime(compile_flow(flow_from_data(FLOW)))
    capture = Capture()
    call = parse_call_vars({"uuid": "u", "call_id": "c", "caller_id_number": caller})
    answer = asyncio.run(runtime.answer("entry", call, capture))
    assert answer.failover_reason is None
    (url,) = capture.urls
    query = parse_qs(urlsplit(url).query)
    assert query == {"n": [caller], "k": ["1"]}
