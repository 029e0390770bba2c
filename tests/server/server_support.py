"""Helpers for server tests: the admin token and example flow documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TOKEN = "test-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def example(name: str) -> dict[str, Any]:
    """An example flow document (a fresh copy)."""
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def without_failover(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with its failover destination removed: error FG401, so it cannot be published."""
    broken = copy.deepcopy(doc)
    broken["settings"].pop("failover", None)
    return broken
