"""How each arm of a ``split`` node did: the calls it got and how they ended (issue 14, A/B tests).

A call takes an arm when its trace passes the split with that branch. What the arm is judged by
is how the whole call ended, read from its last request: transferred, handed off to another API
Dialplan, hung up, fell to the failover, or none of these (the caller left before the flow ended
it). ``pressed`` counts the arm's calls in which the caller pressed keys at a menu after the split
(``no_input`` is not pressing). Node kinds (node id -> type) say which nodes are splits, menus and
ends; without them no arm is counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: How a call ended, by the type of the node it ended at.
ENDS_BY_KIND = {"transfer": "transferred", "dialplan": "handed_off", "hangup": "hung_up"}
OUTCOMES = ("transferred", "handed_off", "hung_up", "failed_over", "unfinished")
ARM_COUNTS = ("calls", *OUTCOMES, "pressed")


@dataclass
class ArmOutcome:
    """Counts for one arm (one branch of one split node)."""

    calls: int = 0
    transferred: int = 0
    handed_off: int = 0
    hung_up: int = 0
    failed_over: int = 0
    unfinished: int = 0
    pressed: int = 0

    def to_json(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in ARM_COUNTS}

    def words(self) -> str:
        """``120 calls: 80 transferred, 20 failed over, 60 pressed keys`` (zeros left out)."""
        parts = [f"{getattr(self, o)} {o.replace('_', ' ')}" for o in OUTCOMES if getattr(self, o)]
        if self.pressed:
            parts.append(f"{self.pressed} pressed keys")
        calls = f"{self.calls} call" + ("" if self.calls == 1 else "s")
        return calls + (": " + ", ".join(parts) if parts else "")


class ArmTally:
    """Collects one call's arms while its records are read, then counts them once."""

    def __init__(self, kinds: Mapping[str, str] | None):
        self.kinds = kinds or {}
        self.arms: list[tuple[str, str]] = []
        self.pressed = False

    def entry(self, node: str, branch: str | None) -> None:
        """One trace entry of the call, in order."""
        kind = self.kinds.get(node)
        if kind == "split" and branch and (node, branch) not in self.arms:
            self.arms.append((node, branch))
        elif kind == "menu" and branch and branch != "no_input" and self.arms:
            self.pressed = True

    def count(self, into: dict[tuple[str, str], ArmOutcome], end: str | None, failed: bool) -> None:
        """Add the call to each arm it took, with how it ended (``end``: its last node)."""
        ended = ENDS_BY_KIND.get(self.kinds.get(end or "", ""), "unfinished")
        outcome = "failed_over" if failed else ended
        for arm in self.arms:
            counts = into.setdefault(arm, ArmOutcome())
            counts.calls += 1
            setattr(counts, outcome, getattr(counts, outcome) + 1)
            counts.pressed += self.pressed


def arms_json(arms: Mapping[tuple[str, str], ArmOutcome]) -> list[dict[str, Any]]:
    """The stats document's ``arms``: one object per arm, sorted."""
    return [{"source": s, "branch": b, **c.to_json()} for (s, b), c in sorted(arms.items())]


def arms_from_json(data: list[Any]) -> dict[tuple[str, str], ArmOutcome]:
    """:func:`arms_json` read back."""
    return {
        (str(a["source"]), str(a["branch"])): ArmOutcome(**{k: int(a.get(k, 0)) for k in ARM_COUNTS})
        for a in data
    }
