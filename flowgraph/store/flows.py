"""Flows, their immutable versions and the published pointer, behind :class:`FlowStore`.

- ``flows``: the editable draft (JSON), a revision that every save bumps (the ETag), soft-delete
  time, and the flow's platform secret (generated with ``settings.new_secret``; never logged,
  never exported).
- ``flow_versions``: what publishing stored: number, content hash (the compiled version), the flow
  JSON, note, author, time. Rows are only ever inserted.
- ``flow_published``: flow id -> live version number, switched in the same transaction that
  inserts the version, so live traffic sees the old version or the new one, never a mix.

Every write is one transaction: a failed or stale save leaves the previous row intact.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Select, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from flowgraph.settings import new_secret
from flowgraph.store.records import (
    ID_RE,
    FlowExists,
    FlowNotFound,
    FlowRecord,
    StaleWrite,
    StoreError,
    VersionNotFound,
    VersionRecord,
    check_id,
    check_number,
    etag_for,
    exists_message,
    flow_record,
    flow_select,
    flows_table,
    now,
    plain_text,
    published_table,
    version_columns,
    version_record,
    versions_table,
)

__all__ = [
    "FlowExists",
    "FlowNotFound",
    "FlowRecord",
    "FlowStore",
    "StaleWrite",
    "StoreError",
    "VersionNotFound",
    "VersionRecord",
]


# --- the store ---------------------------------------------------------------------------


def _live(query: Select[Any]) -> Select[Any]:
    """``query`` over the published versions of flows that are not deleted (what serves calls)."""
    return query.select_from(
        published_table.join(
            versions_table,
            (versions_table.c.flow_id == published_table.c.flow_id)
            & (versions_table.c.number == published_table.c.number),
        ).join(flows_table, flows_table.c.id == published_table.c.flow_id)
    ).where(flows_table.c.deleted_at.is_(None))


class FlowStore:
    """Flows, versions and the published pointer on one SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    # reads ---------------------------------------------------------------------------------

    def list_flows(self, include_deleted: bool = False) -> list[FlowRecord]:
        """Every flow, ordered by id (deleted ones only when asked)."""
        query = flow_select().order_by(flows_table.c.id)
        if not include_deleted:
            query = query.where(flows_table.c.deleted_at.is_(None))
        with self.engine.connect() as conn:
            return [flow_record(r) for r in conn.execute(query).mappings()]

    def get(self, flow_id: str, include_deleted: bool = False) -> FlowRecord:
        """One flow; raises :class:`FlowNotFound` (also for a deleted flow unless asked)."""
        with self.engine.connect() as conn:
            return self._get(conn, flow_id, include_deleted)

    def _get(self, conn: Connection, flow_id: str, include_deleted: bool = False) -> FlowRecord:
        check_id(flow_id)
        row = conn.execute(flow_select().where(flows_table.c.id == flow_id)).mappings().first()
        if row is None:
            raise FlowNotFound(f"no flow '{flow_id}'")
        record = flow_record(row)
        if record.deleted_at is not None and not include_deleted:
            raise FlowNotFound(
                f"flow '{flow_id}' is deleted (restore it with POST /api/flows/{flow_id}/restore)"
            )
        return record

    def secret(self, flow_id: str) -> str:
        """The flow's platform secret (for the hot path's header check and the deployment sheet)."""
        check_id(flow_id)
        with self.engine.connect() as conn:
            value = conn.execute(select(flows_table.c.secret).where(flows_table.c.id == flow_id)).scalar()
        if value is None:
            raise FlowNotFound(f"no flow '{flow_id}'")
        return str(value)

    def versions(self, flow_id: str) -> list[VersionRecord]:
        """The flow's versions, newest first, without their flow JSON."""
        self.get(flow_id, include_deleted=True)
        query = (
            select(*version_columns(False))
            .where(versions_table.c.flow_id == flow_id)
            .order_by(versions_table.c.number.desc())
        )
        with self.engine.connect() as conn:
            return [version_record(r, with_flow=False) for r in conn.execute(query).mappings()]

    def get_version(self, flow_id: str, number: int) -> VersionRecord:
        """One version with its flow JSON; raises :class:`VersionNotFound`."""
        check_number(flow_id, number)
        query = select(versions_table).where(
            versions_table.c.flow_id == flow_id, versions_table.c.number == number
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise VersionNotFound(f"flow '{flow_id}' has no version {number}")
        return version_record(row)

    def published(self, flow_id: str) -> VersionRecord | None:
        """The live version of a flow with its JSON; None when unpublished or deleted."""
        if not ID_RE.fullmatch(flow_id):
            return None
        query = _live(select(versions_table)).where(published_table.c.flow_id == flow_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return version_record(row) if row is not None else None

    def published_pointers(self) -> dict[str, tuple[int, str]]:
        """Live flows -> (version number, content hash): a cheap query for cache validation."""
        query = _live(select(published_table.c.flow_id, versions_table.c.number, versions_table.c.hash))
        with self.engine.connect() as conn:
            return {r.flow_id: (r.number, r.hash) for r in conn.execute(query)}

    # writes --------------------------------------------------------------------------------

    def create(self, draft: dict[str, Any]) -> FlowRecord:
        """Store a new flow (its id is ``draft['id']``) with revision 1 and a fresh secret."""
        flow_id = str(draft["id"])
        try:
            with self.engine.begin() as conn:
                self._insert(conn, draft)
                return self._get(conn, flow_id)
        except IntegrityError:  # a concurrent create of the same id won the race
            raise FlowExists(f"flow '{flow_id}' exists already") from None

    def import_flows(self, drafts: list[dict[str, Any]], overwrite: bool) -> tuple[list[str], list[str]]:
        """Create (or, with ``overwrite``, replace the drafts of) several flows in one transaction.

        Returns (created ids, updated ids). Any conflict leaves every flow as it was.
        """
        created: list[str] = []
        updated: list[str] = []
        try:
            with self.engine.begin() as conn:
                for draft in drafts:
                    flow_id = str(draft["id"])
                    existing = conn.execute(
                        select(flows_table.c.revision, flows_table.c.deleted_at).where(
                            flows_table.c.id == flow_id
                        )
                    ).first()
                    if existing is None:
                        self._insert(conn, draft)
                        created.append(flow_id)
                    elif overwrite:
                        self._replace(conn, flow_id, draft, existing.revision)
                        conn.execute(
                            update(flows_table).where(flows_table.c.id == flow_id).values(deleted_at=None)
                        )
                        updated.append(flow_id)
                    else:
                        raise FlowExists(
                            exists_message(flow_id, existing.deleted_at) + " (import with overwrite)"
                        )
        except IntegrityError:
            raise FlowExists("a flow in the import was created concurrently; nothing was imported") from None
        return created, updated

    def _insert(self, conn: Connection, draft: dict[str, Any]) -> None:
        flow_id = str(draft["id"])
        existing = conn.execute(select(flows_table.c.deleted_at).where(flows_table.c.id == flow_id)).first()
        if existing is not None:
            raise FlowExists(exists_message(flow_id, existing.deleted_at))
        stamp = now()
        conn.execute(
            insert(flows_table).values(
                id=flow_id,
                name=plain_text(draft.get("name")),
                draft=draft,
                revision=1,
                secret=new_secret(),
                created_at=stamp,
                updated_at=stamp,
                deleted_at=None,
            )
        )

    def _replace(self, conn: Connection, flow_id: str, draft: dict[str, Any], expected: int) -> bool:
        # Compare-and-set in one statement: of two saves racing from one revision, one wins.
        result = conn.execute(
            update(flows_table)
            .where(flows_table.c.id == flow_id, flows_table.c.revision == expected)
            .values(draft=draft, name=plain_text(draft.get("name")), revision=expected + 1, updated_at=now())
        )
        return bool(result.rowcount == 1)

    def update(self, flow_id: str, draft: dict[str, Any], if_match: str | None) -> FlowRecord:
        """Replace the draft when ``if_match`` equals the current ETag (``"*"``/None: any revision).

        Raises :class:`StaleWrite` (nothing written) when someone saved since ``if_match``.
        """
        with self.engine.begin() as conn:
            current = self._get(conn, flow_id)
            expected = self._expected_revision(current, if_match)
            if not self._replace(conn, flow_id, draft, expected):
                raise StaleWrite(flow_id, if_match or "*", self._get(conn, flow_id).etag)
            return self._get(conn, flow_id)

    def _expected_revision(self, current: FlowRecord, if_match: str | None) -> int:
        if if_match is None or if_match.strip() == "*":
            return current.revision
        tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
        if current.etag in tags:
            return current.revision
        raise StaleWrite(current.id, if_match, current.etag)

    def delete(self, flow_id: str, if_match: str | None = None) -> FlowRecord:
        """Soft-delete: the flow disappears from lists and live traffic, and can be restored."""
        with self.engine.begin() as conn:
            current = self._get(conn, flow_id)
            self._expected_revision(current, if_match)
            conn.execute(update(flows_table).where(flows_table.c.id == flow_id).values(deleted_at=now()))
            return self._get(conn, flow_id, include_deleted=True)

    def restore(self, flow_id: str) -> FlowRecord:
        """Undo a soft delete (its published version, if any, is live again)."""
        with self.engine.begin() as conn:
            self._get(conn, flow_id, include_deleted=True)
            conn.execute(update(flows_table).where(flows_table.c.id == flow_id).values(deleted_at=None))
            return self._get(conn, flow_id)

    def publish(
        self,
        flow_id: str,
        flow: dict[str, Any],
        content_hash: str,
        note: str = "",
        author: str = "",
        revision: int | None = None,
    ) -> tuple[VersionRecord, bool]:
        """Store ``flow`` as the next immutable version and make it live, in one transaction.

        ``revision``: the draft revision ``flow`` was read (and compiled) from; if the draft has
        moved on since, raise :class:`StaleWrite` so the caller never publishes a mix. Returns
        (version, created); content identical to the live version creates nothing.
        """
        with self.engine.begin() as conn:
            self._lock_flow(conn, flow_id)
            if revision is not None:
                current = self._get(conn, flow_id)
                if current.revision != revision:
                    raise StaleWrite(flow_id, etag_for(revision), current.etag)
            live = self._live_number(conn, flow_id)
            if live is not None:
                live_hash = conn.execute(
                    select(versions_table.c.hash).where(
                        versions_table.c.flow_id == flow_id, versions_table.c.number == live
                    )
                ).scalar()
                if live_hash == content_hash:
                    return self._version(conn, flow_id, live), False
            last = conn.execute(
                select(func.max(versions_table.c.number)).where(versions_table.c.flow_id == flow_id)
            ).scalar()
            number = int(last or 0) + 1
            conn.execute(
                insert(versions_table).values(
                    flow_id=flow_id,
                    number=number,
                    hash=content_hash,
                    flow=flow,
                    note=plain_text(note),
                    author=plain_text(author),
                    created_at=now(),
                )
            )
            self._switch(conn, flow_id, number, live)
            return self._version(conn, flow_id, number), True

    def rollback(self, flow_id: str, number: int) -> VersionRecord:
        """Make an existing version live again (one transaction; the draft is left as it is)."""
        with self.engine.begin() as conn:
            self._lock_flow(conn, flow_id)
            version = self._version(conn, flow_id, number)
            self._switch(conn, flow_id, number, self._live_number(conn, flow_id))
            return version

    def _lock_flow(self, conn: Connection, flow_id: str) -> None:
        check_id(flow_id)
        # Serialise publishes of one flow, so two of them cannot pick the same version number: a
        # write that changes nothing takes the row lock on PostgreSQL and SQLite's write lock
        # (there a SELECT ... FOR UPDATE locks nothing, and the driver opens the transaction
        # only at the first write: both publishes would read the same last number).
        conn.execute(
            update(flows_table).where(flows_table.c.id == flow_id).values(revision=flows_table.c.revision)
        )
        row = conn.execute(select(flows_table.c.deleted_at).where(flows_table.c.id == flow_id)).first()
        if row is None:
            raise FlowNotFound(f"no flow '{flow_id}'")
        if row.deleted_at is not None:
            raise FlowNotFound(
                f"flow '{flow_id}' is deleted (restore it with POST /api/flows/{flow_id}/restore)"
            )

    def _live_number(self, conn: Connection, flow_id: str) -> int | None:
        value = conn.execute(
            select(published_table.c.number).where(published_table.c.flow_id == flow_id)
        ).scalar()
        return int(value) if value is not None else None

    def _switch(self, conn: Connection, flow_id: str, number: int, live: int | None) -> None:
        if live is None:
            conn.execute(insert(published_table).values(flow_id=flow_id, number=number, switched_at=now()))
        else:
            conn.execute(
                update(published_table)
                .where(published_table.c.flow_id == flow_id)
                .values(number=number, switched_at=now())
            )

    def _version(self, conn: Connection, flow_id: str, number: int) -> VersionRecord:
        check_number(flow_id, number)
        row = (
            conn.execute(
                select(versions_table).where(
                    versions_table.c.flow_id == flow_id, versions_table.c.number == number
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise VersionNotFound(f"flow '{flow_id}' has no version {number}")
        return version_record(row)

    def is_empty(self) -> bool:
        """True when no flow was ever stored (the server seeds examples then)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(flows_table)).scalar() == 0
