"""Node-type specs: every fact about a node type, declared once.

A :class:`NodeSpec` says what a node type is to every pass: the branches it declares (as data:
names read from one of its list fields, fixed names, optional ones, ones declared only when a
field has a value), its templated and its required fields (dotted paths), and its role in a step
(an action that continues, a decision made on the server, a prompt that waits for the caller, an
end). The model, the checks, the partition, the compiler, the runtime, the pictures and the
editor read these; the editor's copy is generated from :func:`web_specs` (``flowgraph specs``,
``npm run gen:specs``).

Passes that do something different per type keep a table keyed by type and look it up with
:func:`dispatch`: an unknown type raises :class:`~flowgraph.diagnostics.UnknownNodeType`, never a
silent default; ``tests/test_specs.py`` proves every table covers every type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from flowgraph.diagnostics import UnknownNodeType

Role = Literal["action", "decision", "prompt", "end"]
T = TypeVar("T")


@dataclass(frozen=True)
class BranchRule:
    """A node type's branches, in display order: ``named_by`` names first, then ``fixed``.

    ``named_by``: a list field whose entries name branches, ``"options"`` (the names) or
    ``"cases.branch"`` / ``"arms.branch"`` (each entry's ``branch``). ``optional``: declared but need not be wired.
    ``only_when``: ``(branch, dotted field, value)``: the branch is declared only when the field
    has that value (an HTTP lookup's ``error``). ``fallthrough``: an end's branches a call
    follows only when the profile's ``transfer_fallthrough`` is on (see :func:`wired_next`).
    """

    named_by: str = ""
    fixed: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    only_when: tuple[tuple[str, str, str], ...] = ()
    fallthrough: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeSpec:
    """What one node type is. ``role``: ``action`` (sends an action, the step goes on: play),
    ``decision`` (decided on the server, sends nothing: switch, lookup, split), ``prompt`` (sends
    a prompt and waits for the caller's keys in the next request: menu), ``end`` (the call leaves
    the flow: transfer, hand-off, hangup).

    ``templated``: dotted paths of fields that may hold ``{{variables}}`` (``[]`` marks each
    entry of a list; a path a node does not have is skipped). ``required``: ``(path, what it
    is)`` of values the platform cannot do without (FG523). ``nests``: hands the call to another
    API Dialplan (one more nesting level).
    """

    type: str
    label: str
    help: str
    branches: BranchRule
    role: Role
    templated: tuple[str, ...] = ()
    required: tuple[tuple[str, str], ...] = ()
    nests: bool = False

    @property
    def waits_for_caller(self) -> bool:
        """The caller's keys reach the server in the next request: the step ends here."""
        return self.role == "prompt"

    @property
    def terminal(self) -> bool:
        """The call leaves the flow here (a transfer may fall through on ``no_answer``)."""
        return self.role == "end"

    @property
    def ends_step(self) -> bool:
        """Nothing after this node is evaluated in the same request (transfer fall-through aside)."""
        return self.role in ("prompt", "end")


SPECS: dict[str, NodeSpec] = {
    spec.type: spec
    for spec in (
        NodeSpec(
            "play",
            "play",
            "Play a recording, then go on",
            BranchRule(fixed=("next",)),
            "action",
            templated=("recording.data",),
            required=(("recording.data", "the recording to play"),),
        ),
        NodeSpec(
            "menu",
            "menu (caller presses keys)",
            "Play a prompt and branch on the keys pressed",
            BranchRule(named_by="options", fixed=("no_input", "invalid")),
            "prompt",
            templated=("recording.data",),
            required=(("recording.data", "the prompt recording"),),
        ),
        NodeSpec(
            "transfer",
            "transfer",
            "Connect the caller to a number, agent, IVR or department",
            BranchRule(fixed=("no_answer",), optional=("no_answer",), fallthrough=("no_answer",)),
            "end",
            templated=("targets[]", "moh"),
            required=(("targets[]", "a transfer target"),),
        ),
        NodeSpec(
            "dialplan",
            "hand-off",
            "Hand the call to an API Dialplan configured in the portal",
            BranchRule(),
            "end",
            required=(("dialplan_id", "the portal dialplan id"),),
            nests=True,
        ),
        NodeSpec(
            "switch",
            "switch",
            "Decide by caller, dialled number, time or variable",
            BranchRule(named_by="cases.branch", fixed=("default",)),
            "decision",
            templated=("cases[].when.key",),
        ),
        NodeSpec(
            "lookup",
            "lookup",
            "Find the caller in a table or ask your API",
            BranchRule(fixed=("found", "not_found", "error"), only_when=(("error", "source.kind", "http"),)),
            "decision",
            templated=("source.key", "source.url"),
            required=(("source.url", "the lookup URL"),),
        ),
        NodeSpec(
            "split",
            "split (share of callers)",
            "Send a fixed share of callers down each branch (A/B tests)",
            BranchRule(named_by="arms.branch"),
            "decision",
        ),
        NodeSpec("hangup", "hang up", "End the call", BranchRule(), "end"),
    )
}

#: Node types in palette order.
NODE_TYPES: tuple[str, ...] = tuple(SPECS)
#: Types where the call leaves the flow.
TERMINAL_TYPES: frozenset[str] = frozenset(t for t, s in SPECS.items() if s.terminal)


def dispatch(table: Mapping[str, T], kind: str, what: str) -> T:
    """``table[kind]``; an unknown node type is an error naming the pass (``what``)."""
    try:
        return table[kind]
    except KeyError:
        raise UnknownNodeType(kind, what) from None


def spec_of(node: Any) -> NodeSpec:
    """The spec of a node (anything with a ``type``)."""
    return dispatch(SPECS, node.type, "node specs")


def field_values(node: Any, path: str) -> list[tuple[str, Any]]:
    """``(concrete path, value)`` for a dotted ``path`` in ``node``: ``cases[].when.key`` gives
    ``cases[0].when.key`` for every case that has one; a missing field or ``None`` gives nothing."""
    found: list[tuple[str, Any]] = [("", node)]
    for part in path.split("."):
        name, each = part.removesuffix("[]"), part.endswith("[]")
        nxt: list[tuple[str, Any]] = []
        for where, obj in found:
            value = getattr(obj, name, None)
            here = f"{where}.{name}" if where else name
            if value is None:
                continue
            if each:
                nxt.extend((f"{here}[{i}]", v) for i, v in enumerate(value))
            else:
                nxt.append((here, value))
        found = nxt
    return found


def _read(node: Any, path: str) -> Any:
    values = field_values(node, path)
    return values[0][1] if values else None


def declared_branches(node: Any) -> list[str]:
    """Every branch name a node may wire, in display order (the editor's handles use these)."""
    rule = spec_of(node).branches
    names: list[str] = []
    if rule.named_by:
        field, _, attr = rule.named_by.partition(".")
        entries = getattr(node, field, None) or []
        names = [str(getattr(e, attr) if attr else e) for e in entries]
    when = {branch: (path, value) for branch, path, value in rule.only_when}
    for branch in rule.fixed:
        if branch not in when or _read(node, when[branch][0]) == when[branch][1]:
            names.append(branch)
    return names


def required_branches(node: Any) -> list[str]:
    """Branches that must be wired: every declared one except the type's optional ones."""
    optional = spec_of(node).branches.optional
    return [b for b in declared_branches(node) if b not in optional]


def wired_next(node: Any, fallthrough: bool) -> list[tuple[str, str]]:
    """``(branch, target)`` pairs a call may follow from ``node`` (targets not checked): every
    wired branch, except that from an end only its fall-through branches, and only when
    ``fallthrough`` (the profile's ``transfer_fallthrough``: NOTES.md saw a transfer's
    ``no_answer`` used once). The one statement of that rule."""
    spec = spec_of(node)
    if not spec.terminal:
        return list(node.branches.items())
    if not fallthrough:
        return []
    return [(b, node.branches[b]) for b in spec.branches.fallthrough if b in node.branches]


def web_specs() -> dict[str, Any]:
    """The specs as JSON for the editor (``web/src/graph/specs.gen.ts``)."""
    out: dict[str, Any] = {}
    for kind, spec in SPECS.items():
        rule = spec.branches
        out[kind] = {
            "label": spec.label,
            "help": spec.help,
            "role": spec.role,
            "branches": {
                "namedBy": rule.named_by,
                "fixed": list(rule.fixed),
                "optional": list(rule.optional),
                "onlyWhen": [{"branch": b, "field": f, "value": v} for b, f, v in rule.only_when],
                "fallthrough": list(rule.fallthrough),
            },
            "templated": list(spec.templated),
        }
    return {"types": list(NODE_TYPES), "specs": out}
