"""The id value table of the one id rule (no tests here): agent / IVR / auto-attendant /
department ids with whether each is sent, and the small flow that takes them from a table.

Judged alike by the rule (:func:`flowgraph.profile.sendable_id`), the checks (FG528 literal,
FG529 table cell), the compiled runtime and the reference interpreter (tests/test_target_ids.py)
and a real server (tests/server/test_target_ids_live.py).
"""

from __future__ import annotations

from typing import Any

#: (id as written, whether it is one id by the default ``target_id_pattern``).
IDS: list[tuple[str, bool]] = [
    ("05000001", True),  # agent id (platform document)
    ("06047530001", True),  # agent extension (platform document)
    ("22590", True),  # IVR / auto-attendant id (platform document)
    ("agent_7", True),
    ("A-12", True),
    ("9" * 64, True),
    # two ids in one value: never one id with a comma in it
    ("05000001,05000002", False),
    ("05000001, 05000002", False),
    ("05000001 05000002", False),
    ("05000001;05000002", False),
    # placeholders, braces, quotes: what a template or a copy-paste leaves behind
    ("$agent", False),
    ("{05000001}", False),
    ('"05000001"', False),
    ("abc def", False),
    ("0500\n0001", False),
    ("-5000001", False),
    ("9" * 65, False),
    ("\u0660\u0665\u0660\u0660\u0660\u0660\u0660\u0661", False),  # Arabic-Indic digits: not ASCII
    ("05000001#", False),
]

FAILOVER = {"type": "department", "data": ["5200"]}


def caller(i: int) -> str:
    """The caller number whose table row holds ``IDS[i]``'s id."""
    return f"98000{i:05d}"


def id_flow(kind: str = "agent") -> dict[str, Any]:
    """Caller ``caller(i)`` is transferred (``kind``) to ``IDS[i]``'s id, read from a flow table."""
    rows = {caller(i): {"agent_id": value} for i, (value, _) in enumerate(IDS)}
    return {
        "id": f"id_rule_{kind}",
        "entry": "who",
        "nodes": [
            {
                "id": "who",
                "type": "lookup",
                "source": {"kind": "table", "table": "t", "key": "{{caller_id_number}}"},
                "branches": {"found": "agent", "not_found": "desk"},
            },
            {"id": "agent", "type": "transfer", "transfer": kind, "targets": ["{{who.agent_id}}"]},
            {"id": "desk", "type": "transfer", "transfer": "department", "targets": ["5200"]},
        ],
        "settings": {"failover": FAILOVER, "deployment": {"mode": "per_step"}},
        "tables": {"t": {"columns": ["agent_id"], "rows": rows}},
    }


def literal_id_flow(target: str, kind: str = "agent") -> dict[str, Any]:
    """A flow whose only transfer sends ``target`` as written (what the check judges)."""
    return {
        "id": "literal_id",
        "entry": "t",
        "nodes": [{"id": "t", "type": "transfer", "transfer": kind, "targets": [target]}],
        "settings": {"failover": FAILOVER},
    }
