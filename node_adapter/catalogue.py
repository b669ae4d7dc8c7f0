"""The node's durable catalogue: one SQLite file (WAL) with records, tombstones and XML.

Each record keeps its ``BibRecord`` as canonical JSON, created/updated UTC timestamps with
microseconds (the OAI datestamp is ``updated`` cut to the second; the extra precision
makes ``(updated, local_id)`` a strictly growing key for paging) and its XML fragment per
metadata format, rendered once when the content changes. A deleted record becomes a
tombstone: its id, its sets and the time of deletion stay; its content goes. How a
batch is matched and written is ``node_adapter.merge``'s concern.

Errors: a damaged file raises ``config.dbfile.DamagedFile`` (a ``sqlite3.DatabaseError``)
naming it and the way out (``DAMAGED``, or the one a store built on this file gives);
other ``sqlite3.Error`` from the disk propagates unchanged; a failing
``upsert_many`` (including an iterable that raises) rolls back and changes nothing.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from types import TracebackType

from biblio.isbn import to_isbn13
from config import dbfile
from node_adapter.merge import Merger, UpsertSummary
from node_adapter.oai.response import header_tail
from node_adapter.oai.source import PageRow
from node_adapter.records import BibRecord, CatalogueEntry

STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_CHUNK = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    local_id TEXT PRIMARY KEY,
    content TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    sets TEXT NOT NULL DEFAULT '',
    head TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS records_by_change ON records (updated, local_id);
CREATE TABLE IF NOT EXISTS fragments (
    local_id TEXT NOT NULL, prefix TEXT NOT NULL, xml TEXT NOT NULL,
    PRIMARY KEY (local_id, prefix)
);
CREATE TABLE IF NOT EXISTS isbns (
    isbn TEXT NOT NULL, local_id TEXT NOT NULL, PRIMARY KEY (isbn, local_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS isbns_by_record ON isbns (local_id);
CREATE TABLE IF NOT EXISTS set_members (
    set_spec TEXT NOT NULL, updated TEXT NOT NULL, local_id TEXT NOT NULL,
    PRIMARY KEY (set_spec, updated, local_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS set_names (set_spec TEXT PRIMARY KEY, name TEXT NOT NULL);
"""

DAMAGED = ("restore it from a backup, or move it aside and load the library's catalogue "
           "again (`jala node import --db FILE CATALOGUE...` or `jala node sync --from slims`)")
"""The way out of a damaged node catalogue (``config.dbfile``)."""


def stamp(moment: datetime | None = None) -> str:
    """The stored form of a UTC time: sortable text with microseconds."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("catalogue times must be timezone-aware")
    return moment.astimezone(UTC).strftime(STAMP_FORMAT)


def parse_stamp(text: str) -> datetime:
    """Back from the stored form to an aware UTC datetime."""
    return datetime.strptime(text, STAMP_FORMAT).replace(tzinfo=UTC)


class Catalogue:
    """A node's catalogue file; thread-safe (one connection behind a lock)."""

    def __init__(self, path: Path, damaged: str = DAMAGED) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = dbfile.connect(self.path, damaged, isolation_level=None,
                                  check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 30000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} COMMIT;")
        with self._transaction():
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('created', ?)", (stamp(),))
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('secret', ?)",
                             (secrets.token_hex(32),))
            self._add_headers()
            self._key_isbns()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the file."""
        with self._lock:
            self._db.close()

    def _add_headers(self) -> None:
        """Files made before headers were stored get their ``head`` column, filled in."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(records)")}
        if "head" in columns:
            return
        self._db.execute("ALTER TABLE records ADD COLUMN head TEXT NOT NULL DEFAULT ''")
        last = ""
        while rows := self._db.execute(
                "SELECT local_id, updated, sets FROM records WHERE local_id > ?"
                " ORDER BY local_id LIMIT 1000", (last,)).fetchall():
            self._db.executemany("UPDATE records SET head = ? WHERE local_id = ?",
                                 [(header_tail(*row), row[0]) for row in rows])
            last = rows[-1][0]

    def _key_isbns(self) -> None:
        """Files made before ISBN-13 keys kept ISBN-10s as typed: key them as ISBN-13 once."""
        rows = self._db.execute("SELECT isbn, local_id FROM isbns WHERE length(isbn) = 10")
        rekeyed = [(to_isbn13(isbn), isbn, local_id) for isbn, local_id in rows.fetchall()]
        self._db.executemany("UPDATE OR IGNORE isbns SET isbn = ? WHERE isbn = ? AND local_id = ?",
                             [row for row in rekeyed if row[0]])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, taken up front so readers in other processes never block it."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def stamped_transaction(self, now: datetime | None = None
                            ) -> Iterator[tuple[sqlite3.Connection, str]]:
        """A write transaction and its change stamp, for a store that fills these tables."""
        with self._transaction():
            yield self._db, self._change_stamp(now)

    def _change_stamp(self, now: datetime | None) -> str:
        """``now``, yet past every stored change: none may land behind a key already served."""
        # Taken under the write lock: a writer that waited for it, or a clock stepping
        # back, must not stamp a change that paging and `from` harvests would skip.
        moment = stamp(now)
        latest = self._db.execute("SELECT max(updated) FROM records").fetchone()[0]
        if latest is None or moment > latest:
            return moment
        return stamp(parse_stamp(latest) + timedelta(microseconds=1))

    # -- writing ---------------------------------------------------------------------------

    def upsert_many(self, records: Iterable[BibRecord], *, replace: bool = False,
                    now: datetime | None = None) -> UpsertSummary:
        """Merge records by local id, else by a shared ISBN, in one all-or-nothing transaction."""
        with self._transaction():
            merger = Merger(self._db, self._change_stamp(now))
            iterator = iter(records)
            while chunk := list(islice(iterator, _CHUNK)):
                merger.merge(chunk)
            if replace:
                live = self._db.execute("SELECT local_id FROM records WHERE content IS NOT NULL")
                gone = [local_id for (local_id,) in live.fetchall() if local_id not in merger.seen]
                for local_id in gone:
                    merger.tombstone(local_id)
                merger.summary.deleted = len(gone)
        return merger.summary

    def delete(self, local_id: str, now: datetime | None = None) -> bool:
        """Tombstone a live record; False when it is unknown or already deleted."""
        with self._transaction():
            row = self._db.execute("SELECT content FROM records WHERE local_id = ?",
                                   (local_id,)).fetchone()
            if row is None or row[0] is None:
                return False
            Merger(self._db, self._change_stamp(now)).tombstone(local_id)
            return True

    # -- reading ---------------------------------------------------------------------------

    def get(self, local_id: str) -> CatalogueEntry | None:
        """The stored record or its tombstone."""
        with self._lock:
            row = self._db.execute("SELECT content, created, updated FROM records"
                                   " WHERE local_id = ?", (local_id,)).fetchone()
        if row is None:
            return None
        content, created, updated = row
        record = BibRecord.from_dict(json.loads(content)) if content is not None else None
        return CatalogueEntry(local_id, record, parse_stamp(created), parse_stamp(updated))

    def count(self, include_deleted: bool = False) -> int:
        """Number of live records (and tombstones when asked)."""
        where = "" if include_deleted else " WHERE content IS NOT NULL"
        with self._lock:
            return self._db.execute(f"SELECT count(*) FROM records{where}").fetchone()[0]

    def last_change(self) -> datetime | None:
        """When a record was last added, changed or deleted (None while empty)."""
        with self._lock:
            row = self._db.execute("SELECT max(updated) FROM records").fetchone()
        return parse_stamp(row[0]) if row[0] else None

    def secret(self) -> str:
        """A random key made with the file: signs resumption tokens when none is configured."""
        with self._lock:
            return self._db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()[0]

    def earliest_datestamp(self) -> datetime:
        """The oldest change still answerable (the file's creation when it holds nothing)."""
        with self._lock:
            row = self._db.execute("SELECT min(updated) FROM records").fetchone()
            if row[0] is None:
                row = self._db.execute("SELECT value FROM meta WHERE key = 'created'").fetchone()
        return parse_stamp(row[0])

    def sets(self) -> list[tuple[str, str]]:
        """``(setSpec, setName)`` of every set with at least one record, sorted by spec."""
        with self._lock:
            return self._db.execute(
                "SELECT set_spec, name FROM set_names n WHERE EXISTS"
                " (SELECT 1 FROM set_members m WHERE m.set_spec = n.set_spec)"
                " ORDER BY set_spec").fetchall()

    def has_set(self, set_spec: str) -> bool:
        """Whether any record (live or deleted) belongs to this set."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM set_members WHERE set_spec = ? LIMIT 1",
                                    (set_spec,)).fetchone() is not None

    def header(self, local_id: str, prefix: str | None = None) -> PageRow | None:
        """One record's row: its fragment in ``prefix`` ("" without one, None if deleted)."""
        with self._lock:
            return self._db.execute(
                "SELECT r.updated, r.local_id, r.head, CASE WHEN r.content IS NULL THEN NULL"
                " ELSE coalesce(f.xml, '') END FROM records r LEFT JOIN fragments f"
                " ON f.local_id = r.local_id AND f.prefix = ? WHERE r.local_id = ?",
                (prefix, local_id)).fetchone()

    def page(self, *, prefix: str | None, limit: int, after: tuple[str, str] | None = None,
             start: str | None = None, end: str | None = None,
             set_spec: str | None = None) -> list[PageRow]:
        """Rows in ``(updated, local_id)`` order past ``after``, with ``start <= updated < end``."""
        where, args = _filters(after, start, end, set_spec)
        source = "set_members s JOIN records r ON r.local_id = s.local_id" if set_spec \
            else "records r"
        key = "s" if set_spec else "r"
        fragment = "f.xml" if prefix else "CASE WHEN r.content IS NULL THEN NULL ELSE '' END"
        join = " LEFT JOIN fragments f ON f.local_id = r.local_id AND f.prefix = ?" \
            if prefix else ""
        sql = (f"SELECT r.updated, r.local_id, r.head, {fragment} FROM {source}{join}"
               f"{where} ORDER BY {key}.updated, {key}.local_id LIMIT ?")
        params = ([prefix] if prefix else []) + args + [limit]
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def count_matching(self, *, after: tuple[str, str] | None = None,
                       start: str | None = None, end: str | None = None,
                       set_spec: str | None = None) -> int:
        """How many rows ``page`` would return in all: the list's ``completeListSize``."""
        where, args = _filters(after, start, end, set_spec)
        source = "set_members s" if set_spec else "records r"
        with self._lock:
            return self._db.execute(f"SELECT count(*) FROM {source}{where}", args).fetchone()[0]


def _filters(after: tuple[str, str] | None, start: str | None, end: str | None,
             set_spec: str | None) -> tuple[str, list[str]]:
    """The WHERE clause shared by paging and counting, on the table that carries the key."""
    key = "s" if set_spec else "r"
    clauses: list[str] = []
    args: list[str] = []
    if set_spec:
        clauses.append("s.set_spec = ?")
        args.append(set_spec)
    if after:
        clauses.append(f"({key}.updated, {key}.local_id) > (?, ?)")
        args.extend(after)
    if start:
        clauses.append(f"{key}.updated >= ?")
        args.append(start)
    if end:
        clauses.append(f"{key}.updated < ?")
        args.append(end)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args
