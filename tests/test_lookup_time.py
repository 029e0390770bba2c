"""FG531: HTTP lookups slower than the live answer deadline (checks/platform_values.py)."""

from __future__ import annotations

from factory import build, http_lookup, ivr, menu, transfer

from flowgraph import check
from flowgraph.runtime.deadline import DEFAULT_DEADLINE_MS

URL = "https://crm.example.com/who?n={{caller_id_number}}"
WIRED = {"found": "agent", "not_found": "desk", "error": "desk"}


def fg531(flow_nodes: list[dict], **kw: object) -> list[tuple[str, ...]]:
    return [d.nodes for d in check(build(*flow_nodes, **kw)) if d.code == "FG531"]


def test_one_lookup_under_the_deadline_is_fine() -> None:
    nodes = [
        http_lookup("who", URL, WIRED, timeout_ms=800),
        transfer("agent", "agent", ["05000001"]),
        ivr("desk"),
    ]
    assert fg531(nodes) == []


def test_one_lookup_at_the_deadline_warns() -> None:
    nodes = [
        http_lookup("who", URL, WIRED, timeout_ms=DEFAULT_DEADLINE_MS),
        transfer("agent", "agent", ["05000001"]),
        ivr("desk"),
    ]
    assert fg531(nodes) == [("who",)]


def test_lookups_of_one_request_add_up() -> None:
    nodes = [
        http_lookup("a", URL, {"found": "b", "not_found": "b", "error": "b"}, timeout_ms=800),
        http_lookup("b", URL, WIRED, timeout_ms=800),
        transfer("agent", "agent", ["05000001"]),
        ivr("desk"),
    ]
    assert fg531(nodes) == [("a", "b")]


def test_lookups_in_different_requests_do_not_add_up() -> None:
    """A menu between them: each runs in its own request, under its own deadline."""
    nodes = [
        http_lookup("a", URL, {"found": "m", "not_found": "m", "error": "m"}, timeout_ms=800),
        menu("m", {"1": "b", "no_input": "desk", "invalid": "desk"}),
        http_lookup("b", URL, WIRED, timeout_ms=800),
        transfer("agent", "agent", ["05000001"]),
        ivr("desk"),
    ]
    assert fg531(nodes) == []
