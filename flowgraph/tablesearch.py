"""Search and page one server-table version for the editor's table view.

A version is :class:`~flowgraph.runtime.tables.PackedRows`: keys in one byte string and every
value in another (column after column). A search runs ``bytes.find`` over those strings, one key
or column at a time, and maps each hit back to its row by bisecting the offsets, so a search of
a million rows builds no object per row and only one per matching cell. It stops at
:data:`MAX_MATCHES` hits per column; the answer then says so (``more``) and holds only the rows
every column was searched up to, so its order and paging stay exact.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass

from flowgraph.runtime.lookups import table_key
from flowgraph.runtime.tables import PackedRows

#: Matches collected per key or value column before a search stops ("narrow the search").
MAX_MATCHES = 10_000


@dataclass(frozen=True)
class RowPage:
    """One page of a table: ``total`` rows match (every row without a query); with ``more`` the
    search stopped early and more rows than ``total`` match."""

    total: int
    more: bool
    offset: int
    rows: list[list[str]]


@dataclass(frozen=True)
class _Column:
    """Where to search: cells ``first .. first + count`` of ``hay`` (one key or value column)."""

    hay: bytes
    offsets: array[int]
    first: int
    count: int


def page(rows: PackedRows, q: str = "", offset: int = 0, limit: int = 50, cap: int = MAX_MATCHES) -> RowPage:
    """Rows ``offset .. offset + limit`` (key first, in key order) of those matching ``q``:
    a key or value containing it, ASCII letters in any case; a number written another way
    (``+91 98765 43210``) also finds its key in lookup form. An empty ``q`` pages every row."""
    q = q.strip()
    if not q:
        stop = min(len(rows), offset + limit)
        return RowPage(len(rows), False, offset, [_row(rows, i) for i in range(offset, stop)])
    found, more = matching(rows, q, cap)
    return RowPage(len(found), more, offset, [_row(rows, i) for i in found[offset : offset + limit]])


def matching(rows: PackedRows, q: str, cap: int = MAX_MATCHES) -> tuple[list[int], bool]:
    """Indexes (in key order) of the rows matching ``q`` (see :func:`page`), and whether the
    search stopped at ``cap`` hits in some column (then only rows up to where every column was
    searched are given)."""
    n = len(rows)
    needles = {q.encode().lower()}
    if (number := table_key(q)) != q:
        needles.add(number.encode().lower())
    keys = _Column(rows.keys, rows.key_offsets, 0, n)
    cells = [_Column(rows.cells, rows.cell_offsets, c * n, n) for c in range(len(rows.columns))]
    found: set[int] = set()
    complete = n  # rows below this were searched in every column
    lowered: dict[int, bytes] = {}
    for column, column_needles in [(keys, needles), *((c, {q.encode().lower()}) for c in cells)]:
        hay = column.hay
        if any(needle.upper() != needle for needle in column_needles):  # ASCII letters: ignore case
            hay = lowered.setdefault(id(column.hay), _lower(column.hay))
        for needle in column_needles:
            hits, stopped_at = _search(_Column(hay, column.offsets, column.first, column.count), needle, cap)
            found.update(hits)
            complete = min(complete, stopped_at)
    ordered = sorted(i for i in found if i < complete)
    return ordered, complete < n


def _search(column: _Column, needle: bytes, cap: int) -> tuple[list[int], int]:
    """Rows whose cell contains ``needle`` (each once, in order), and the row the search got to
    (``count`` when it ran to the end; else just past the ``cap``-th hit's row)."""
    offsets, hay, first, count = column.offsets, column.hay, column.first, column.count
    end, size = offsets[first + count], len(needle)
    hits: list[int] = []
    pos = _find(hay, needle, offsets[first], end)
    while pos != -1:
        cell = bisect_right(offsets, pos, first, first + count) - 1
        if pos + size <= offsets[cell + 1]:  # inside one cell, not across two
            hits.append(cell - first)
            if len(hits) == cap:
                return hits, cell - first + 1
            pos = _find(hay, needle, offsets[cell + 1], end)
        else:
            pos = _find(hay, needle, pos + 1, end)
    return hits, count


#: Bytes one C-level scan covers before Python code runs again. A search runs in a thread of the
#: server process; between two scans the interpreter lock can pass to the live endpoint, so a
#: search of a million rows never holds its answers up for more than about a millisecond.
SCAN_BYTES = 1 << 20


def _find(hay: bytes, needle: bytes, start: int, end: int) -> int:
    """``hay.find(needle, start, end)``, scanned ``SCAN_BYTES`` at a time (see above)."""
    size = len(needle)
    while start < end:
        stop = min(end, start + SCAN_BYTES + size)
        pos = hay.find(needle, start, stop)
        if pos != -1 or stop == end:
            return pos
        start = max(start + 1, stop - size + 1)  # a match may start just before ``stop``
    return -1 if size else start


def _lower(hay: bytes) -> bytes:
    """``hay.lower()``, ``SCAN_BYTES`` at a time (ASCII case is per byte, so chunks join exactly)."""
    return b"".join(hay[i : i + SCAN_BYTES].lower() for i in range(0, len(hay), SCAN_BYTES))


def _row(rows: PackedRows, i: int) -> list[str]:
    return [rows.key(i), *rows.values(i)]
