"""The server tables one process answers from, kept in step with the database.

:class:`LiveTables` holds the process's :class:`~flowgraph.runtime.tables.TableSet`. The
platform hub refreshes it with the published flows (every ``POLL_INTERVAL_S``, one small query
of the table pointers), so with several processes on one database every process serves a new
version within a second of its import; an import through this process's API loads it at once
(:meth:`invalidate`). A version is read whole from the database, packed, then swapped in: a
request sees the old version or the new one, never part of one.
"""

from __future__ import annotations

import logging
import threading

from flowgraph.runtime.tables import PackedRows, TableSet, TableVersion
from flowgraph.store.tables import TableNotFound, TableStore

log = logging.getLogger("flowgraph.tables")


class LiveTables:
    """A :class:`TableSet` refreshed from a :class:`TableStore`."""

    def __init__(self, store: TableStore):
        self.store = store
        self.tables = TableSet()
        self.pointers: dict[str, int] = {}
        self._lock = threading.Lock()

    def refresh(self) -> bool:
        """Load every table whose live version changed since the last refresh; True if any did."""
        with self._lock:
            pointers = self.store.pointers()
            if pointers == self.pointers:
                return False
            loaded = dict(self.pointers)
            for name, number in sorted(pointers.items()):
                if self.tables.numbers().get(name) != number and not self._load(name):
                    continue  # tried again at the next refresh
                loaded[name] = number
            for name in set(loaded) - set(pointers):
                self.tables.drop(name)
                loaded.pop(name)
            self.pointers = loaded
            return True

    def invalidate(self, name: str) -> None:
        """Load ``name``'s live version now (after an import through this process)."""
        with self._lock:
            if self._load(name):
                self.pointers = {**self.pointers, name: self.tables.numbers()[name]}

    def _load(self, name: str) -> bool:
        try:
            record = self.store.live(name)
            rows = PackedRows.from_bytes(self.store.data(name, record.number))
        except TableNotFound:
            self.tables.drop(name)
            return True
        except Exception:
            log.exception("cannot load server table %s; serving the version loaded before", name)
            return False
        self.tables.put(TableVersion(name, record.number, record.key, rows))
        return True
