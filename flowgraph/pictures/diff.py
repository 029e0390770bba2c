"""What changed between two versions of a flow, as data, text, JSON and one picture.

The diff is computed on :meth:`Flow.logic` (the flow without its layout), so moving boxes in
the editor is never a change. Node fields are compared as dotted paths (``recording.data``,
``cases[0].when.from``); wiring is compared as edges keyed by (source node, branch).

With call-log counts (a :class:`flowgraph.pictures.traffic.Traffic` of the old version's calls),
the picture shades what changed by how many callers it touches: each added, rewired or removed
branch is labelled with the calls that took it and drawn thicker the more did, and each changed
or removed node is filled darker the more calls reached it (a five-step scale, so equal counts
give equal pictures).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import graphviz

from flowgraph.model import Flow
from flowgraph.pictures.drawing import (
    ERROR_COLOUR,
    LAYOUT_SECONDS,
    NODE_STYLE,
    START,
    START_STYLE,
    WARNING_COLOUR,
    count,
    esc,
    finish,
    html_label,
    hubs,
    new_graph,
    node_text,
    ordered_branches,
    plain,
    small,
    wrap,
)
from flowgraph.pictures.traffic import Traffic

ADDED_COLOUR = "#16a34a"
GHOST_FILL = "#fee2e2"
UNCHANGED_COLOUR = "#94a3b8"
#: Fills of a changed or removed node by its share of the busiest one's calls (none, then 5 steps).
HEAT_FILLS = ("#ffffff", "#fef3c7", "#fde68a", "#fbbf24", "#f59e0b", "#d97706")
HEAT_TEXT = "#7c2d12"


@dataclass(frozen=True)
class FieldChange:
    """One value that differs; ``None`` on a side means the path is absent there."""

    path: str
    old: Any
    new: Any

    def to_text(self) -> str:
        return f"{self.path}: {_show(self.old)} → {_show(self.new)}"


@dataclass(frozen=True)
class NodeChange:
    id: str
    type: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Edge:
    source: str
    branch: str
    target: str


@dataclass(frozen=True)
class EdgeChange:
    source: str
    branch: str
    old_target: str
    new_target: str


@dataclass
class FlowDiff:
    """Changes from ``old`` to ``new``; every list is in a stable order."""

    old_id: str
    new_id: str
    added_nodes: list[str] = field(default_factory=list)
    removed_nodes: list[str] = field(default_factory=list)
    changed_nodes: list[NodeChange] = field(default_factory=list)
    added_edges: list[Edge] = field(default_factory=list)
    removed_edges: list[Edge] = field(default_factory=list)
    changed_edges: list[EdgeChange] = field(default_factory=list)
    #: Flow-level changes: name, entry, settings, recordings, tables.
    other: list[FieldChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when the two flows behave the same (layout differences are ignored)."""
        return not (
            self.added_nodes
            or self.removed_nodes
            or self.changed_nodes
            or self.added_edges
            or self.removed_edges
            or self.changed_edges
            or self.other
        )

    def summary(self) -> str:
        """One line of counts, for CI comments and the CLI."""
        if self.is_empty:
            return "no changes to what the flow does (layout is not compared)"
        nodes = f"nodes +{len(self.added_nodes)} -{len(self.removed_nodes)} ~{len(self.changed_nodes)}"
        edges = f"edges +{len(self.added_edges)} -{len(self.removed_edges)} ~{len(self.changed_edges)}"
        return f"{nodes}; {edges}; {len(self.other)} other change(s)"

    def to_text(self) -> str:
        """A readable summary: one line per change, ``+`` added, ``-`` removed, ``~`` changed."""
        lines = [f"{self.old_id} -> {self.new_id}: {self.summary()}"]
        lines += [f"+ node {n}" for n in self.added_nodes]
        lines += [f"- node {n}" for n in self.removed_nodes]
        for change in self.changed_nodes:
            lines.append(f"~ node {change.id} ({change.type})")
            lines += [f"    {f.to_text()}" for f in change.fields]
        lines += [f"+ edge {e.source} --{e.branch}--> {e.target}" for e in self.added_edges]
        lines += [f"- edge {e.source} --{e.branch}--> {e.target}" for e in self.removed_edges]
        lines += [
            f"~ edge {e.source} --{e.branch}--> {e.old_target} → {e.new_target}" for e in self.changed_edges
        ]
        lines += [f"~ {f.to_text()}" for f in self.other]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """The diff as a JSON-able dict (stable key and list order)."""
        return {
            "old": self.old_id,
            "new": self.new_id,
            "empty": self.is_empty,
            "summary": self.summary(),
            "nodes": {
                "added": self.added_nodes,
                "removed": self.removed_nodes,
                "changed": [
                    {"id": c.id, "type": c.type, "fields": [_field_json(f) for f in c.fields]}
                    for c in self.changed_nodes
                ],
            },
            "edges": {
                "added": [vars(e) for e in self.added_edges],
                "removed": [vars(e) for e in self.removed_edges],
                "changed": [vars(e) for e in self.changed_edges],
            },
            "other": [_field_json(f) for f in self.other],
        }


def _field_json(change: FieldChange) -> dict[str, Any]:
    return {"path": change.path, "old": change.old, "new": change.new}


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaf values; lists of objects by index, lists of plain values whole."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key in value:
            out.update(flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def compare(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[FieldChange]:
    """Field changes between two JSON objects, in sorted path order."""
    a, b = flatten(old, prefix), flatten(new, prefix)
    return [FieldChange(p, a.get(p), b.get(p)) for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]


def _edges(nodes: dict[str, dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {(nid, b): t for nid, node in nodes.items() for b, t in sorted(node.get("branches", {}).items())}


def diff_flows(old: Flow, new: Flow) -> FlowDiff:
    """Compare two flows on their logic (layout excluded)."""
    a, b = old.logic(), new.logic()
    old_nodes = {n["id"]: n for n in a.pop("nodes", [])}
    new_nodes = {n["id"]: n for n in b.pop("nodes", [])}
    out = FlowDiff(old_id=old.id, new_id=new.id)
    out.added_nodes = [n for n in new_nodes if n not in old_nodes]
    out.removed_nodes = [n for n in old_nodes if n not in new_nodes]
    for node_id, node in new_nodes.items():
        if node_id in old_nodes:
            body = {k: v for k, v in node.items() if k not in ("id", "branches")}
            before = {k: v for k, v in old_nodes[node_id].items() if k not in ("id", "branches")}
            fields = compare(before, body)
            if fields:
                out.changed_nodes.append(NodeChange(node_id, node["type"], tuple(fields)))
    old_edges, new_edges = _edges(old_nodes), _edges(new_nodes)
    for key, target in new_edges.items():
        if key not in old_edges:
            out.added_edges.append(Edge(key[0], key[1], target))
        elif old_edges[key] != target:
            out.changed_edges.append(EdgeChange(key[0], key[1], old_edges[key], target))
    out.removed_edges = [Edge(s, br, t) for (s, br), t in old_edges.items() if (s, br) not in new_edges]
    a["recordings"] = {r["id"]: r for r in a.get("recordings", [])}
    b["recordings"] = {r["id"]: r for r in b.get("recordings", [])}
    out.other = compare(a, b)
    return out


def render_diff(
    old: Flow,
    new: Flow,
    fmt: str = "svg",
    *,
    old_label: str | None = None,
    new_label: str | None = None,
    traffic: Traffic | None = None,
    time_limit: float = LAYOUT_SECONDS,
) -> bytes:
    """One picture of the changes: added in green, removed as red ghosts, changed in amber.

    ``traffic`` (calls the old version answered) shades the changed branches and nodes by the
    number of calls that took them (see the module docstring). Bounded like
    :func:`flowgraph.pictures.render.render_flow`: past ``time_limit`` seconds in ``dot`` a
    simpler drawing (straight lines) is made that says so.
    """
    picture = _DiffPicture(old, new, diff_flows(old, new), old_label, new_label, traffic)
    return finish(picture.build(), fmt, picture.build, time_limit)


class _Heat:
    """Call counts of what changed, from the old version's traffic, and how to shade them."""

    def __init__(self, diff: FlowDiff, traffic: Traffic):
        self.traffic = traffic
        edges: list[Edge | EdgeChange] = [*diff.added_edges, *diff.changed_edges, *diff.removed_edges]
        branches = [(e.source, e.branch) for e in edges]
        self.edges = {key: traffic.edge(*key) for key in branches}
        nodes = [c.id for c in diff.changed_nodes] + diff.removed_nodes
        self.nodes = {node: traffic.node(node).calls for node in nodes}
        self.most_edge = max(self.edges.values(), default=0)
        self.most_node = max(self.nodes.values(), default=0)

    def edge(self, source: str, branch: str) -> tuple[str, dict[str, str]]:
        """The count text for a changed branch and its width (2.5 idle, up to 8 for the busiest)."""
        calls = self.edges.get((source, branch), 0)
        width = 2.5 + 5.5 * calls / self.most_edge if self.most_edge else 2.5
        return f" · {count(calls, 'call')}", {"penwidth": f"{width:.2f}"}

    def node(self, node_id: str) -> tuple[str, str]:
        """A changed or removed node's fill (by its calls) and its count line."""
        calls = self.nodes.get(node_id, 0)
        step = 0 if not calls else 1 + min(4, (4 * calls) // self.most_node)
        return HEAT_FILLS[step], small(f"<b>{esc(count(calls, 'call'))} reached it</b>", HEAT_TEXT)

    def title(self) -> str:
        taken = sum(self.edges.values())
        return small(
            esc(
                f"shaded by calls · {self.traffic.summary()} · {count(taken, 'call')} took a changed branch",
                140,
            ),
            HEAT_TEXT,
        )


class _DiffPicture:
    def __init__(
        self,
        old: Flow,
        new: Flow,
        diff: FlowDiff,
        old_label: str | None,
        new_label: str | None,
        traffic: Traffic | None = None,
    ):
        self.old, self.new, self.diff = old, new, diff
        self.labels = (old_label or old.id, new_label or new.id)
        self.changed = {c.id: c for c in diff.changed_nodes}
        self.old_nodes, self.new_nodes = old.node_map(), new.node_map()
        self.heat = _Heat(diff, traffic) if traffic is not None else None

    def branch_attrs(self, source: str, branch: str, attrs: dict[str, str], text: str) -> dict[str, str]:
        """A changed branch's style and label, with its calls when traffic is given."""
        if self.heat is None:
            return {**attrs, "label": plain(text)}
        more, width = self.heat.edge(source, branch)
        return {**attrs, **width, "label": plain(text + more)}

    def build(self) -> graphviz.Digraph:
        graph = new_graph(f"diff_{self.new.id}")
        graph.attr(label=self.title())
        graph.node(START, "call", shape="circle", style="filled", **START_STYLE)
        for node_id, node in self.new_nodes.items():
            graph.node(node_id, **self.node_attrs(node, self.new))
        for node_id in self.diff.removed_nodes:
            graph.node(node_id, **self.node_attrs(self.old_nodes[node_id], self.old))
        drawn = set(self.new_nodes) | set(self.diff.removed_nodes)
        edges = self.edges()
        # A node many others lead to (every failure to one operator) is drawn once; the other
        # references end at a stub beside their source, so dot's edges stay short (issue 10).
        converging = hubs((tail, head) for tail, head, _ in edges if tail != START)
        for tail, head, attrs in edges:
            if head not in drawn:
                drawn.add(head)
                label = html_label([small(f"missing node “{esc(head)}”", ERROR_COLOUR)])
                graph.node(head, label, shape="box", style="dashed", color=ERROR_COLOUR)
            if converging.get(head, tail) != tail:
                stub = f"{head}@goto.from.{tail}"
                if stub not in drawn:
                    drawn.add(stub)
                    graph.node(stub, **self.stub_attrs(head, converging[head]))
                head = stub
            graph.edge(tail, head, **attrs)
        return graph

    def stub_attrs(self, node_id: str, beside: str) -> dict[str, str]:
        """A small "go to" connector standing for ``node_id``, drawn once beside ``beside``."""
        node = self.new_nodes.get(node_id) or self.old_nodes.get(node_id)
        name = (node.name or node_id) if node is not None else node_id
        lines = [
            f"go to <b>{esc(name)}</b>",
            small(f"{esc(node_id)} · drawn once, beside {esc(beside)}", "#7c3aed"),
        ]
        return {"label": html_label(lines), "shape": "rarrow", "style": "dashed", "color": "#7c3aed"}

    def edges(self) -> list[tuple[str, str, dict[str, str]]]:
        added = {(e.source, e.branch) for e in self.diff.added_edges}
        added |= {(e.source, e.branch) for e in self.diff.changed_edges}
        out: list[tuple[str, str, dict[str, str]]] = []
        if self.old.entry != self.new.entry:
            out.append((START, self.old.entry, ghost_edge("old entry")))
            out.append((START, self.new.entry, {"color": ADDED_COLOUR, "penwidth": "2.5"}))
        else:
            out.append((START, self.new.entry, {"penwidth": "2"}))
        for node_id, node in self.new_nodes.items():
            for branch, target in ordered_branches(node):
                if (node_id, branch) in added:
                    attrs = {"color": ADDED_COLOUR, "fontcolor": ADDED_COLOUR, "penwidth": "2.5"}
                    out.append((node_id, target, self.branch_attrs(node_id, branch, attrs, f"+ {branch}")))
                else:
                    out.append((node_id, target, {"color": UNCHANGED_COLOUR, "label": plain(branch)}))
        gone_edges: list[Edge | EdgeChange] = [*self.diff.changed_edges, *self.diff.removed_edges]
        for gone in gone_edges:
            target = gone.old_target if isinstance(gone, EdgeChange) else gone.target
            attrs = ghost_edge(f"- {gone.branch}")
            out.append(
                (gone.source, target, self.branch_attrs(gone.source, gone.branch, attrs, f"- {gone.branch}"))
            )
        return out

    def node_attrs(self, node: Any, flow: Flow) -> dict[str, str]:
        attrs = dict(NODE_STYLE[node.type])
        lines, long_text = node_text(flow, node)
        if node.id in self.diff.removed_nodes:
            attrs.update(style="filled,dashed", fillcolor=GHOST_FILL, color=ERROR_COLOUR, fontcolor="#7f1d1d")
            lines.append(small("<b>removed</b>", ERROR_COLOUR))
        elif node.id in self.diff.added_nodes:
            attrs.update(color=ADDED_COLOUR, penwidth="3")
            lines.append(small("<b>added</b>", ADDED_COLOUR))
        elif node.id in self.changed:
            attrs.update(color=WARNING_COLOUR, penwidth="3")
            lines.append(small("<b>changed</b>", WARNING_COLOUR))
            for change in self.changed[node.id].fields:
                parts, cut = wrap(change.to_text(), 48, 2)
                lines += [small(esc(part, 50), "#92400e") for part in parts]
                long_text += [change.to_text()] if cut else []
        else:
            attrs["color"] = UNCHANGED_COLOUR
        if self.heat is not None and node.id in self.heat.nodes:
            fill, line = self.heat.node(node.id)
            attrs["fillcolor"] = fill  # every node style is filled
            lines.append(line)
        attrs["label"] = html_label(lines)
        if long_text:
            attrs["tooltip"] = plain(*long_text)
        return attrs

    def title(self) -> str:
        head = f"<b>Changes to {esc(self.new.name or self.new.id, 80)}</b>: {esc(self.labels[0])} → {esc(self.labels[1])}"
        rows = [head, esc(self.diff.summary(), 120)]
        if self.heat is not None:
            rows.append(self.heat.title())
        rows += [esc(f.to_text(), 120) for f in self.diff.other[:12]]
        if len(self.diff.other) > 12:
            rows.append(f"… and {len(self.diff.other) - 12} more flow-level changes")
        cells = "".join(f'<tr><td align="left" colspan="3">{r}</td></tr>' for r in rows)
        legend = (
            f'<tr><td border="2" color="{ADDED_COLOUR}">{small("added")}</td>'
            f'<td border="2" color="{ERROR_COLOUR}" bgcolor="{GHOST_FILL}" style="dashed">{small("removed")}</td>'
            f'<td border="2" color="{WARNING_COLOUR}">{small("changed")}</td></tr>'
        )
        return '<<table border="0" cellspacing="3" cellpadding="2">' + cells + legend + "</table>>"


def ghost_edge(label: str) -> dict[str, str]:
    """A removed wire, kept in the picture as a dashed red ghost."""
    return {"color": ERROR_COLOUR, "fontcolor": ERROR_COLOUR, "style": "dashed", "label": plain(label)}
