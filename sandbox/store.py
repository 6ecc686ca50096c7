"""The sandbox's state: Graph resources as JSON documents in SQLite.

Each resource is stored in its Graph representation (camelCase) plus internal keys that start
with ``_``. A change log per container (mail folder, calendar, drive folder) feeds delta queries;
deleted resources leave the log entry behind so delta can report ``@removed``.

The same log is the store's event bus: ``observe(observer)`` hands every committed
transaction's changes to the observer as ``StoreChange``s (created, updated or removed, per
container, with the record as it was), so change notifications hook in once, here, and not in
the handlers that write.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.clock import Clock, SystemClock

__all__ = ["Change", "Record", "Store", "StoreChange", "StoreObserver"]

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    mailbox TEXT,
    parent TEXT,
    rid TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_by_parent ON objects (kind, mailbox, parent);
CREATE INDEX IF NOT EXISTS objects_by_rid ON objects (rid);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    container TEXT NOT NULL,
    id TEXT NOT NULL,
    op TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_by_container ON changes (container, seq);
CREATE INDEX IF NOT EXISTS changes_by_item ON changes (container, id, seq);
CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class Record:
    """One stored resource. ``data`` is the Graph JSON, internal keys prefixed with ``_``."""

    id: str
    kind: str
    mailbox: str | None
    parent: str | None
    data: dict[str, Any] = field(default_factory=dict)
    rid: str | None = None


@dataclass(frozen=True)
class Change:
    seq: int
    id: str
    op: str  # "upsert" | "removed"


@dataclass(frozen=True)
class StoreChange:
    """One logged change as observers see it once the transaction has committed.

    ``op`` is ``created`` (new in ``container``: inserted, copied or moved in), ``updated``
    (changed where it was) or ``removed`` (deleted, or moved out); ``rid`` and ``data`` are
    the record as it was then (for a removal: its last state in ``container``).
    """

    container: str
    id: str
    op: str
    kind: str | None
    mailbox: str | None
    rid: str | None
    data: dict[str, Any]


StoreObserver = Callable[[list[StoreChange]], None]


class Store:
    """The tenant's state, and its clock: whatever stamps a resource has the store at hand."""

    def __init__(self, path: Path | str = ":memory:", *, clock: Clock | None = None) -> None:
        self.path = str(path)
        self.clock: Clock = clock or SystemClock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()
        self._depth = 0
        self._observers: list[StoreObserver] = []
        self._pending: list[StoreChange] = []

    def close(self) -> None:
        self._db.close()

    def observe(self, observer: StoreObserver) -> None:
        """Call ``observer`` with the changes of every committed transaction (never of one
        rolled back), after the commit, on the thread that wrote."""
        self._observers.append(observer)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes; nested calls join the outer transaction."""
        committed: list[StoreChange] = []
        with self._lock:
            if self._depth == 0:
                self._db.execute("BEGIN")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._db.execute("ROLLBACK")
                    self._pending.clear()
                raise
            self._depth -= 1
            if self._depth == 0:
                self._db.execute("COMMIT")
                committed, self._pending = self._pending, []
        if committed:
            self._publish(committed)

    def _publish(self, changes: list[StoreChange]) -> None:
        for observer in self._observers:
            try:
                observer(changes)
            except Exception:  # the write stands; an observer's bug must not undo or fail it
                log.exception("store observer %r failed", observer)

    # -- objects ---------------------------------------------------------------------------
    def get(self, id_: str, kind: str | None = None) -> Record | None:
        """Look up by immutable id or by current regular id."""
        row = self._db.execute(
            "SELECT id, kind, mailbox, parent, rid, data FROM objects WHERE id = ? OR rid = ?",
            (id_, id_),
        ).fetchone()
        if row is None or (kind is not None and row[1] != kind):
            return None
        return _record(row)

    def find(
        self, kind: str, *, mailbox: str | None = None, parent: str | None = None
    ) -> list[Record]:
        sql = "SELECT id, kind, mailbox, parent, rid, data FROM objects WHERE kind = ?"
        args: list[Any] = [kind]
        if mailbox is not None:
            sql += " AND mailbox = ?"
            args.append(mailbox)
        if parent is not None:
            sql += " AND parent = ?"
            args.append(parent)
        sql += " ORDER BY rowid"
        return [_record(r) for r in self._db.execute(sql, args)]

    def count(self, kind: str, *, mailbox: str | None = None, parent: str | None = None) -> int:
        sql = "SELECT count(*) FROM objects WHERE kind = ?"
        args: list[Any] = [kind]
        if mailbox is not None:
            sql += " AND mailbox = ?"
            args.append(mailbox)
        if parent is not None:
            sql += " AND parent = ?"
            args.append(parent)
        return int(self._db.execute(sql, args).fetchone()[0])

    def put(self, rec: Record, *, container: str | None = None) -> None:
        """Insert or replace; log the change in ``container`` for delta readers."""
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO objects (id, kind, mailbox, parent, rid, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    rec.id,
                    rec.kind,
                    rec.mailbox,
                    rec.parent,
                    rec.rid,
                    json.dumps(rec.data, separators=(",", ":")),
                ),
            )
            if container:
                self.log(container, rec.id, "upsert")

    def delete(self, id_: str, *, container: str | None = None) -> None:
        with self.transaction():
            if container:  # logged first, so observers see what was removed
                self.log(container, id_, "removed")
            self._db.execute("DELETE FROM objects WHERE id = ?", (id_,))
            self._db.execute("DELETE FROM blobs WHERE id = ?", (id_,))

    def log(self, container: str, id_: str, op: str) -> None:
        if self._observers:
            self._note(container, id_, op)
        self._db.execute(
            "INSERT INTO changes (container, id, op) VALUES (?, ?, ?)", (container, id_, op)
        )

    def _note(self, container: str, id_: str, op: str) -> None:
        """Queue the change for observers: an upsert is ``created`` unless the item's last
        change in this container was an upsert too (it was there already)."""
        row = self._db.execute(
            "SELECT kind, mailbox, rid, data FROM objects WHERE id = ?", (id_,)
        ).fetchone()
        if op == "upsert":
            last = self._db.execute(
                "SELECT op FROM changes WHERE container = ? AND id = ? ORDER BY seq DESC LIMIT 1",
                (container, id_),
            ).fetchone()
            op = "updated" if last is not None and last[0] == "upsert" else "created"
        kind, mailbox, rid, data = row if row is not None else (None, None, None, "{}")
        self._pending.append(StoreChange(container, id_, op, kind, mailbox, rid, json.loads(data)))

    # -- delta -----------------------------------------------------------------------------
    def watermark(self) -> int:
        row = self._db.execute("SELECT max(seq) FROM changes").fetchone()
        return int(row[0] or 0)

    def changes(self, containers: list[str], since: int) -> list[Change]:
        """The last change per id in ``containers`` after ``since``, oldest first."""
        if not containers:
            return []
        marks = ",".join("?" for _ in containers)
        rows = self._db.execute(
            f"SELECT max(seq), id FROM changes WHERE container IN ({marks}) AND seq > ?"
            " GROUP BY id ORDER BY max(seq)",
            [*containers, since],
        ).fetchall()
        out = []
        for seq, id_ in rows:
            op = self._db.execute("SELECT op FROM changes WHERE seq = ?", (seq,)).fetchone()[0]
            out.append(Change(seq=int(seq), id=id_, op=op))
        return out

    # -- blobs and meta --------------------------------------------------------------------
    def put_blob(self, id_: str, content: bytes) -> None:
        self._db.execute("INSERT OR REPLACE INTO blobs (id, content) VALUES (?, ?)", (id_, content))

    def get_blob(self, id_: str) -> bytes | None:
        row = self._db.execute("SELECT content FROM blobs WHERE id = ?", (id_,)).fetchone()
        return None if row is None else bytes(row[0])

    def get_meta(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
        )

    def reset(self) -> None:
        with self.transaction():
            for table in ("objects", "changes", "blobs", "meta"):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


def _record(row: tuple[Any, ...]) -> Record:
    return Record(
        id=row[0], kind=row[1], mailbox=row[2], parent=row[3], rid=row[4], data=json.loads(row[5])
    )
