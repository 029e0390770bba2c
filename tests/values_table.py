"""The value tables of issue 8 §4 and §6 (no tests here): numbers and recording URLs with the
result each must give, and the small flows that take them from a table at request time.

One table, judged by every part that reads such values: the checks (a literal on the node), the
runtime through the compiled flow (a rendered value), the table keys, the reference interpreter
and a real server (tests/server/test_values_live.py).
"""

from __future__ import annotations

from typing import Any

#: (value, the 10 digits sent, or None: refused -- FG508 on a literal, ``bad_number`` rendered).
NUMBERS: list[tuple[str, str | None]] = [
    ("9876543210", "9876543210"),
    ("+91 98765-43210", "9876543210"),
    ("919876543210", "9876543210"),
    ("09876543210", "9876543210"),
    ("+91-98765 43210", "9876543210"),
    ("+919876543210", "9876543210"),
    ("098765-43210", "9876543210"),
    ("(+91) 98765 43210", "9876543210"),
    (" 9000000104 ", "9000000104"),
    ("09000000104", "9000000104"),
    # too many digits: never cut to the last 10 (8765432101 is someone else)
    ("98765432101", None),
    ("+91 098765 43210", None),
    ("0091 98765 43210", None),
    # too few
    ("98765", None),
    ("987654321", None),
    ("0987654321", None),  # a trunk 0 in front of 9 digits
    # several numbers in one value
    ("9000000105, 9000000106", None),
    ("9000000105 9000000106", None),
    ("9000000105/9000000106", None),
    # letters, extensions, masks, other countries
    ("+1 (415) 555-2671 x9876", None),
    ("9876543210 ext 12", None),
    ("98765abcde", None),
    ("+91-98XXXXXXXX", None),
    ("+19876543210", None),
    ("+91+9876543210", None),
    ("٩٨٧٦٥٤٣٢١٠", None),  # Arabic-Indic digits: not ASCII
]

#: (URL as a table holds it, the URL sent, or None: refused -- FG515 literal, ``bad_url`` rendered).
URLS: list[tuple[str, str | None]] = [
    ("https://media.example.com/hello.mp3", "https://media.example.com/hello.mp3"),
    ('https://media.example.com/x y"z.mp3', "https://media.example.com/x%20y%22z.mp3"),
    ("https://media.example.com/a%20b.mp3", "https://media.example.com/a%20b.mp3"),
    ("https://media.example.com/100%.mp3", "https://media.example.com/100%25.mp3"),
    (
        "https://media.example.com/नमस्ते.mp3",
        "https://media.example.com/%E0%A4%A8%E0%A4%AE%E0%A4%B8%E0%A5%8D%E0%A4%A4%E0%A5%87.mp3",
    ),
    ("http://10.0.0.5:8080/a<b>.wav", "http://10.0.0.5:8080/a%3Cb%3E.wav"),
    ("https://media.example.com/q?name=a b&x=1", "https://media.example.com/q?name=a%20b&x=1"),
    ("ftp://media.example.com/hello.mp3", None),
    ("javascript:alert(1)", None),
    ("https://", None),
    ("https://media example.com/a.mp3", None),
    ("https://media.example.com:99999/a.mp3", None),
    ("https://media.example.com/a\nb.mp3", None),
    ("media.example.com/a.mp3", None),
]

CALLER = "9111111111"
FAILOVER = {"type": "department", "data": ["5200"]}


def _flow(flow_id: str, nodes: list[dict[str, Any]], rows: dict[str, dict[str, str]]) -> dict[str, Any]:
    columns = sorted({c for row in rows.values() for c in row})
    return {
        "id": flow_id,
        "entry": "who",
        "nodes": [
            {
                "id": "who",
                "type": "lookup",
                "source": {"kind": "table", "table": "t", "key": "{{caller_id_number}}"},
                "branches": {"found": nodes[0]["id"], "not_found": "desk"},
            },
            *nodes,
            {"id": "desk", "type": "transfer", "transfer": "department", "targets": ["5200"]},
        ],
        "settings": {"failover": FAILOVER, "deployment": {"mode": "per_step"}},
        "tables": {"t": {"columns": columns, "rows": rows}},
    }


def caller(i: int) -> str:
    """The caller number whose table row holds value ``i``."""
    return f"+91 9{i:09d}"


def number_flow() -> dict[str, Any]:
    """Caller ``caller(i)`` is transferred to ``NUMBERS[i]``'s value, read from the table."""
    rows = {caller(i): {"agent": value} for i, (value, _) in enumerate(NUMBERS)}
    transfer = {"id": "agent", "type": "transfer", "transfer": "number", "targets": ["{{who.agent}}"]}
    return _flow("number_rule", [transfer], rows)


def url_flow() -> dict[str, Any]:
    """Caller ``caller(i)`` hears ``URLS[i]``'s URL (from the table), then the desk."""
    rows = {caller(i): {"url": url} for i, (url, _) in enumerate(URLS)}
    play = {
        "id": "hello",
        "type": "play",
        "recording": {"type": "url", "data": "{{who.url}}"},
        "branches": {"next": "desk"},
    }
    return _flow("url_rule", [play], rows)


def literal_transfer_flow(target: str) -> dict[str, Any]:
    """A flow whose only transfer dials ``target`` as written (what the check judges)."""
    return {
        "id": "literal",
        "entry": "t",
        "nodes": [{"id": "t", "type": "transfer", "transfer": "number", "targets": [target]}],
        "settings": {"failover": FAILOVER},
    }


def literal_url_flow(url: str) -> dict[str, Any]:
    return {
        "id": "literal_url",
        "entry": "p",
        "nodes": [
            {"id": "p", "type": "play", "recording": {"type": "url", "data": url}, "branches": {"next": "d"}},
            {"id": "d", "type": "transfer", "transfer": "department", "targets": ["5200"]},
        ],
        "settings": {"failover": FAILOVER},
    }
