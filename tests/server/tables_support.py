"""Helpers for the server-table tests: a flow that looks callers up in a server table, and CSVs."""

from __future__ import annotations

from typing import Any

from server_support import example

#: The failover of :func:`table_flow` (not the not_found branch's IVR, so the two differ).
FAILOVER_NUMBER = "9000000999"


def table_flow(mode: str = "per_step") -> dict[str, Any]:
    """registered_users with its table on the server: found -> the caller's agent, else the IVR."""
    doc = example("registered_users")
    doc["tables"] = {"registered": {"server": True, "columns": ["name", "agent_id"]}}
    doc["tests"] = []  # the shipped tests expect the document's own rows
    doc["settings"]["failover"] = {"type": "number", "data": [FAILOVER_NUMBER]}
    doc["settings"]["deployment"] = {"mode": mode}
    return doc


def caller(i: int) -> str:
    """The i-th registered caller's number (10 digits)."""
    return str(9_100_000_000 + i)


def agent(i: int, version: str = "a") -> str:
    """The i-th caller's agent id in table version ``version`` (a letter)."""
    return f"{version}{i:07d}"


def customers_csv(rows: int, version: str = "a") -> bytes:
    """A CSV of ``rows`` callers (numbers written +91..., as CRM exports do) and their agents."""
    lines = [
        "number,name,agent_id",
        *(f"+91{caller(i)},Customer {i},{agent(i, version)}" for i in range(rows)),
    ]
    return ("\n".join(lines) + "\n").encode()
