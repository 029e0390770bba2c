"""Read a flow document from JSON or YAML with one-line, located errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from flowgraph.diagnostics import FlowLoadError
from flowgraph.model import Flow
from flowgraph.specs import NODE_TYPES


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _readable_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic puts the discriminator tag (e.g. 'menu') into the location of union members;
    # it is noise for a reader looking for the field.
    # Only right after the union's own place (a node's index, a condition, a lookup source), so
    # a field that shares a tag's name (a flow test's call.caller) stays in the location.
    node_tags = set(NODE_TYPES)
    other_tags = {"caller", "dialled", "time", "variable", "table", "http"}
    out: list[Any] = []
    for i, p in enumerate(loc):
        before = loc[i - 1] if i else None
        union = (isinstance(before, int) and p in node_tags) or (
            before in ("when", "source") and p in other_tags
        )
        if not (isinstance(p, str) and union):
            out.append(p)
    return tuple(out)


#: What a reader calls the values a JSON or YAML document can hold at its top.
_JSON_KINDS: dict[type, str] = {
    type(None): "null",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "a list",
}


def flow_from_data(data: Any, source: str = "<flow>") -> Flow:
    """Validate a parsed document as a :class:`Flow`; raise :class:`FlowLoadError` on problems."""
    if not isinstance(data, dict):
        got = _JSON_KINDS.get(type(data), type(data).__name__)
        raise FlowLoadError(source, [("", f"expected a flow document (an object) at the top, got {got}")])
    try:
        return Flow.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = _readable_loc(tuple(err["loc"]))
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key (not part of the flow format)"
            elif err["type"] == "union_tag_invalid":
                msg = f"{msg}"
            problems.append((_node_hint(data, loc) + _path(loc), msg))
        raise FlowLoadError(source, problems) from None


#: List fields whose items are named in load errors: ``(list key, item's name key, word)``.
_NAMED_ITEMS = {"nodes": ("id", "node"), "tests": ("name", "test")}


def _node_hint(data: dict[str, Any], loc: tuple[Any, ...]) -> str:
    # "nodes[3]" / "tests[0]" say little; name the node id / the test's name too when we can.
    if len(loc) >= 2 and loc[0] in _NAMED_ITEMS and isinstance(loc[1], int):
        key, word = _NAMED_ITEMS[loc[0]]
        items = data.get(loc[0])
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            name = items[loc[1]].get(key)
            if isinstance(name, str):
                return f"{word} '{name}' "
    return ""


def parse_text(text: str, source: str) -> Any:
    """Parse JSON, or YAML when the source name says so (or JSON fails on a YAML-looking file)."""
    suffix = Path(source).suffix.lower()
    if suffix in {".yaml", ".yml"}:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise FlowLoadError(source, [(where, f"invalid YAML: {problem}")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowLoadError(
            source, [(f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}")]
        ) from None


def load_flow(path: str | Path) -> Flow:
    """Load and validate a flow file (``.json``, ``.yaml`` or ``.yml``)."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FlowLoadError(source, [("", "no such file")]) from None
    except IsADirectoryError:
        raise FlowLoadError(source, [("", "is a directory, not a flow file")]) from None
    except UnicodeDecodeError as exc:
        raise FlowLoadError(source, [("", f"not UTF-8 text (byte {exc.start}): not a flow file")]) from None
    except OSError as exc:
        raise FlowLoadError(source, [("", f"cannot read: {exc.strerror or exc}")]) from None
    if not text.strip():
        raise FlowLoadError(source, [("", "the file is empty (expected a flow document)")])
    return flow_from_data(parse_text(text, source), source)
