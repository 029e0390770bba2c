"""The flow version (compile/compiler.py flow_version): what changes it and what does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flowgraph import compile_flow, flow_from_data

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "personal_agent.json"


def version_of(doc: dict[str, Any]) -> str:
    return compile_flow(flow_from_data(doc)).version


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text())


def test_a_setting_spelled_out_at_its_default_is_the_same_version() -> None:
    """So a setting a later release adds with a default leaves every stored flow's version alone."""
    spelled = example()
    spelled["settings"].setdefault("profile", {})["retry_window_ms"] = 0
    spelled["settings"]["profile"]["nesting_limit"] = 3
    assert version_of(spelled) == version_of(example())


def test_a_setting_changed_from_its_default_is_a_new_version() -> None:
    changed = example()
    changed["settings"].setdefault("profile", {})["retry_window_ms"] = 3000
    assert version_of(changed) != version_of(example())


def test_layout_and_tests_are_not_part_of_the_version() -> None:
    moved = example()
    moved["layout"] = {"positions": {"welcome": {"x": 999, "y": -5}}}
    moved["tests"] = []
    assert version_of(moved) == version_of(example())
