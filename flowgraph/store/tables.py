"""Server tables and their versions, behind :class:`TableStore`.

- ``lookup_tables``: table name -> live version number (the pointer every process polls).
- ``lookup_table_versions``: one row per import: number, content hash, key column, value columns,
  row count, how many keys are not national numbers, and the packed rows
  (:meth:`flowgraph.runtime.tables.PackedRows.to_bytes`). Rows are only inserted; the packed data
  of versions older than the last :data:`KEEP_DATA` is cleared (their description stays, so a
  call-log record's table version still names what it was).

An import is one transaction that inserts the version and moves the pointer, so every reader
sees the old version or the new one whole. Importing what the live version already holds
creates nothing (a cron job that uploads an unchanged file adds no versions).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from flowgraph.runtime.tables import MAGIC, PackedRows, TableVersion
from flowgraph.store.db import metadata
from flowgraph.store.flows import FlowStore
from flowgraph.store.records import ID_RE, StoreError, _utc, now
from flowgraph.tablefile import (
    ParsedTable,
    Progress,
    TableFileError,
    import_job,
    numbers_reason,
    parse_table,
    parsed_from_job,
    source_for,
)

#: Versions of each table whose packed rows are kept (the live one and the two before it).
KEEP_DATA = 3

tables_table = Table(
    "lookup_tables",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("number", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

table_versions = Table(
    "lookup_table_versions",
    metadata,
    Column("name", String(64), ForeignKey("lookup_tables.name"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("key", Text, nullable=False),
    Column("columns", JSON, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("text_keys", Integer, nullable=False),
    Column("text_key_examples", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("data", LargeBinary, nullable=True),
)


class TableNotFound(StoreError):
    """No server table with that name (or that version's rows are no longer kept)."""


class TableNameInvalid(StoreError):
    """A name no table can have (the flow id pattern: letters, digits, _ and -)."""


@dataclass(frozen=True)
class TableRecord:
    """One version of a table, without its rows. ``columns``: the value columns (key excluded)."""

    name: str
    number: int
    hash: str
    key: str
    columns: list[str]
    rows: int
    size: int
    text_keys: int
    text_key_examples: list[list[str]]
    created_at: datetime

    def describe(self) -> dict[str, Any]:
        """What the publish checks need to know of the live version (JSON-able)."""
        return {
            "version": self.number,
            "key": self.key,
            "columns": list(self.columns),
            "rows": self.rows,
            "text_keys": self.text_keys,
            "text_key_examples": [list(e) for e in self.text_key_examples],
        }


_META = [c for c in table_versions.c if c.name != "data"]


def _record(row: RowMapping) -> TableRecord:
    return TableRecord(
        name=row["name"],
        number=row["number"],
        hash=row["hash"],
        key=row["key"],
        columns=list(row["columns"]),
        rows=row["rows"],
        size=row["size"],
        text_keys=row["text_keys"],
        text_key_examples=[list(e) for e in row["text_key_examples"]],
        created_at=_utc(row["created_at"]) or now(),
    )


def check_name(name: str) -> None:
    """Raise :class:`TableNameInvalid` for a name no table can have."""
    if not ID_RE.fullmatch(name):
        raise TableNameInvalid(
            f"{name[:80]!r} cannot name a table: start with a letter or _, then letters, digits, _ or - "
            "(at most 64)"
        )


def _live_join() -> Any:
    return tables_table.join(
        table_versions,
        (table_versions.c.name == tables_table.c.name) & (table_versions.c.number == tables_table.c.number),
    )


class TableStore:
    """Server tables on one SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def pointers(self) -> dict[str, int]:
        """Live version number by table name: one cheap query, polled by every process."""
        with self.engine.connect() as conn:
            return {
                r.name: r.number for r in conn.execute(select(tables_table.c.name, tables_table.c.number))
            }

    def list(self) -> list[TableRecord]:
        """Every table's live version, by name."""
        query = select(*_META).select_from(_live_join()).order_by(tables_table.c.name)
        with self.engine.connect() as conn:
            return [_record(r) for r in conn.execute(query).mappings()]

    def live(self, name: str) -> TableRecord:
        """The live version of ``name``; raises :class:`TableNotFound`."""
        if not ID_RE.fullmatch(name):
            raise TableNotFound(f"no table {name[:80]!r}")
        query = select(*_META).select_from(_live_join()).where(tables_table.c.name == name)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise TableNotFound(f"no table '{name}' (import it with PUT /api/tables/{name})")
        return _record(row)

    def data(self, name: str, number: int) -> bytes:
        """The packed rows of one version; raises :class:`TableNotFound` when not kept."""
        query = select(table_versions.c.data).where(
            table_versions.c.name == name, table_versions.c.number == number
        )
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar()
        if value is None:
            raise TableNotFound(f"table '{name}' version {number} is not kept")
        return unpack_stored(bytes(value))

    def catalogue(self) -> dict[str, dict[str, Any]]:
        """Every table's live version described for the publish checks."""
        return {r.name: r.describe() for r in self.list()}

    def import_file(
        self,
        name: str,
        data: bytes,
        fmt: str,
        key: str | None = None,
        run: Callable[..., Any] | None = None,
        progress: Progress | None = None,
        allow_empty: bool = False,
    ) -> tuple[TableRecord, bool]:
        """Validate ``data`` (``csv`` or ``json``) whole against the published flows and store it
        as the next version; raises :class:`~flowgraph.tablefile.TableFileError` and stores
        nothing when it is invalid. ``run(fn, *args)``: where to validate (the server's worker
        process); default here, reporting rows read to ``progress``. A file without rows is
        refused while a published flow reads the table, unless ``allow_empty``: a header-only
        export would otherwise send every caller down ``not_found`` (or drop every holiday)."""
        check_name(name)
        flows = FlowStore(self.engine)
        published = [
            v.flow for f in sorted(flows.published_pointers()) if (v := flows.published(f)) and v.flow
        ]
        if run is None:
            reason = numbers_reason(published, name)
            parsed = parse_table(data, fmt, source_for(name), key, reason, progress)
        else:
            parsed = parsed_from_job(run(import_job, data, fmt, name, key, published))
        readers = sorted(str(d.get("id")) for d in published if _declares_server_table(d, name))
        if not len(parsed.rows) and readers and not allow_empty:
            raise TableFileError(
                source_for(name),
                [
                    (
                        "line 2",
                        f"no rows, while published flow(s) {', '.join(readers)} read this table: every "
                        "caller would be not found (a calendar: no holidays). Nothing changed; to "
                        "import it anyway, add allow_empty=true (flowgraph table import --allow-empty)",
                    )
                ],
            )
        return self.put(name, parsed)

    def put(self, name: str, table: ParsedTable) -> tuple[TableRecord, bool]:
        """Store ``table`` as the next version of ``name`` and make it live, in one transaction.

        Returns (version, created); the same content as the live version creates nothing.
        """
        check_name(name)
        data = table.rows.to_bytes()
        digest = hashlib.sha256(_hash_prefix(table.key) + data).hexdigest()
        for attempt in (1, 2):
            try:
                with self.engine.begin() as conn:
                    return self._put(conn, name, table, data, digest)
            except IntegrityError:  # a concurrent first import of the same name won the race
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _put(
        self, conn: Connection, name: str, table: ParsedTable, data: bytes, digest: str
    ) -> tuple[TableRecord, bool]:
        # A write that changes nothing takes the row lock (PostgreSQL) or the write lock (SQLite):
        # two imports of one table cannot pick the same number.
        locked = conn.execute(
            update(tables_table).where(tables_table.c.name == name).values(number=tables_table.c.number)
        )
        if locked.rowcount == 0:
            conn.execute(insert(tables_table).values(name=name, number=0, updated_at=now()))
        live = conn.execute(select(tables_table.c.number).where(tables_table.c.name == name)).scalar_one()
        current = self._meta(conn, name, live)
        if current is not None and current.hash == digest:
            return current, False
        last = conn.execute(
            select(func.max(table_versions.c.number)).where(table_versions.c.name == name)
        ).scalar()
        number = int(last or 0) + 1
        conn.execute(
            insert(table_versions).values(
                name=name,
                number=number,
                hash=digest,
                key=table.key,
                columns=list(table.columns),
                rows=len(table.rows),
                size=len(data),
                text_keys=table.text_keys,
                text_key_examples=[list(e) for e in table.text_key_examples],
                created_at=now(),
                data=pack_stored(data),
            )
        )
        conn.execute(
            update(tables_table).where(tables_table.c.name == name).values(number=number, updated_at=now())
        )
        conn.execute(
            update(table_versions)
            .where(table_versions.c.name == name, table_versions.c.number <= number - KEEP_DATA)
            .where(table_versions.c.data.is_not(None))
            .values(data=None)
        )
        record = self._meta(conn, name, number)
        assert record is not None
        return record, True

    def _meta(self, conn: Connection, name: str, number: int) -> TableRecord | None:
        row = (
            conn.execute(
                select(*_META).where(table_versions.c.name == name, table_versions.c.number == number)
            )
            .mappings()
            .first()
        )
        return _record(row) if row is not None else None


def _declares_server_table(doc: dict[str, Any], name: str) -> bool:
    table = (doc.get("tables") or {}).get(name)
    return isinstance(table, dict) and bool(table.get("server"))


def table_reader(engine: Engine) -> Callable[[str, int | None], TableVersion | None]:
    """Reads table versions from the database for replays (``simulate/impact.py``): ``(name,
    number)``, ``None`` for the live version; None when the table or that version is not kept."""
    store = TableStore(engine)

    def read(name: str, number: int | None) -> TableVersion | None:
        try:
            record = store.live(name)
            if number is not None and number != record.number:
                with engine.connect() as conn:
                    record = store._meta(conn, name, number) or record
                if record.number != number:
                    return None
            rows = PackedRows.from_bytes(store.data(name, record.number))
        except TableNotFound:
            return None
        return TableVersion(name, record.number, record.key, rows)

    return read


#: zlib level for stored table data: packed rows shrink to about a third, which makes the
#: database read that brings a new version to every process (PostgreSQL sends bytea as hex)
#: several times shorter; level 1 costs about 0.1 s per million rows at import.
STORED_ZLIB_LEVEL = 1


def pack_stored(data: bytes) -> bytes:
    """Packed rows as kept in ``table_versions.data`` (compressed)."""
    return zlib.compress(data, STORED_ZLIB_LEVEL)


def unpack_stored(stored: bytes) -> bytes:
    """:func:`pack_stored` undone; data stored uncompressed by an earlier release is returned as is."""
    if stored.startswith(MAGIC):
        return stored
    return zlib.decompress(stored)


def _hash_prefix(key: str) -> bytes:
    """The key column's name as it enters the content hash (a renamed key is a new version)."""
    return key.encode() + b"\n"
