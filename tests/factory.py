"""One factory for the flows tests build by hand: nodes, branches, conditions and tables.

Each helper returns the JSON document form (a dict), so a test can still change any field before
loading it; :func:`build` loads one. Defaults are the smallest valid choice: a play of system
recording ``"100"``, a transfer to IVR ``22590``, the failover to department ``5100``.

    flow = build(
        menu("m", {"1": "sales", "no_input": "desk", "invalid": "desk"}),
        transfer("sales", "agent", ["05000001"]),
        ivr("desk"),
    )
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flowgraph.load import flow_from_data
from flowgraph.model import Flow

Node = dict[str, Any]
FAILOVER = {"type": "department", "data": ["5100"]}


def flow(
    *nodes: Node,
    entry: str | None = None,
    flow_id: str = "t",
    failover: Mapping[str, Any] | None = FAILOVER,
    profile: Mapping[str, Any] | None = None,
    tables: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A flow document: ``nodes`` in order, the first the entry unless ``entry`` says otherwise.

    ``failover=None`` leaves it out; ``profile`` goes under ``settings.profile``; ``settings``
    adds other settings (``deployment``, ``timezone`` ...); ``extra`` adds top-level keys
    (``recordings``, ``tests``, ``layout`` ...).
    """
    doc_settings: dict[str, Any] = dict(settings or {})
    if failover is not None:
        doc_settings["failover"] = dict(failover)
    if profile:
        doc_settings["profile"] = dict(profile)
    doc: dict[str, Any] = {
        "id": flow_id,
        "entry": entry if entry is not None else nodes[0]["id"],
        "nodes": list(nodes),
        "settings": doc_settings,
    }
    if tables:
        doc["tables"] = dict(tables)
    return doc | extra


def build(*nodes: Node, **kw: Any) -> Flow:
    """:func:`flow`, loaded (validated) into a :class:`Flow`."""
    return flow_from_data(flow(*nodes, **kw))


def _node(node_id: str, kind: str, branches: Mapping[str, str | None] | None, **fields: Any) -> Node:
    node: Node = {"id": node_id, "type": kind, **{k: v for k, v in fields.items() if v is not None}}
    wired = {k: v for k, v in (branches or {}).items() if v is not None}
    if wired:
        node["branches"] = wired
    return node


def recording(data: str = "100", kind: str = "system") -> dict[str, str]:
    """A recording: a system recording id, or ``kind="url"`` and a URL."""
    return {"type": kind, "data": data}


def play(node_id: str, data: str = "100", next: str | None = None, kind: str = "system") -> Node:
    """A play node; ``next`` is its one branch."""
    return _node(node_id, "play", {"next": next}, recording=recording(data, kind))


def menu(
    node_id: str,
    branches: Mapping[str, str],
    options: Iterable[str] | None = None,
    data: str = "500",
    **fields: Any,
) -> Node:
    """A menu; its options are the branches other than ``no_input`` / ``invalid`` unless given.
    ``fields``: ``timeout_ms``, ``max_length``, ``retry``."""
    keys = list(options) if options is not None else [b for b in branches if b not in ("no_input", "invalid")]
    return _node(node_id, "menu", branches, recording=recording(data), options=keys, **fields)


def transfer(
    node_id: str,
    kind: str = "ivr",
    targets: Iterable[str] = ("22590",),
    no_answer: str | None = None,
    **fields: Any,
) -> Node:
    """A transfer; ``fields``: ``ring_type``, ``moh``, ``skip_active``."""
    return _node(
        node_id, "transfer", {"no_answer": no_answer}, transfer=kind, targets=list(targets), **fields
    )


def ivr(node_id: str = "end", target: str = "22590") -> Node:
    """A transfer to an IVR: the usual end of a test flow."""
    return transfer(node_id, "ivr", [target])


def hangup(node_id: str = "bye") -> Node:
    return _node(node_id, "hangup", None)


def dialplan(node_id: str, dialplan_id: str = "66ab41c183715fc7da") -> Node:
    return _node(node_id, "dialplan", None, dialplan_id=dialplan_id)


def switch(node_id: str, cases: Iterable[tuple[str, Mapping[str, Any]]], branches: Mapping[str, str]) -> Node:
    """A switch: ``cases`` as ``(branch, when)`` in order; ``branches`` wires them and ``default``."""
    return _node(node_id, "switch", branches, cases=[{"branch": b, "when": dict(w)} for b, w in cases])


def lookup(
    node_id: str,
    table: str,
    branches: Mapping[str, str],
    key: str = "{{caller_id_number}}",
    match: str = "exact",
) -> Node:
    """A table lookup (``branches``: ``found`` / ``not_found``)."""
    source = {"kind": "table", "table": table, "key": key, "match": match}
    return _node(node_id, "lookup", branches, source=source)


def http_lookup(node_id: str, url: str, branches: Mapping[str, str], **source: Any) -> Node:
    """An HTTP lookup (``branches``: ``found`` / ``not_found`` / ``error``); ``source``:
    ``method``, ``timeout_ms``."""
    return _node(node_id, "lookup", branches, source={"kind": "http", "url": url, **source})


def caller_is(
    numbers: Iterable[str] = (), prefixes: Iterable[str] = (), on: str = "caller"
) -> dict[str, Any]:
    """A caller (or ``on="dialled"``) condition."""
    return {"on": on, "numbers": list(numbers), "prefixes": list(prefixes)}


def time_is(start: str, end: str, days: Iterable[str] | None = None) -> dict[str, Any]:
    """A weekly time window (all days unless ``days``)."""
    when: dict[str, Any] = {"on": "time", "from": start, "to": end}
    if days is not None:
        when["days"] = list(days)
    return when


def variable_is(variable: str, values: Iterable[str]) -> dict[str, Any]:
    return {"on": "variable", "variable": variable, "values": list(values)}


def in_table(table: str, key: str | None = None) -> dict[str, Any]:
    when: dict[str, Any] = {"on": "table", "table": table}
    if key is not None:
        when["key"] = key
    return when


def table(rows: Mapping[str, Mapping[str, str]], columns: Iterable[str] | None = None) -> dict[str, Any]:
    """A flow table; its columns are those of the first row unless given."""
    first = next(iter(rows.values()), {})
    return {
        "columns": list(columns) if columns is not None else list(first),
        "rows": {k: dict(v) for k, v in rows.items()},
    }
