"""Reading a platform request: the URL's flow and step, headers, and the variables merged from
the query string and a JSON, form or multipart body (NOTES.md "Request side": accept all three).

Only HTTP is known here; what the values mean (placeholders, number forms, ``last_dtmf``) is
:mod:`flowgraph.runtime.callvars`' job. Nothing here raises on bad input: unreadable parts count as absent.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

import orjson

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]

PREFIX = "/dialplan/"
#: Hard cap on what is read of an oversized platform request body (bytes), to answer it rather
#: than reset the connection (docs/architecture.md "Limits"); past it the body is left unread.
DRAIN_CAP_BYTES = 16 * 1024 * 1024


@dataclass(slots=True)
class PlatformRequest:
    """What the hot path needs from one HTTP request: where it goes and the merged variables."""

    flow_id: str
    #: The step named in the URL, or None for ``/dialplan/{flow_id}``.
    step: str | None
    headers: dict[bytes, bytes]
    variables: dict[str, Any]
    too_large: bool


async def read_request(scope: Scope, receive: Receive, max_body: int) -> PlatformRequest:
    """Parse the path, headers and variables (query string, then form or JSON body on top)."""
    parts = scope["path"][len(PREFIX) :].strip("/").split("/")
    step = parts[1] if len(parts) > 1 else None
    if len(parts) > 2:
        step = "/".join(parts[1:])  # no such step: answered with the failover
    headers = dict(scope["headers"])
    body, too_large = await _read_body(receive, headers.get(b"content-length"), max_body)
    variables: dict[str, Any] = {}
    query = scope.get("query_string") or b""
    if query:
        variables.update(parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True))
    if body and not too_large:
        variables.update(parse_body(body, headers.get(b"content-type", b"")))
    return PlatformRequest(parts[0], step, headers, variables, too_large)


async def _read_body(
    receive: Receive, declared: bytes | None, limit: int, cap: int = DRAIN_CAP_BYTES
) -> tuple[bytes, bool]:
    """The body, or (b"", True) when it is over ``limit``.

    An oversized body is still read to its end (and discarded, never held in memory) as long as
    it stays within ``cap``: a client that sends the whole body before reading (no
    ``Expect: 100-continue``, like Python's urllib) would otherwise get a connection reset
    instead of the failover. A body declared or found to be over ``cap`` is left unread; the
    answer is still sent, then the server closes the connection.
    """
    if declared is not None and declared.isdigit() and int(declared) > cap:
        return b"", True
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif chunks:
            chunks = []  # over the limit: from here on only counted
        if size > cap or not message.get("more_body"):
            break
    if size > limit:
        return b"", True
    return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), False


_BARE_PLACEHOLDER = re.compile(rb"(:\s*)(\$[A-Za-z_][A-Za-z0-9_]*)")
_EMPTY_VALUE = re.compile(rb"(:\s*)(?=[,}])")
_PAIR = re.compile(rb'"([^"\\]{1,200})"\s*:\s*"((?:[^"\\]|\\.){0,4000})"')
#: A JSON array or string pasted verbatim into a quoted placeholder ("last_dtmf":"["2"]",
#: "call_flow":"[{..}]", "last_dtmf":""2"").
_PASTED_ARRAY = re.compile(rb'(:\s*)"(\[[^\n]*?\]|"[^"\n]*")"(?=\s*[,}])')


def _unquote_array(match: re.Match[bytes]) -> bytes:
    inner = match.group(2)
    try:
        orjson.loads(inner)
    except orjson.JSONDecodeError:
        return match.group(0)  # not JSON after all: leave the text to the pair salvage
    return match.group(1) + inner


def parse_body(body: bytes, content_type: bytes) -> dict[str, Any]:
    """Variables from a JSON or form body; never raises (unreadable parts count as absent)."""
    head = body.lstrip()[:1]
    if head == b"{":
        return _parse_json(body)
    if b"multipart/form-data" in content_type:
        return _parse_multipart(body, content_type)
    if b"=" in body:
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return {}


def _parse_json(body: bytes) -> dict[str, Any]:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        doc = _repair_json(body)
    return doc if isinstance(doc, dict) else {}


def _repair_json(body: bytes) -> Any:
    # Templates write some placeholders unquoted ("call_flow": $call_flow, NOTES.md): an
    # unreplaced or empty one leaves invalid JSON. Quote bare placeholders, null empty values,
    # and as a last resort keep the "key": "text" pairs that can still be read.
    # A template that quotes "$last_dtmf" or "$call_flow" gets the platform's array pasted inside
    # the quotes: read it as the array it is.
    fixed = _EMPTY_VALUE.sub(rb"\1null", _BARE_PLACEHOLDER.sub(rb'\1"\2"', body))
    fixed = _PASTED_ARRAY.sub(_unquote_array, fixed)
    try:
        return orjson.loads(fixed)
    except orjson.JSONDecodeError:
        pairs = _PAIR.findall(body)
    out: dict[str, Any] = {}
    for key, value in pairs:
        try:
            out[key.decode()] = orjson.loads(b'"' + value + b'"')
        except (orjson.JSONDecodeError, UnicodeDecodeError):
            continue
    return out


def _parse_multipart(body: bytes, content_type: bytes) -> dict[str, Any]:
    try:
        message = BytesParser().parsebytes(b"Content-Type: " + content_type + b"\r\n\r\n" + body)
        out: dict[str, Any] = {}
        for part in message.walk():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                out[name] = payload.decode("utf-8", "replace")
        return out
    except Exception:  # a malformed multipart body: no variables from it
        return {}
