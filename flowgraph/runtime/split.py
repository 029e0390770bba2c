"""Which arm of a split a caller takes: sticky per caller number, stable across versions.

A caller's place is a bucket in ``[0, 10000)``: the first 8 bytes of
``sha256("<national number>:<split node id>")`` as a big-endian integer, modulo 10,000. Arms
own consecutive ranges of buckets, 100 per percent of share, in the order they are listed. The
flow version is not part of the hash, so a caller keeps their arm across publishes while the node
id and the shares stay the same; the node id is, so two splits in one flow are independent.

The number is the one number rule's reading (:func:`flowgraph.profile.sendable_number`) of the
caller id received: ``+91 98765 43210`` and ``09876543210`` are one caller. A caller whose number
cannot be read (withheld, masked, another country) takes the first arm with a share above 0: a
fixed answer, never a guessed number (and an arm set to 0 % gets no callers at all).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from flowgraph.profile import sendable_number

#: Buckets per split; a share of 1 % is 100 of them.
BUCKETS = 10_000


def bucket(number: str, node_id: str) -> int:
    """The caller's bucket for one split node (``number``: the 10 national digits)."""
    digest = hashlib.sha256(f"{number}:{node_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def bounds(shares: Sequence[int]) -> tuple[int, ...]:
    """Each arm's exclusive upper bucket: cumulative shares x 100 (the last is 10,000)."""
    out, total = [], 0
    for share in shares:
        total += share * (BUCKETS // 100)
        out.append(total)
    return tuple(out)


def arm_index(caller_id_number: str, node_id: str, upper: Sequence[int]) -> int:
    """The arm a caller takes (index into the arms): the first whose bound is above the caller's
    bucket; for a number the number rule cannot read, the first arm with a share above 0."""
    number = sendable_number(caller_id_number.strip())
    place = bucket(number, node_id) if number is not None else -1
    for i, bound in enumerate(upper):
        if place < bound and bound > (upper[i - 1] if i else 0):
            return i
    return 0  # shares short of 100 (refused by FG108): never past the listed arms
