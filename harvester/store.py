"""The record store: every harvested record, durable, so the index can be rebuilt offline.

SQLite in WAL mode at ``<data_dir>/records.sqlite3`` (``RecordStore.at(settings)``).
Readers (the aggregator) may open it from any process while the harvester writes.

Table ``records``, one row per ``(source, identifier)``:
``datestamp`` (UTC ISO 8601 ``YYYY-MM-DDThh:mm:ssZ``), ``deleted`` (0/1),
``metadata_prefix``, ``metadata`` (raw XML of the single child of ``<metadata>``, declaring
the namespaces it uses; NULL when deleted), ``set_specs`` (JSON list), ``harvested_at``
(UTC time this version was stored), ``seq`` (store-wide counter bumped on every insert, change or
deletion; an unchanged re-harvested record keeps its seq) and ``generation`` (the number
of the last full listing that saw it, used to sweep records a provider silently dropped).

Reading API (the aggregator's contract):
- ``changes(after_seq, limit=1000, until_seq=None) -> list[StoredRecord]`` in seq order,
  deletions included, and ``batch_end(after_seq, limit)``, the seq such a batch ends at;
- ``last_seq() -> int``;
- ``iter_records(source=None, include_deleted=False) -> Iterator[StoredRecord]`` (streamed);
- ``count(source=None, include_deleted=False) -> int``.

Writing API (the harvester's): ``write_records(db, records, generation)`` and
``sweep(db, source, generation)`` inside ``with store.transaction() as db`` (what a sweep
would tombstone: ``unlisted(source, generation)``, confirmed first by ``harvester.confirm``);
``harvester.state.commit_page`` stores one page and the source's resumption checkpoint in
one transaction, so a kill at any moment loses and duplicates nothing. Per-source state
(``harvester.state``: high-water mark, checkpoint, schedule) and the run log
(``harvester.runs``) live in the same file.

Errors: ``StoreError`` when the file cannot be opened or a write begun; a damaged file is
``config.dbfile.DamagedFile`` (behind the ``StoreError`` on open), with ``DAMAGED`` as its
way out.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config import dbfile
from config.sqlite import Transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    source TEXT NOT NULL,
    identifier TEXT NOT NULL,
    datestamp TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    metadata_prefix TEXT NOT NULL,
    metadata TEXT,
    set_specs TEXT NOT NULL DEFAULT '[]',
    harvested_at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    generation INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, identifier)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS records_seq ON records (seq);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counters VALUES ('seq', 0);
"""

DAMAGED = ("restore it from a backup, or move it aside, harvest every source again with "
           "`jala harvest --full` and then run `jala index rebuild`")
"""The way out of a damaged record store (``config.dbfile``)."""
COLUMNS = ("source, identifier, datestamp, deleted, metadata_prefix, metadata, set_specs, "
           "harvested_at, seq")


class StoreError(Exception):
    """The record store cannot be opened or written (a local failure, never the provider's)."""


def utc_now() -> str:
    """Current UTC time in the store's ISO 8601 form."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class StoredRecord:
    """One harvested record as stored; ``metadata`` is None for a deletion."""

    source: str
    identifier: str
    datestamp: str
    deleted: bool
    metadata_prefix: str
    metadata: str | None
    set_specs: list[str] = field(default_factory=list)
    harvested_at: str = ""
    seq: int = 0

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> StoredRecord:
        """Build from a row selected with ``COLUMNS``."""
        source, identifier, datestamp, deleted, prefix, metadata, sets, harvested, seq = row
        return cls(source, identifier, datestamp, bool(deleted), prefix, metadata,
                   json.loads(sets), harvested, seq)


@dataclass
class PageOutcome:
    """What storing one page changed."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


class RecordStore:
    """SQLite WAL record store; one connection per thread, safe to share between threads."""

    def __init__(self, path: Path, create: bool = True) -> None:
        """Open (and with ``create``, make or bring up to date) the store; a reader that
        only follows an existing store's change feed, such as a normalising worker, passes
        ``create=False`` and so never takes the write lock."""
        self.path = Path(path)
        self._local = threading.local()
        if not create:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db.executescript(SCHEMA)
        from harvester import runs, state  # their tables live in the same file

        state.create_tables(self)
        runs.create_tables(self)

    @classmethod
    def at(cls, settings: Any) -> RecordStore:
        """The store under ``settings.data_dir``."""
        return cls(settings.data_path("records.sqlite3"))

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; transactions are explicit)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = dbfile.connect(self.path, DAMAGED, timeout=30, isolation_level=None,
                                      check_same_thread=False)
                # 16 KiB pages hold several ~2.5 KB records each; with the default 4 KiB a
                # record spills into overflow pages (this table is WITHOUT ROWID), which
                # doubled both the file and the time to write it. Only a new file takes it.
                conn.execute("PRAGMA page_size=16384")
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA busy_timeout=30000")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open record store {self.path}: {exc}") from exc
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def transaction(self) -> Transaction:
        """A write transaction (BEGIN IMMEDIATE) on this thread's connection."""
        return Transaction(self.db, StoreError)

    # -- reading -------------------------------------------------------------------------

    def changes(self, after_seq: int, limit: int = 1000,
                until_seq: int | None = None) -> list[StoredRecord]:
        """Records changed after ``after_seq`` (and up to ``until_seq``), oldest change
        first, deletions included."""
        bound, args = ("", ()) if until_seq is None else (" AND seq <= ?", (until_seq,))
        rows = self.db.execute(
            f"SELECT {COLUMNS} FROM records WHERE seq > ?{bound} ORDER BY seq LIMIT ?",
            (after_seq, *args, limit))
        return [StoredRecord.from_row(r) for r in rows]

    def batch_end(self, after_seq: int, limit: int = 1000) -> int | None:
        """The seq that ends the next ``changes(after_seq, limit)`` batch (None: no
        changes), read from the seq index alone, so batches can be handed out ahead."""
        row = self.db.execute("SELECT max(seq) FROM (SELECT seq FROM records WHERE seq > ? "
                              "ORDER BY seq LIMIT ?)", (after_seq, limit)).fetchone()
        return None if row[0] is None else int(row[0])

    def last_seq(self) -> int:
        """The highest seq handed out so far (0 for an empty store)."""
        row = self.db.execute("SELECT value FROM counters WHERE name='seq'").fetchone()
        return int(row[0])

    def iter_records(self, source: str | None = None,
                     include_deleted: bool = False) -> Iterator[StoredRecord]:
        """Stream records (of one source or all), in (source, identifier) order."""
        where, args = _filter(source, include_deleted)
        cursor = self.db.execute(
            f"SELECT {COLUMNS} FROM records{where} ORDER BY source, identifier", args)
        while batch := cursor.fetchmany(500):
            yield from (StoredRecord.from_row(r) for r in batch)

    def per_month(self) -> list[tuple[str, str, int]]:
        """(source, ``YYYY-MM`` of the datestamp, live records): the census's growth chart."""
        return [tuple(row) for row in self.db.execute(
            "SELECT source, substr(datestamp, 1, 7) AS month, count(*) FROM records "
            "WHERE deleted = 0 GROUP BY source, month")]

    def count(self, source: str | None = None, include_deleted: bool = False) -> int:
        """Number of records (live only unless ``include_deleted``)."""
        where, args = _filter(source, include_deleted)
        return int(self.db.execute(f"SELECT count(*) FROM records{where}", args).fetchone()[0])

    def get(self, source: str, identifier: str) -> StoredRecord | None:
        """One record, or None when never harvested."""
        row = self.db.execute(f"SELECT {COLUMNS} FROM records WHERE source=? AND identifier=?",
                              (source, identifier)).fetchone()
        return StoredRecord.from_row(row) if row else None

    def datestamps(self, source: str, identifiers: list[str]) -> dict[str, tuple[str, bool]]:
        """Stored (datestamp, deleted) of the given identifiers that exist."""
        found: dict[str, tuple[str, bool]] = {}
        for start in range(0, len(identifiers), 500):
            chunk = identifiers[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for ident, stamp, deleted in self.db.execute(
                    f"SELECT identifier, datestamp, deleted FROM records "
                    f"WHERE source=? AND identifier IN ({marks})", (source, *chunk)):
                found[ident] = (stamp, bool(deleted))
        return found

    # -- writing -------------------------------------------------------------------------

    def write_records(self, db: sqlite3.Connection, records: Iterable[StoredRecord],
                      generation: int = 0) -> PageOutcome:
        """Upsert records inside the caller's transaction, bumping seq only on change."""
        records = list({r.identifier: r for r in records}.values())
        outcome = PageOutcome()
        if not records:
            return outcome
        source = records[0].source
        existing: dict[str, tuple[Any, ...]] = {}
        for start in range(0, len(records), 500):
            chunk = [r.identifier for r in records[start:start + 500]]
            marks = ",".join("?" * len(chunk))
            for row in db.execute(
                    f"SELECT identifier, datestamp, deleted, metadata_prefix, metadata, "
                    f"set_specs FROM records WHERE source=? AND identifier IN ({marks})",
                    (source, *chunk)):
                existing[row[0]] = row[1:]
        seq = self.last_seq_in(db)
        now = utc_now()
        writes, touches = [], []
        for record in records:
            sets = _sets_json(tuple(record.set_specs))
            values = (record.datestamp, int(record.deleted), record.metadata_prefix,
                      None if record.deleted else record.metadata, sets)
            old = existing.get(record.identifier)
            if old is not None and tuple(old) == values:
                outcome.unchanged += 1
                touches.append(record.identifier)
                continue
            if record.deleted:
                outcome.deleted += 0 if old is not None and old[1] else 1
            elif old is None or old[1]:
                outcome.added += 1
            else:
                outcome.updated += 1
            seq += 1
            writes.append((source, record.identifier, *values, now, seq, generation))
        db.executemany(
            "INSERT INTO records (source, identifier, datestamp, deleted, metadata_prefix, "
            "metadata, set_specs, harvested_at, seq, generation) VALUES (?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (source, identifier) DO UPDATE SET datestamp=excluded.datestamp, "
            "deleted=excluded.deleted, metadata_prefix=excluded.metadata_prefix, "
            "metadata=excluded.metadata, set_specs=excluded.set_specs, "
            "harvested_at=excluded.harvested_at, seq=excluded.seq, "
            "generation=excluded.generation", writes)
        if generation:
            self.touch(db, source, touches, generation)
        db.execute("UPDATE counters SET value=? WHERE name='seq'", (seq,))
        return outcome

    @staticmethod
    def touch(db: sqlite3.Connection, source: str, identifiers: Iterable[str],
              generation: int) -> None:
        """Mark records as seen by listing ``generation`` without changing them."""
        db.executemany("UPDATE records SET generation=? WHERE source=? AND identifier=?",
                       [(generation, source, i) for i in identifiers])

    @staticmethod
    def last_seq_in(db: sqlite3.Connection) -> int:
        """The seq counter as seen inside a transaction."""
        return int(db.execute("SELECT value FROM counters WHERE name='seq'").fetchone()[0])

    def unlisted(self, source: str, generation: int) -> list[str]:
        """Live records of ``source`` that listing ``generation`` has not seen: what it sweeps."""
        return [r[0] for r in self.db.execute(
            "SELECT identifier FROM records WHERE source=? AND deleted=0 AND generation<? "
            "ORDER BY identifier", (source, generation))]

    def sweep(self, db: sqlite3.Connection, source: str, generation: int) -> int:
        """Mark deleted every live record of ``source`` not seen by listing ``generation``."""
        stale = [r[0] for r in db.execute(
            "SELECT identifier FROM records WHERE source=? AND deleted=0 AND generation<?",
            (source, generation))]
        seq = self.last_seq_in(db)
        now = utc_now()
        rows = []
        for identifier in stale:
            seq += 1
            rows.append((now, seq, source, identifier))
        db.executemany("UPDATE records SET deleted=1, metadata=NULL, harvested_at=?, seq=? "
                       "WHERE source=? AND identifier=?", rows)
        db.execute("UPDATE counters SET value=? WHERE name='seq'", (seq,))
        return len(stale)


@functools.lru_cache(maxsize=4096)
def _sets_json(set_specs: tuple[str, ...]) -> str:
    """The stored form of a set list; a catalogue has few distinct ones, so encode each once."""
    return json.dumps(list(set_specs))


def _filter(source: str | None, include_deleted: bool) -> tuple[str, tuple[Any, ...]]:
    """WHERE clause for the source/deleted filters used by count and iter_records."""
    clauses, args = [], []
    if source is not None:
        clauses.append("source=?")
        args.append(source)
    if not include_deleted:
        clauses.append("deleted=0")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(args)
