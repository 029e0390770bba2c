"""Server tables on the hot path: packed rows, the process's table set, and per-request views.

A *server table* is routing data kept on the server, not in the flow document (a flow declares
it as ``tables: {"customers": {"server": true}}``); every import is a new version, live at once.

- :class:`PackedRows` holds one version compactly: the keys (in the form lookups compare,
  :func:`flowgraph.runtime.lookups.table_key`) sorted in one byte string, every value in another,
  with ``uint32`` offsets. No Python object per row, so a million rows cost about 50 bytes each
  plus their text, load from the database without parsing, and add nothing to the cyclic
  collector's work. A lookup is a binary search (about 20 probes for a million keys).
- :class:`TableSet` is a process's live versions by name. A new version replaces the whole
  mapping (copy on write), so a reader holds either the old mapping or the new one.
- :class:`TableView` is one request's snapshot of that mapping: every lookup of the request sees
  the same version of each table, and the view records which version answered (the call log's
  ``tables``). :meth:`flowgraph.runtime.engine.Runtime.answer` binds it for the request
  (:func:`bind_view`); :class:`ServerTable`, what a compiled lookup or table condition holds for
  a server table, reads it. Without a bound view (checks) a server table is empty; in a view
  that lacks the table, a lookup raises :class:`TableMissing` and the request gets the flow's
  failover (``table_missing``), never a guessed ``not_found``. A simulated call binds a view too
  (:func:`bind_snapshot`): of the server's live versions in the simulate API, of none offline
  (the simulator's ``flowgraph simulate``, flow tests), where a server table reads as empty; the
  view records the tables it lacked, so the journey says so (its ``notes``).
- A holiday calendar kept as a server table is read through the same view
  (:meth:`TableView.version`, :func:`flowgraph.runtime.calendars.live_dates`), parsed once per
  version (:meth:`TableVersion.derived`); a missing one is skipped (fail open), not failed over.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any, ClassVar, TypeVar

import orjson

from flowgraph.diagnostics import AnswerFailure
from flowgraph.runtime.lookups import TableIndex, table_key

#: First bytes of a stored table version (format 1: header line, then the four sections;
#: values column after column).
MAGIC = b"flowgraph-table/1\n"
_T = TypeVar("_T")
_OFFSET_TYPE = "I"  # uint32: a version's keys and values stay under 4 GiB (the API body limit is far less)


def _offsets(data: bytes) -> array[int]:
    out = array(_OFFSET_TYPE)
    out.frombytes(data)
    return out


@dataclass(frozen=True, eq=False)
class PackedRows:
    """One table version: sorted unique keys and their rows' values (see the module docstring)."""

    columns: tuple[str, ...]
    keys: bytes
    key_offsets: array[int]
    cells: bytes
    cell_offsets: array[int]
    #: Distinct key lengths in characters, longest first (prefix matching probes only these).
    lengths: tuple[int, ...] = ()

    @classmethod
    def build(cls, columns: tuple[str, ...], rows: Mapping[str, Sequence[str]]) -> PackedRows:
        """Pack ``rows`` (normalised key -> values in ``columns`` order)."""
        keys = list(rows)
        return cls.pack(columns, keys, [v for k in keys for v in rows[k]])

    @classmethod
    def pack(cls, columns: tuple[str, ...], keys: list[str], flat: list[str]) -> PackedRows:
        """Pack unique normalised ``keys`` and ``flat``: every row's values one after another."""
        n, width = len(keys), len(columns)
        order = sorted(range(n), key=keys.__getitem__)  # code point order = UTF-8 byte order
        encoded = [keys[i].encode() for i in order]
        cells: list[bytes] = []
        for c in range(width):  # column after column: slices and C-level gathers, no per-cell loop
            column = flat[c::width]
            cells.extend(s.encode() for s in map(column.__getitem__, order))
        return cls(
            columns=tuple(columns),
            keys=b"".join(encoded),
            key_offsets=array(_OFFSET_TYPE, accumulate(map(len, encoded), initial=0)),
            cells=b"".join(cells),
            cell_offsets=array(_OFFSET_TYPE, accumulate(map(len, cells), initial=0)),
            lengths=tuple(sorted({len(k) for k in keys}, reverse=True)),
        )

    def __len__(self) -> int:
        return len(self.key_offsets) - 1

    def key(self, i: int) -> str:
        """The ``i``-th key in sorted order."""
        return self.keys[self.key_offsets[i] : self.key_offsets[i + 1]].decode()

    def _key_bytes(self, i: int) -> bytes:
        return self.keys[self.key_offsets[i] : self.key_offsets[i + 1]]

    def index_of(self, key: str) -> int | None:
        """Where ``key`` (already normalised) is, or None."""
        wanted = key.encode()
        n = len(self)
        i = bisect_left(range(n), wanted, key=self._key_bytes)
        return i if i < n and self._key_bytes(i) == wanted else None

    def values(self, i: int) -> list[str]:
        """The ``i``-th row's values, in ``columns`` order (cells are stored column after column)."""
        n = len(self)
        offs, cells = self.cell_offsets, self.cells
        return [cells[offs[j] : offs[j + 1]].decode() for j in range(i, i + n * len(self.columns), n)]

    def row(self, i: int) -> dict[str, str]:
        """The ``i``-th row as ``{column: value}``."""
        return dict(zip(self.columns, self.values(i), strict=True))

    def find(self, probe: str, match: str = "exact") -> dict[str, str] | None:
        """The row for ``probe`` (exact key, or the longest key that prefixes it), or None."""
        text = table_key(probe)
        if match != "prefix":
            i = self.index_of(text)
            return None if i is None else self.row(i)
        for n in self.lengths:
            if n <= len(text):
                i = self.index_of(text[:n])
                if i is not None:
                    return self.row(i)
        return None

    def __iter__(self) -> Iterator[tuple[str, list[str]]]:
        """Every (key, values), in key order."""
        for i in range(len(self)):
            yield self.key(i), self.values(i)

    def nbytes(self) -> int:
        """Bytes held by the packed data (what a version costs in memory)."""
        return (
            len(self.keys)
            + len(self.cells)
            + self.key_offsets.itemsize * len(self.key_offsets)
            + self.cell_offsets.itemsize * len(self.cell_offsets)
        )

    def to_bytes(self) -> bytes:
        """The stored form: :data:`MAGIC`, a JSON header line, then the four sections as they are."""
        koffs, coffs = self.key_offsets.tobytes(), self.cell_offsets.tobytes()
        header = {
            "columns": list(self.columns),
            "rows": len(self),
            "lengths": list(self.lengths),
            "sections": [len(self.keys), len(koffs), len(self.cells), len(coffs)],
            "byteorder": "little" if array("H", [1]).tobytes() == b"\x01\x00" else "big",
        }
        return b"".join((MAGIC, orjson.dumps(header), b"\n", self.keys, koffs, self.cells, coffs))

    @classmethod
    def from_bytes(cls, data: bytes) -> PackedRows:
        """Read :meth:`to_bytes` output (copies the sections; no per-row work)."""
        if not data.startswith(MAGIC):
            raise ValueError("not a stored flowgraph table")
        end = data.index(b"\n", len(MAGIC))
        header = orjson.loads(data[len(MAGIC) : end])
        pos = end + 1
        parts = []
        for size in header["sections"]:
            parts.append(data[pos : pos + size])
            pos += size
        keys, koffs, cells, coffs = parts
        key_offsets, cell_offsets = _offsets(koffs), _offsets(coffs)
        here = "little" if array("H", [1]).tobytes() == b"\x01\x00" else "big"
        if header["byteorder"] != here:
            key_offsets.byteswap()
            cell_offsets.byteswap()
        return cls(tuple(header["columns"]), keys, key_offsets, cells, cell_offsets, tuple(header["lengths"]))


@dataclass(frozen=True, eq=False)
class TableVersion:
    """One live version of a server table: ``number`` counts imports of ``name`` from 1."""

    name: str
    number: int
    key: str
    rows: PackedRows
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def derived(self, kind: str, build: Callable[[TableVersion], _T]) -> _T:
        """What ``build`` makes of this version (a calendar's dates, ...), made once per version:
        a reader pays for it at the first request that sees the version, never per request."""
        try:
            return self._derived[kind]
        except KeyError:
            made = self._derived[kind] = build(self)  # a race builds it twice, harmlessly
            return made


class TableSet:
    """A process's live server-table versions by name (copy on write; see the module docstring)."""

    def __init__(self) -> None:
        self.versions: dict[str, TableVersion] = {}
        self._lock = threading.Lock()

    def put(self, version: TableVersion) -> None:
        """Make ``version`` the live one of its table."""
        with self._lock:
            self.versions = {**self.versions, version.name: version}

    def drop(self, name: str) -> None:
        """Forget a table (it is no longer on the server)."""
        with self._lock:
            if name in self.versions:
                self.versions = {k: v for k, v in self.versions.items() if k != name}

    def numbers(self) -> dict[str, int]:
        """Live version number by table name."""
        return {name: v.number for name, v in self.versions.items()}


class TableMissing(AnswerFailure):
    """A lookup names a server table this process does not have (the request fails over)."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"table_missing: server table '{name[:80]}' is not on this server")


@dataclass(slots=True)
class TableView:
    """One request's snapshot of a :class:`TableSet` and the versions its lookups used.

    A simulation's view (:func:`bind_snapshot`) also records the tables it was asked for and
    lacked (``missing``, for the journey's notes); ``offline``: such a table reads as empty, as
    without any view, instead of failing the lookup over as the live server does."""

    snapshot: Mapping[str, TableVersion]
    used: dict[str, int] = field(default_factory=dict)
    missing: set[str] | None = None
    offline: bool = False

    def find(self, name: str, match: str, probe: str) -> dict[str, str] | None:
        version = self.version(name)
        if version is None:
            if self.offline:
                return None
            raise TableMissing(name)
        return version.rows.find(probe, match)

    def version(self, name: str) -> TableVersion | None:
        """The request's version of table ``name`` (recorded as used), or None when the server
        lacks it (a lookup then fails over; a calendar is skipped: fail open)."""
        version = self.snapshot.get(name)
        if version is not None:
            self.used[name] = version.number
        elif self.missing is not None:
            self.missing.add(name)
        return version


_VIEW: ContextVar[TableView | None] = ContextVar("flowgraph_table_view", default=None)


def bind_view(tables: TableSet) -> tuple[TableView, Token[TableView | None]]:
    """Start a request's view of ``tables``; pass the token to :func:`unbind_view` when done."""
    view = TableView(tables.versions)
    return view, _VIEW.set(view)


def bind_snapshot(
    versions: Mapping[str, TableVersion], *, offline: bool
) -> tuple[TableView, Token[TableView | None]]:
    """Start a simulated call's view of ``versions`` (the server's live ones, or none offline),
    recording the tables it lacks; pass the token to :func:`unbind_view` when done."""
    view = TableView(versions, missing=set(), offline=offline)
    return view, _VIEW.set(view)


def unbind_view(token: Token[TableView | None]) -> None:
    """End the view :func:`bind_view` started."""
    _VIEW.reset(token)


def current_view() -> TableView | None:
    """The request's view (None outside a live request: checks, the simulator, flow tests)."""
    return _VIEW.get()


@dataclass(frozen=True, slots=True)
class ServerTable:
    """What a compiled lookup or table condition holds for a server table: a name to look up in
    the request's view (empty when no view is bound: offline checks, simulation, flow tests)."""

    name: str
    match: str = "exact"
    server: ClassVar[bool] = True

    def find(self, probe: str) -> dict[str, str] | None:
        view = _VIEW.get()
        if view is None:
            return None
        return view.find(self.name, self.match, probe)


def table_matcher(flow: Any, name: str, match: str = "exact") -> TableIndex | ServerTable:
    """How a compiled flow finds rows of its table ``name``: the rows kept in the document
    (:class:`TableIndex`), or the server's live version (:class:`ServerTable`)."""
    table = flow.tables.get(name)
    if table is not None and getattr(table, "server", False):
        return ServerTable(name, match)
    return TableIndex.build(table.rows if table else {}, match)


def bind_server_tables(compiled: Any, flow: Any) -> Any:
    """``compiled`` with every lookup and table condition on a server table of ``flow`` reading
    the request's view (:class:`ServerTable`) instead of the document's (empty) rows.

    The compile stage builds a :class:`TableIndex` for every table it names (an op's ``index``
    and ``table``, a switch case condition's likewise); only the live server swaps in the
    server's versions, so checks, simulations and flow tests stay independent of live data.
    """
    server = {name for name, t in flow.tables.items() if getattr(t, "server", False)}
    if not server:
        return compiled
    ops = {node: _bind(op, server) for node, op in compiled.ops.items()}
    return replace(compiled, ops=ops)


def _bind(op: Any, server: set[str]) -> Any:
    table, index = getattr(op, "table", None), getattr(op, "index", None)
    if table in server and isinstance(index, TableIndex):
        return replace(op, index=ServerTable(table, index.match))
    cases = getattr(op, "cases", None)
    if cases:
        bound = tuple((branch, _bind(cond, server)) for branch, cond in cases)
        if any(a is not b for (_, a), (_, b) in zip(bound, cases, strict=True)):
            return replace(op, cases=bound)
    return op
