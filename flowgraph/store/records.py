"""Tables, records and errors of the flow store (see :mod:`flowgraph.store.flows`).

- ``flows``: the editable draft, its revision (the ETag), soft-delete time, the platform secret.
- ``flow_versions``: immutable published versions (only ever inserted).
- ``flow_published``: flow id -> live version number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, Table, Text, select
from sqlalchemy.engine import RowMapping

from flowgraph.diagnostics import FlowgraphError
from flowgraph.model import ID_PATTERN
from flowgraph.store.db import metadata

flows_table = Table(
    "flows",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False, default=""),
    Column("draft", JSON, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("secret", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True), nullable=True),
)

versions_table = Table(
    "flow_versions",
    metadata,
    Column("flow_id", String(64), ForeignKey("flows.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("flow", JSON, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("author", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

published_table = Table(
    "flow_published",
    metadata,
    Column("flow_id", String(64), ForeignKey("flows.id"), primary_key=True),
    Column("number", Integer, nullable=False),
    Column("switched_at", DateTime(timezone=True), nullable=False),
)


# --- errors ------------------------------------------------------------------------------


class StoreError(FlowgraphError):
    """Base of the store's errors (each maps to one HTTP status in server/errors.py)."""


class FlowNotFound(StoreError):
    """No such flow (or it is deleted and the caller did not ask for deleted ones)."""


class VersionNotFound(StoreError):
    """No such version of the flow."""


class FlowExists(StoreError):
    """A flow with this id exists already (possibly deleted: restore it instead)."""


class StaleWrite(StoreError):
    """The caller's ETag no longer matches: someone saved in between. Nothing was written."""

    def __init__(self, flow_id: str, expected: str, current: str):
        self.flow_id, self.expected, self.current = flow_id, expected, current
        super().__init__(
            f"flow '{flow_id}' was changed by someone else (you had {expected}, it is now {current}); "
            "reload it and apply your change again"
        )


# --- records -----------------------------------------------------------------------------


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands timestamps back without a zone; they were stored as UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def now() -> datetime:
    """The current time in UTC (one place, so every row uses the same clock and zone)."""
    return datetime.now(UTC)


def etag_for(revision: int) -> str:
    """The strong ETag of a draft revision, quoted as HTTP wants it."""
    return f'"{revision}"'


@dataclass(frozen=True)
class FlowRecord:
    """One stored flow: its draft and bookkeeping (``secret`` is kept out of ``repr``)."""

    id: str
    name: str
    draft: dict[str, Any]
    revision: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    published_version: int | None

    @property
    def etag(self) -> str:
        return etag_for(self.revision)


@dataclass(frozen=True)
class VersionRecord:
    """One immutable published version (``flow`` is None in listings)."""

    flow_id: str
    number: int
    hash: str
    note: str
    author: str
    created_at: datetime
    flow: dict[str, Any] | None = None


def flow_record(row: RowMapping) -> FlowRecord:
    """A :class:`FlowRecord` from a row of :func:`flow_select`."""
    return FlowRecord(
        id=row["id"],
        name=row["name"],
        draft=row["draft"],
        revision=row["revision"],
        created_at=_utc(row["created_at"]) or now(),
        updated_at=_utc(row["updated_at"]) or now(),
        deleted_at=_utc(row["deleted_at"]),
        published_version=row["published_version"],
    )


def version_record(row: RowMapping, with_flow: bool = True) -> VersionRecord:
    """A :class:`VersionRecord` from a ``flow_versions`` row (``flow`` left out unless asked)."""
    return VersionRecord(
        flow_id=row["flow_id"],
        number=row["number"],
        hash=row["hash"],
        note=row["note"],
        author=row["author"],
        created_at=_utc(row["created_at"]) or now(),
        flow=row["flow"] if with_flow else None,
    )


_FLOW_COLUMNS = (
    flows_table.c.id,
    flows_table.c.name,
    flows_table.c.draft,
    flows_table.c.revision,
    flows_table.c.created_at,
    flows_table.c.updated_at,
    flows_table.c.deleted_at,
    published_table.c.number.label("published_version"),
)


def flow_select() -> Any:
    """SELECT of a flow's columns with its live version number (outer join on the pointer)."""
    return select(*_FLOW_COLUMNS).select_from(
        flows_table.outerjoin(published_table, published_table.c.flow_id == flows_table.c.id)
    )


def version_columns(with_flow: bool) -> list[Any]:
    """The ``flow_versions`` columns, without the flow JSON for listings."""
    cols = [c for c in versions_table.c if with_flow or c.name != "flow"]
    return cols


#: Version numbers fit a 32-bit INTEGER column on every database.
MAX_VERSION = 2**31 - 1


#: What a stored flow id looks like (the model's id pattern).
ID_RE = re.compile(ID_PATTERN)


def check_id(flow_id: str) -> None:
    """Raise :class:`FlowNotFound` for an id no flow can have, before it reaches the database
    (PostgreSQL refuses some strings, e.g. with NUL, that a URL can carry)."""
    if not ID_RE.fullmatch(flow_id):
        raise FlowNotFound(f"no flow {flow_id[:80]!r}")


def plain_text(value: object) -> str:
    """Text for a TEXT column: NUL characters removed (PostgreSQL cannot store them)."""
    return str(value or "").replace("\x00", "")


def check_number(flow_id: str, number: int) -> None:
    """Raise :class:`VersionNotFound` for a number no version can have."""
    # A number no column can hold cannot name a version (and would overflow the driver).
    if not 1 <= number <= MAX_VERSION:
        raise VersionNotFound(f"flow '{flow_id}' has no version {number}")


def exists_message(flow_id: str, deleted_at: datetime | None) -> str:
    """Why a create failed: the id is taken (by a deleted flow: say to restore it)."""
    if deleted_at is not None:
        return f"flow '{flow_id}' exists (deleted); restore it or choose another id"
    return f"flow '{flow_id}' exists already"
