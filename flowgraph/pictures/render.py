"""Pictures of a flow through Graphviz ``dot``: steps as clusters, diagnostics, traffic.

Each API Dialplan step (one platform request, see :mod:`flowgraph.compile.partition`) is a cluster
labelled "<step> · hop N of <limit>". A node sits in the cluster of the first step that
evaluates it; a node reached from several steps is marked *shared* ("shared by N steps").
Long edges into one node from many clusters are what makes ``dot`` slow (issue 4: 48 s on
1,000 nodes; Graphviz 2.43 even fails with "trouble in init_rank" when shared nodes sit outside
the clusters), so two things stay local to each step:

- a shared *ending* (hang-up, transfer or hand-off with nothing after it) is drawn once per
  step that uses it, so each step reads top to bottom on its own;
- a jump from another step into a shared decision or action (e.g. "9: back to the main menu")
  ends at a small "go to <node>" connector in that step.

Output is deterministic: the same flow gives byte-identical SVG (stable names and order, the
Graphviz version comment removed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import graphviz

from flowgraph.compile.partition import Partition, partition, step_id_for_menu
from flowgraph.diagnostics import Diagnostic, Severity
from flowgraph.model import Flow
from flowgraph.pictures.drawing import (
    EDGE_COLOUR,
    ERROR_COLOUR,
    FORMATS,
    IDLE_COLOUR,
    LAYOUT_SECONDS,
    NODE_STYLE,
    START,
    START_STYLE,
    UNKNOWN_COLOUR,
    WARNING_COLOUR,
    PictureError,
    count,
    diagnostic_line,
    esc,
    finish,
    html_label,
    hubs,
    legend_cell,
    new_graph,
    node_text,
    ordered_branches,
    plain,
    small,
    worst,
)
from flowgraph.pictures.traffic import Traffic
from flowgraph.specs import dispatch

#: The rules that decide a dated time case, in a picture's words (runtime/calendars.py RULES).
RULE_WORDS = {
    "excluded_date": "holiday",
    "not_listed": "not a listed date",
    "calendar_unavailable": "calendar unreadable",
    "in_hours": "in hours",
    "outside_hours": "outside hours",
}

# Re-exported: callers name the picture's colours, formats and error through this module.
__all__ = [
    "ERROR_COLOUR",
    "FORMATS",
    "WARNING_COLOUR",
    "PictureError",
    "default_diagnostics",
    "flow_graph",
    "render_flow",
]


@dataclass
class _Marks:
    """Diagnostics by node and by edge, as (severity, code) lists in the given order."""

    nodes: dict[str, list[tuple[Severity, str]]] = field(default_factory=dict)
    edges: dict[tuple[str, str], list[tuple[Severity, str]]] = field(default_factory=dict)
    flow: list[tuple[Severity, str]] = field(default_factory=list)
    tips: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, diagnostics: list[Diagnostic]) -> _Marks:
        marks = cls()
        for d in diagnostics:
            item = (d.severity, d.code)
            for n in d.nodes:
                marks.nodes.setdefault(n, []).append(item)
                marks.tips.setdefault(n, []).append(f"{d.code}: {d.message}")
            for edge in d.edges:
                marks.edges.setdefault(tuple(edge), []).append(item)  # type: ignore[arg-type]
            if not d.nodes and not d.edges:
                marks.flow.append(item)
        return marks


def default_diagnostics(flow: Flow) -> list[Diagnostic]:
    """The flow's diagnostics from :func:`flowgraph.checks.check`."""
    from flowgraph.checks import check

    return list(check(flow))


def render_flow(
    flow: Flow,
    fmt: str = "svg",
    *,
    diagnostics: list[Diagnostic] | None = None,
    show_diagnostics: bool = True,
    traffic: Traffic | None = None,
    version_label: str | None = None,
    time_limit: float = LAYOUT_SECONDS,
) -> bytes:
    """Draw ``flow`` as ``svg``, ``png`` or ``pdf`` bytes.

    ``diagnostics`` defaults to the flow's own check results; ``show_diagnostics=False`` draws
    none. ``traffic`` adds branch counts (edge thickness and labels) and per-node ends and
    failovers. ``version_label`` goes into the title. Past ``time_limit`` seconds in ``dot`` a
    simpler drawing is made that says so (:func:`flowgraph.pictures.drawing.finish`).
    """
    if show_diagnostics and diagnostics is None:
        diagnostics = default_diagnostics(flow)
    marks = _Marks.of(diagnostics or []) if show_diagnostics else _Marks()
    picture = _FlowPicture(flow, partition(flow), marks, traffic, version_label)
    return finish(picture.build(), fmt, lambda: picture.build(simple=True), time_limit)


def flow_graph(
    flow: Flow, marks: _Marks, traffic: Traffic | None = None, version_label: str | None = None
) -> graphviz.Digraph:
    """The Graphviz graph for a flow (see :func:`render_flow`)."""
    return _FlowPicture(flow, partition(flow), marks, traffic, version_label).build()


class _FlowPicture:
    """Plans where each node is drawn (which cluster, which copies), then emits the graph."""

    def __init__(
        self, flow: Flow, parts: Partition, marks: _Marks, traffic: Traffic | None, version: str | None
    ) -> None:
        self.flow, self.parts, self.marks, self.traffic, self.version = flow, parts, marks, traffic, version
        self.nodes = flow.node_map()
        self.limit = flow.settings.profile.nesting_limit
        #: Drawing location -> [(node id, drawn name)] for per-step copies of shared endings.
        self.copies: dict[str, list[tuple[str, str]]] = {}
        self.missing: list[str] = []
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        #: Nodes many others lead to -> the one source drawn with a direct edge (see hubs()).
        self.hubs = hubs((n.id, t) for n in flow.nodes for _, t in ordered_branches(n) if t in self.nodes)

    def home(self, node_id: str) -> str:
        """The step cluster a node is drawn in: its first step ("" = not reached: outside)."""
        steps = self.parts.node_steps.get(node_id, ())
        return steps[0] if steps else ""

    def copied(self, node_id: str) -> bool:
        """Shared endings are drawn once per step that reaches them (fast, short edges)."""
        node = self.nodes[node_id]
        shared = len(self.parts.node_steps.get(node_id, ())) > 1
        return shared and not any(t in self.nodes for t in node.branches.values())

    def head(self, loc: str, target: str, source: str = "") -> str:
        """The drawn name an edge from ``source`` at location ``loc`` to ``target`` points at."""
        if target not in self.nodes:
            name = f"fg.missing.{target}"
            if target not in self.missing:
                self.missing.append(target)
            return name
        if self.hubs.get(target, source) != source:
            # Every failure to one operator: a stub beside each source keeps edges short.
            return self.extra(loc, target, f"{target}@goto.from.{source}")
        if self.copied(target):
            loc = loc if loc in self.parts.node_steps[target] else ""
            return self.extra(loc, target, f"{target}@{loc or 'shared'}")
        if loc == self.home(target) or len(self.parts.node_steps.get(target, ())) < 2:
            return target
        # A jump into a shared decision from another step (e.g. "9: main menu") gets a local
        # connector instead of a long edge: long edges into one node are what makes dot slow.
        return self.extra(loc, target, f"{target}@goto.{loc or 'shared'}")

    def extra(self, loc: str, target: str, name: str) -> str:
        """Register a per-location copy or connector of ``target`` named ``name``."""
        if (target, name) not in self.copies.setdefault(loc, []):
            self.copies[loc].append((target, name))
        return name

    def plan_edges(self) -> None:
        """One drawn edge per (tail, head): parallel branches share it and list their names."""
        self.edges.append((START, self.head("entry", self.flow.entry), {"penwidth": "2"}))
        for node_id, node in self.nodes.items():
            loc = self.home(node_id)
            if node.type == "menu" and step_id_for_menu(node_id) in self.parts.steps:
                loc = step_id_for_menu(node_id)  # its branches are decided by the next request
            grouped: dict[str, list[str]] = {}
            for branch, target in ordered_branches(node):
                grouped.setdefault(self.head(loc, target, node_id), []).append(branch)
            for head, branches in grouped.items():
                self.edges.append((node_id, head, self.edge_attrs(node_id, branches)))

    def edge_attrs(self, source: str, branches: list[str]) -> dict[str, str]:
        attrs: dict[str, str] = {}
        label = [", ".join(branches)]
        if self.traffic is not None:
            label, attrs = self.traffic_edge(source, branches)
        found = [item for b in branches for item in self.marks.edges.get((source, b), [])]
        colour = worst(found)
        if colour:
            label.append(" ".join(dict.fromkeys(code for _, code in found)))
            attrs.update(color=colour, fontcolor=colour, penwidth=attrs.get("penwidth", "2"), style="solid")
        attrs["label"] = plain(*label)
        return attrs

    def build(self, simple: bool = False) -> graphviz.Digraph:
        """The graph; ``simple`` leaves out the step boxes (the bounded fallback drawing)."""
        graph = new_graph(self.flow.id)
        graph.attr(label=self.title())
        if not self.edges:
            self.plan_edges()
        for index, step_id in enumerate(self.parts.order):
            step = self.parts.steps[step_id]
            members = [n for n in step.nodes if self.home(n) == step_id and not self.copied(n)]
            with graph.subgraph(name=f"{'step' if simple else 'cluster'}_{index}") as cluster:
                cluster.attr(label=plain(*self.step_label(step_id)), style="rounded,filled")
                cluster.attr(fillcolor="#f8fafc", color="#94a3b8", fontsize="11")
                if step_id == "entry":
                    cluster.node(START, "call", shape="circle", style="filled", **START_STYLE)
                self.draw_nodes(cluster, members, step_id)
        self.draw_nodes(graph, [n for n in self.nodes if self.home(n) == ""], "")
        for target in self.missing:
            label = html_label([small(f"missing node “{esc(target)}”", ERROR_COLOUR)])
            graph.node(f"fg.missing.{target}", label, shape="box", style="dashed", color=ERROR_COLOUR)
        for tail, head, attrs in self.edges:
            graph.edge(tail, head, **attrs)
        return graph

    def draw_nodes(self, graph: graphviz.Digraph, members: list[str], loc: str) -> None:
        for node_id in members:
            graph.node(node_id, **self.node_attrs(node_id, loc))
        for node_id, name in self.copies.get(loc, []):
            attrs = self.goto_attrs(node_id) if "@goto." in name else self.node_attrs(node_id, loc)
            graph.node(name, **attrs)

    def goto_attrs(self, node_id: str) -> dict[str, str]:
        node = self.nodes[node_id]
        if node_id in self.hubs:
            where = f"drawn once, beside {self.hubs[node_id]}"
            sources = {n.id for n in self.flow.nodes if node_id in n.branches.values() and n.id != node_id}
            tip = f"{node_id} is reached from {len(sources)} nodes; drawn once, beside {self.hubs[node_id]}"
        else:
            where = f"drawn in {self.home(node_id)}"
            tip = f"{node_id} is evaluated in steps: {', '.join(self.parts.node_steps[node_id])}"
        lines = [
            f"go to <b>{esc(node.name or node_id)}</b>",
            small(f"{esc(node_id)} · {esc(where)}", "#7c3aed"),
        ]
        return {
            "label": html_label(lines),
            "shape": "rarrow",
            "style": "dashed",
            "color": "#7c3aed",
            "tooltip": plain(tip),
        }

    def step_label(self, step_id: str) -> list[str]:
        step = self.parts.steps[step_id]
        label = [f"{step_id} · hop {step.depth} of {self.limit}"]
        portal = self.flow.settings.deployment.dialplan_ids.get(step_id)
        return label + ([f"portal dialplan {portal}"] if portal else [])

    def node_attrs(self, node_id: str, loc: str) -> dict[str, str]:
        node = self.nodes[node_id]
        attrs = dict(dispatch(NODE_STYLE, node.type, "the picture"))
        lines, long_text = node_text(self.flow, node)
        steps = self.parts.node_steps.get(node_id, ())
        if node.type == "dialplan":
            depth = self.parts.steps[loc].depth if loc else self.parts.hops_of(node_id)
            lines.append(small(f"hop {depth + 1} of {self.limit}"))
        if len(steps) > 1:
            lines.append(small(f"shared by {len(steps)} steps", "#7c3aed"))
            attrs["style"] += ",dashed"
        elif not steps:
            lines.append(small("not reached from the entry", "#64748b"))
            attrs["style"] += ",dotted"
        found = self.marks.nodes.get(node_id, [])
        if found:
            lines.append(diagnostic_line(found))
            attrs.update(color=worst(found) or EDGE_COLOUR, penwidth="2.5")
        elif node_id == self.flow.entry:
            attrs["penwidth"] = "2"
        if self.traffic is not None:
            lines.append(self.traffic_line(node_id, loc))
        tips = [*long_text, *self.marks.tips.get(node_id, []), *([node.note] if node.note else [])]
        if len(steps) > 1:
            tips.append(f"evaluated in steps: {', '.join(steps)}")
        by_step = self.step_counts(node_id)
        if by_step:
            tips.append(by_step)
        if tips:
            attrs["tooltip"] = plain(*tips)
        attrs["label"] = html_label(lines)
        return attrs

    def traffic_edge(self, source: str, branches: list[str]) -> tuple[list[str], dict[str, str]]:
        """Label and style of an edge from its counts: thickness by calls, dotted when unknown."""
        assert self.traffic is not None
        t, parts, attrs = self.traffic, [], {}
        known = [t.edge(source, b) for b in branches]
        unknown = [t.unknown_edge(source, b) for b in branches]
        for branch, taken, sent in zip(branches, known, unknown, strict=True):
            arm = t.arms.get((source, branch))
            if arm is not None:  # a split's arm: how its calls ended (pictures/arms.py)
                parts.append(f"{branch} · {arm.words()}")
                continue
            parts.append(f"{branch} · {taken}" + (f" + {sent} sent, outcome unknown" if sent else ""))
        total, most = sum(known) + sum(unknown), t.max_edge()
        attrs["penwidth"] = f"{1 + 5 * min(total / most, 1):.2f}" if most and total else "1"
        if not total:
            attrs.update(color=IDLE_COLOUR, style="dashed", fontcolor=IDLE_COLOUR)
        elif not sum(known):
            attrs.update(color=UNKNOWN_COLOUR, style="dotted", fontcolor=UNKNOWN_COLOUR)
        return [", ".join(parts)], attrs

    def traffic_line(self, node_id: str, loc: str) -> str:
        """Calls, visits, ends and failovers at a node; a per-step copy shows its step's counts."""
        assert self.traffic is not None
        per_step = self.copied(node_id) and bool(loc)
        c = self.traffic.node(node_id, loc if per_step else None)
        parts = [count(c.calls, "call")]
        if c.visits != c.calls:
            parts.append(count(c.visits, "visit"))
        parts.append(f"{c.ended} ended")
        if c.unknown:
            parts.append(f"{c.unknown} outcome unknown")
        if c.sent:
            parts.append(f"{c.sent} sent, outcome unknown")
        decided = self.traffic.rules_of(node_id)
        if decided:  # a switch's dated time cases: which rule decided how often
            parts.append("decided: " + ", ".join(f"{RULE_WORDS.get(r, r)} {n}" for r, n in decided.items()))
        text = ("in this step: " if per_step else "") + " · ".join(parts)
        if c.failovers:
            return small(f"{esc(text, 90)} · <b>{count(c.failovers, 'failover')}</b>", ERROR_COLOUR)
        return small(esc(text, 90), UNKNOWN_COLOUR if c.sent and not c.calls else "#0f766e")

    def step_counts(self, node_id: str) -> str | None:
        """Tooltip line for a node several steps evaluate: its visits in each step."""
        if self.traffic is None or len(self.parts.node_steps.get(node_id, ())) < 2:
            return None
        found = [(s, self.traffic.node(node_id, s).visits) for s in self.parts.node_steps[node_id]]
        return "visits by step: " + ", ".join(f"{s} {n}" for s, n in found)

    def title(self) -> str:
        flow = self.flow
        head = f"<b>{esc(flow.name or flow.id, 80)}</b> ({esc(flow.id)})"
        if self.version:
            head += f" · version {esc(self.version)}"
        rows = [f'<tr><td align="left" colspan="20">{head}</td></tr>']
        if self.marks.flow:
            rows.append(
                f'<tr><td align="left" colspan="20">flow: {diagnostic_line(self.marks.flow)}</td></tr>'
            )
        if self.traffic is not None:
            summary = small(esc(f"traffic · {self.traffic.summary()}", 120), "#0f766e")
            rows.append(f'<tr><td align="left" colspan="20">{summary}</td></tr>')
        present = [kind for kind in NODE_STYLE if any(n.type == kind for n in flow.nodes)]
        rows.append("<tr>" + "".join(legend_cell(kind) for kind in present) + self.marker_cells() + "</tr>")
        return '<<table border="0" cellspacing="3" cellpadding="2">' + "".join(rows) + "</table>>"

    def marker_cells(self) -> str:
        request = small(f"box = one request, hop N of {self.limit}")
        cells = [f'<td border="1" color="#94a3b8" bgcolor="#f8fafc">{request}</td>']
        if any(len(steps) > 1 for steps in self.parts.node_steps.values()):
            cells.append(f'<td border="1" color="#7c3aed" style="dashed">{small("shared by steps")}</td>')
        if self.traffic is not None:
            cells.append(f'<td border="1" color="{IDLE_COLOUR}" style="dashed">{small("no calls")}</td>')
            unknown = small("sent, outcome unknown", UNKNOWN_COLOUR)
            cells.append(f'<td border="1" color="{UNKNOWN_COLOUR}" style="dotted">{unknown}</td>')
        if self.marks.nodes or self.marks.edges or self.marks.flow:
            cells.append(f'<td border="2" color="{ERROR_COLOUR}">{small("error")}</td>')
            cells.append(f'<td border="2" color="{WARNING_COLOUR}">{small("warning")}</td>')
        return "".join(cells)
