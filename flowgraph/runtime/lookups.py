"""Lookups a flow routes on: rows of a flow table, and the business's own HTTP API.

Table lookups are in-memory dict probes built once at compile time (:class:`TableIndex`).
HTTP lookups share one ``httpx.AsyncClient`` (:class:`HttpLookups`) and never block past the
node's timeout: NOTES.md says the platform's own wait before failing over is unknown, so a slow
dependency must turn into the ``error`` branch quickly, not into a late answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from flowgraph.profile import sendable_number

FOUND, NOT_FOUND, ERROR = "found", "not_found", "error"


def table_key(text: str) -> str:
    """How table keys and probes compare: a key that is one sendable national number
    (:func:`flowgraph.profile.sendable_number`, the rule transfers use) by its 10 digits, so
    ``+91-98765 43210``, ``09876543210`` and ``9876543210`` name the same row; any other key
    as written, surrounding whitespace aside (``98765432101`` is not cut to a guess).
    """
    stripped = text.strip()
    return sendable_number(stripped) or stripped


@dataclass(frozen=True)
class TableIndex:
    """A flow table prepared for lookups: exact key, or the longest key that prefixes the probe."""

    rows: dict[str, dict[str, str]]
    match: str = "exact"
    #: Distinct key lengths, longest first (prefix match probes only these lengths).
    lengths: tuple[int, ...] = ()

    @classmethod
    def build(cls, rows: Mapping[str, Mapping[str, str]], match: str = "exact") -> TableIndex:
        """Index ``rows``; in prefix mode keys are kept as written (prefixes are short)."""
        index: dict[str, dict[str, str]] = {}
        for key in sorted(rows):  # sorted: which duplicate wins must not depend on file order
            norm = key.strip() if match == "prefix" else table_key(key)
            index.setdefault(norm, dict(rows[key]))
        lengths = tuple(sorted({len(k) for k in index}, reverse=True))
        return cls(rows=index, match=match, lengths=lengths)

    def find(self, probe: str) -> dict[str, str] | None:
        """The row for ``probe`` or ``None``."""
        if self.match != "prefix":
            return self.rows.get(table_key(probe))
        text = table_key(probe)
        for n in self.lengths:
            if n <= len(text):
                row = self.rows.get(text[:n])
                if row is not None:
                    return row
        return None


@dataclass(frozen=True)
class LookupResult:
    """What an HTTP lookup gave: ``outcome`` is a branch name; ``values`` the row's columns."""

    outcome: str
    values: dict[str, str] = field(default_factory=dict)
    reason: str = ""


def whole_number_text(value: int | float) -> str | None:
    """A JSON number as the digits it names when it is a whole number read exactly: ``9876543210``
    and ``9876543210.0`` (as spreadsheets and some APIs write them) both give ``"9876543210"``;
    a fraction, or a float too large to be exact, gives None (never a rounded guess)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        whole = whole_number_text(value)
        return whole if whole is not None else str(value)
    return orjson.dumps(value).decode()


def interpret_http(status: int, body: bytes) -> LookupResult:
    """Map an HTTP answer to a branch: 200 + object -> found, 404 / ``{}`` -> not_found."""
    if status == 404:
        return LookupResult(NOT_FOUND, reason="404")
    if status != 200:
        return LookupResult(ERROR, reason=f"status {status}")
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return LookupResult(ERROR, reason="answer is not JSON")
    if not isinstance(doc, dict):
        return LookupResult(ERROR, reason="answer is not a JSON object")
    if not doc:
        return LookupResult(NOT_FOUND, reason="empty object")
    return LookupResult(FOUND, {str(k): _text(v) for k, v in doc.items()})


class HttpLookups:
    """The shared async HTTP client for ``lookup`` nodes with an ``http`` source.

    One instance per server process (or per CLI run); :meth:`aclose` when done. GET sends the
    call variables as query parameters, POST as a JSON object.
    """

    def __init__(self, client: httpx.AsyncClient | None = None):
        self._own = client is None
        self.client = client or httpx.AsyncClient(
            follow_redirects=False,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            headers={"User-Agent": "flowgraph-lookup"},
        )

    async def fetch(self, url: str, method: str, timeout_ms: int, params: Mapping[str, str]) -> LookupResult:
        """Ask ``url``; any failure, including the timeout, is the ``error`` outcome."""
        seconds = timeout_ms / 1000
        try:
            # wait_for bounds the whole exchange (DNS, connect, a slow body), which httpx's
            # per-phase timeouts alone do not.
            return await asyncio.wait_for(self._fetch(url, method, seconds, params), seconds)
        except TimeoutError:
            return LookupResult(ERROR, reason=f"timeout after {timeout_ms} ms")
        except httpx.HTTPError as exc:
            return LookupResult(ERROR, reason=f"{type(exc).__name__}: {exc}"[:200])
        except Exception as exc:  # a bad URL template, a broken client: still just the error branch
            return LookupResult(ERROR, reason=f"{type(exc).__name__}: {exc}"[:200])

    async def _fetch(self, url: str, method: str, seconds: float, params: Mapping[str, str]) -> LookupResult:
        if method == "POST":
            resp = await self.client.post(url, json=dict(params), timeout=seconds)
        else:
            # Merge, not replace: the node's URL may carry its own query (``?order={{...}}``).
            target = httpx.URL(url).copy_merge_params(dict(params))
            resp = await self.client.get(target, timeout=seconds)
        return interpret_http(resp.status_code, resp.content)

    async def aclose(self) -> None:
        """Close the client if this object created it."""
        if self._own:
            await self.client.aclose()

    async def __aenter__(self) -> HttpLookups:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
