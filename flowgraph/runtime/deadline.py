"""The one answer deadline: every await on the way to a live answer runs under it.

A platform request must be answered before the platform gives up on us; past that point the caller
is better served by the flow's failover than by a late answer. The deadline runs from the request's
arrival and covers the context store, HTTP lookups and everything else awaited, less a small margin
kept for sending the failover itself. The server (``server/dialplan.py``) is its only user; checks
and flow tests read :data:`DEFAULT_DEADLINE_MS` to warn about lookups slower than it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

#: Default answer deadline (ms): below the 2 s that the platform's neighbouring features wait
#: (NOTES.md; its own wait is unknown), so our failover arrives before the platform gives up.
DEFAULT_DEADLINE_MS = 1500
#: Of the answer deadline, what is kept for sending the failover answer once it has passed.
SEND_MARGIN_S = 0.02

T = TypeVar("T")


class DeadlinePassed(TimeoutError):
    """The answer was not ready within the deadline; the message is the failover reason."""


@dataclass(frozen=True)
class AnswerDeadline:
    """The answer deadline of one server: ``ms`` from each request's arrival."""

    ms: float = DEFAULT_DEADLINE_MS

    def due(self) -> float:
        """Loop time by which the answer must be ready (call as the request arrives)."""
        return asyncio.get_running_loop().time() + self.ms / 1000 - SEND_MARGIN_S

    @property
    def reason(self) -> str:
        """The failover reason recorded when the deadline passes."""
        return f"deadline: no answer within {self.ms:g} ms"

    async def run(self, work: Awaitable[T], due: float) -> T:
        """Await ``work`` until ``due``; raise :class:`DeadlinePassed` (work cancelled) after."""
        try:
            async with asyncio.timeout_at(due):
                return await work
        except TimeoutError:
            raise DeadlinePassed(self.reason) from None
