"""The works database, ``<data_dir>/works.sqlite3``: what the indexer knows between runs.

Tables: ``records`` (each mapped record's matching keys and current work id; small rows,
read and rewritten on every change), ``record_data`` (its canonical form as JSON, read
only to build documents and derive ids), ``record_isbns`` (ISBN-13 → record, for ISBN
matching), ``record_blocks`` (blocking key → record, ``aggregator.blocking``: the only
records a change tests for a title link), ``assignments`` (the work id each record last
belonged to, kept after the record goes, so ids survive deletions, re-harvests and
rebuilds), ``unmapped`` (records kept in the store that cannot be mapped, with the
reason) and ``state`` (the indexer's change-feed cursor). SQLite in WAL mode: the indexer
writes, anyone may read. Older files are brought up to date on open (JSON moved to
``record_data``, blocking keys filed); an older file raises ``WorkStoreError``; a damaged
one ``config.dbfile.DamagedFile`` with ``DAMAGED`` as its way out.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from aggregator.blocking import filed_keys
from aggregator.matching import MatchView
from aggregator.normalise.schema import NormalisedRecord
from config import dbfile
from config.sqlite import Transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    source TEXT NOT NULL, identifier TEXT NOT NULL, seq INTEGER NOT NULL,
    title_key TEXT NOT NULL, subtitle_key TEXT NOT NULL, work_id TEXT,
    match TEXT NOT NULL,
    PRIMARY KEY (source, identifier)) WITHOUT ROWID;
DROP INDEX IF EXISTS records_title;
DROP INDEX IF EXISTS records_block;
CREATE INDEX IF NOT EXISTS records_work ON records (work_id);
CREATE TABLE IF NOT EXISTS record_data (
    source TEXT NOT NULL, identifier TEXT NOT NULL, data TEXT NOT NULL,
    UNIQUE (source, identifier));
CREATE TABLE IF NOT EXISTS record_isbns (
    isbn TEXT NOT NULL, source TEXT NOT NULL, identifier TEXT NOT NULL,
    PRIMARY KEY (isbn, source, identifier)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS record_isbns_record ON record_isbns (source, identifier);
CREATE TABLE IF NOT EXISTS assignments (
    source TEXT NOT NULL, identifier TEXT NOT NULL, work_id TEXT NOT NULL,
    PRIMARY KEY (source, identifier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS unmapped (
    source TEXT NOT NULL, identifier TEXT NOT NULL, reason TEXT NOT NULL,
    metadata_prefix TEXT NOT NULL, datestamp TEXT NOT NULL,
    PRIMARY KEY (source, identifier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
BLOCKS_TABLE = """
CREATE TABLE IF NOT EXISTS record_blocks (
    block INTEGER NOT NULL, source TEXT NOT NULL, identifier TEXT NOT NULL,
    PRIMARY KEY (block, source, identifier)) WITHOUT ROWID;
"""
"""Blocking key (``blocking``, a 64-bit integer) → record; recreated when ``BLOCKING`` rises."""

_ENCODE = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
"""``json.dumps(..., ensure_ascii=False)`` without building an encoder per record."""
MEMBER = "source, identifier, work_id, match"
"""What matching reads of a record; its canonical form (``data``) is fetched only when asked."""
Key = tuple[str, str]
"""A record's (source, identifier)."""
DAMAGED = "restore it from a backup, or move it aside and run `jala index rebuild`"
"""The way out of a damaged works database (``config.dbfile``)."""
BLOCKING = 3
"""Version of ``blocking.filed_keys`` (3: keys hashed to 64-bit integers, title bits
first); a file whose ``record_blocks`` is older is refiled."""


class Member:
    """A mapped record as stored: matching reads only key, work id and view (a few hundred
    bytes); the canonical form is read (``fetch``) and parsed only when someone asks."""

    __slots__ = ("_data", "_fetch", "_record", "key", "view", "work_id")

    def __init__(self, key: Key, work_id: str | None, view: MatchView, data: str = "",
                 record: NormalisedRecord | None = None,
                 fetch: Callable[[Key], str] | None = None) -> None:
        self.key = key
        self.work_id = work_id
        self.view = view
        self._data = data
        self._record = record
        self._fetch = fetch

    @property
    def record(self) -> NormalisedRecord:
        """The canonical record (read and parsed only when someone asks)."""
        if self._record is None:
            if not self._data and self._fetch is not None:
                self._data = self._fetch(self.key)
            self._record = NormalisedRecord.from_dict(json.loads(self._data))
        return self._record


class WorkStoreError(Exception):
    """The works database cannot be used as it is (the message says why and what to do)."""


@dataclass(frozen=True)
class Unmapped:
    """A stored record the aggregator cannot index, and why."""

    source: str
    identifier: str
    reason: str
    metadata_prefix: str
    datestamp: str


class WorkStore:
    """Typed access to works.sqlite3; every write happens inside ``transaction()``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = dbfile.connect(self.path, DAMAGED, timeout=30, isolation_level=None,
                                 check_same_thread=False)
        self.db.execute("PRAGMA page_size=16384")  # new files: a record's JSON fits one page
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-65536")  # 64 MiB: title blocks and keys stay hot
        if {"source", "identifier"} <= self._columns() and "match" not in self._columns():
            self.db.close()
            raise WorkStoreError(f"{path} is from an early version this one cannot migrate: move "
                                 "it aside and run `jala index rebuild` (works get new ids)")
        self.db.executescript(SCHEMA + BLOCKS_TABLE)
        self.rows_read = 0  # records read for matching since opening (bench and tests count)
        self._any_unmapped = self.db.execute("SELECT EXISTS (SELECT 1 FROM unmapped)"
                                             ).fetchone()[0] == 1  # else put skips a DELETE
        self._move_data_out()
        self._file_blocks()

    def _columns(self) -> set[str]:
        """Column names of ``records`` as the file has it (empty for a new file)."""
        return {row[1] for row in self.db.execute("PRAGMA table_info(records)")}

    def _move_data_out(self) -> None:
        """Files written before ``record_data`` kept the JSON in ``records``: move it once."""
        if "data" in self._columns():
            with self.transaction():
                self.db.execute("INSERT OR REPLACE INTO record_data "
                                "SELECT source, identifier, data FROM records")
                self.db.execute("ALTER TABLE records DROP COLUMN data")

    def _file_blocks(self) -> None:
        """Files from before ``record_blocks`` (or an older ``BLOCKING``): file every record."""
        if self.get_state("blocking") == BLOCKING:
            return
        with self.transaction():
            self.db.execute("DROP TABLE IF EXISTS record_blocks")  # its key type may differ
            self.db.execute(BLOCKS_TABLE)
            rows = self.db.execute("SELECT source, identifier, match FROM records")
            self.db.executemany("INSERT OR IGNORE INTO record_blocks VALUES (?, ?, ?)", (
                (block, source, identifier) for source, identifier, match in rows
                for block in filed_keys(MatchView.from_json(match))))
            self.set_state("blocking", BLOCKING)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def transaction(self) -> Transaction:
        """``with works.transaction():`` BEGIN IMMEDIATE, then COMMIT or ROLLBACK."""
        return Transaction(self.db)

    def get_state(self, name: str) -> int:
        """An integer of the indexer's state (cursor, counters), 0 when never set."""
        row = self.db.execute("SELECT value FROM state WHERE name=?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def set_state(self, name: str, value: int) -> None:
        """Store an integer of the indexer's state."""
        self.db.execute("INSERT INTO state VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
                        "SET value=excluded.value", (name, value))

    def member(self, key: Key) -> Member | None:
        """One mapped record, or None."""
        row = self.db.execute(f"SELECT {MEMBER} FROM records WHERE source=? AND identifier=?",
                              key).fetchone()
        return self._members([row])[0] if row else None

    def member_and_assignment(self, key: Key) -> tuple[Member | None, str | None]:
        """A record as stored (or None) and the work id it last belonged to, even after it
        was deleted (or None): one statement, as every change asks both."""
        row = self.db.execute(
            "SELECT r.source, r.identifier, r.work_id, r.match, a.work_id "
            "FROM (SELECT ? AS source, ? AS identifier) k "
            "LEFT JOIN records r USING (source, identifier) "
            "LEFT JOIN assignments a USING (source, identifier)", key).fetchone()
        return (self._members([row[:4]])[0] if row[0] is not None else None), row[4]

    def _data(self, key: Key) -> str:
        """A record's canonical form as stored (JSON)."""
        return str(self.db.execute("SELECT data FROM record_data WHERE source=? AND "
                                   "identifier=?", key).fetchone()[0])

    def _members(self, rows: Iterable[tuple[str, str, str | None, str]]) -> list[Member]:
        """``Member``s from rows selected with ``MEMBER`` (one loop: a change reads ~20)."""
        view, fetch = MatchView.from_json, self._data
        members = [Member((source, identifier), work_id, view(match), fetch=fetch)
                   for source, identifier, work_id, match in rows]
        self.rows_read += len(members)
        return members

    def put(self, record: NormalisedRecord, seq: int, view: MatchView,
            work_id: str | None, previous: MatchView | None) -> None:
        """Insert or replace a mapped record, its ISBNs and blocking keys (``previous``: the
        stored version's view, None when the record is not stored)."""
        key = (record.source, record.identifier)
        self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (*key, seq, view.title_key, view.subtitle, work_id, view.to_json()))
        self.db.execute("INSERT OR REPLACE INTO record_data VALUES (?, ?, ?)",
                        (*key, _ENCODE(record.to_dict())))
        if self._any_unmapped:
            self.db.execute("DELETE FROM unmapped WHERE source=? AND identifier=?", key)
        if previous == view:
            return  # same view, so the same blocking keys and ISBNs: they stay as filed
        if previous is not None:
            self._unfile(key, previous)
            self.db.execute("DELETE FROM record_isbns WHERE source=? AND identifier=?", key)
        self.db.executemany("INSERT OR IGNORE INTO record_blocks VALUES (?, ?, ?)",
                            [(block, *key) for block in filed_keys(view)])
        if record.isbns:
            self.db.executemany("INSERT OR IGNORE INTO record_isbns VALUES (?, ?, ?)",
                                [(isbn, *key) for isbn in record.isbns])

    def remove(self, key: Key, view: MatchView) -> None:
        """Forget a record (deleted or now unmappable; ``view`` as stored); its assignment
        stays."""
        self._unfile(key, view)
        for table in ("records", "record_data", "record_isbns"):
            self.db.execute(f"DELETE FROM {table} WHERE source=? AND identifier=?", key)

    def _unfile(self, key: Key, view: MatchView) -> None:
        """Drop a stored record's blocking keys (recomputed from its stored view)."""
        self.db.executemany("DELETE FROM record_blocks WHERE block=? AND source=? AND "
                            "identifier=?", [(block, *key) for block in filed_keys(view)])

    def neighbours(self, probes: Iterable[str]) -> list[Member]:
        """Records filed under any of these blocking keys, once each, in key order."""
        probes = list(probes)
        if not probes:
            return []
        rows = self.db.execute(
            f"SELECT {MEMBER} FROM records WHERE (source, identifier) IN (SELECT source, "
            f"identifier FROM record_blocks WHERE block IN ({','.join('?' * len(probes))})) "
            "ORDER BY source, identifier", probes)
        return self._members(rows)

    def by_isbns(self, isbns: Iterable[str]) -> list[Member]:
        """Records carrying any of these ISBN-13s."""
        isbns = list(isbns)
        if not isbns:
            return []
        rows = self.db.execute(
            "SELECT DISTINCT r.source, r.identifier, r.work_id, r.match "
            "FROM record_isbns i "
            "JOIN records r USING (source, identifier) "
            f"WHERE i.isbn IN ({','.join('?' * len(isbns))})", isbns)
        return self._members(rows)

    def members(self, work_id: str) -> list[Member]:
        """Every record of a work, in key order, canonical forms read at once."""
        rows = self.db.execute(f"SELECT {MEMBER}, data FROM records JOIN record_data "
                               "USING (source, identifier) WHERE work_id=? "
                               "ORDER BY source, identifier", (work_id,))
        members = [Member((source, identifier), work, MatchView.from_json(match), data)
                   for source, identifier, work, match, data in rows]
        self.rows_read += len(members)
        return members

    def member_keys(self, work_id: str) -> list[Key]:
        """The records of a work, in key order, without reading their JSON."""
        return [(source, identifier) for source, identifier in self.db.execute(
            "SELECT source, identifier FROM records WHERE work_id=? ORDER BY source, identifier",
            (work_id,))]

    def holders(self, work_id: str) -> int:
        """How many records carry this work id now."""
        return int(self.db.execute("SELECT count(*) FROM records WHERE work_id=?",
                                   (work_id,)).fetchone()[0])

    def set_work(self, keys: Iterable[Key], work_id: str, remember: bool) -> None:
        """Put records in a work; ``remember`` also records it as their assignment."""
        rows = [(work_id, *key) for key in keys]
        self.db.executemany("UPDATE records SET work_id=? WHERE source=? AND identifier=?",
                            rows)
        if remember:
            self.db.executemany("INSERT OR REPLACE INTO assignments (work_id, source, "
                                "identifier) VALUES (?, ?, ?)", rows)

    def temporary_works(self, page: int = 1000) -> Iterator[str]:
        """Works with a temporary id (``t<n>``), biggest first, streamed."""
        self.db.execute("DROP TABLE IF EXISTS temp.pending")
        self.db.execute(
            "CREATE TEMP TABLE pending AS SELECT work_id, count(*) AS size, "
            "min(source || char(31) || identifier) AS first FROM records "
            "WHERE work_id LIKE 't%' GROUP BY work_id ORDER BY size DESC, first")
        after = 0
        while rows := self.db.execute("SELECT rowid, work_id FROM temp.pending WHERE rowid > ? "
                                      "ORDER BY rowid LIMIT ?", (after, page)).fetchall():
            yield from (work_id for _, work_id in rows)
            after = rows[-1][0]
        self.db.execute("DROP TABLE temp.pending")

    def remembered_votes(self, work_id: str) -> Counter[str]:
        """How many of a work's records remember each earlier work id."""
        return Counter(dict(self.db.execute(
            "SELECT a.work_id, count(*) FROM records r JOIN assignments a "
            "USING (source, identifier) WHERE r.work_id=? GROUP BY a.work_id", (work_id,))))

    def rename_work(self, old: str, new: str) -> None:
        """Give a whole work a new id and remember it for each of its records."""
        self.db.execute("UPDATE records SET work_id=? WHERE work_id=?", (new, old))
        self.db.execute("INSERT OR REPLACE INTO assignments SELECT source, identifier, "
                        "work_id FROM records WHERE work_id=?", (new,))

    def iter_works(self, page: int = 2000) -> Iterator[tuple[str, list[NormalisedRecord]]]:
        """Every work with its records, in work id order, streamed page by page."""
        current: str | None = None
        group: list[NormalisedRecord] = []
        after: tuple[str, str, str] = ("", "", "")
        while True:
            rows = self.db.execute(
                "SELECT work_id, source, identifier, data FROM records JOIN record_data "
                "USING (source, identifier) WHERE work_id IS NOT NULL "
                "AND (work_id, source, identifier) > (?, ?, ?) "
                "ORDER BY work_id, source, identifier LIMIT ?", (*after, page)).fetchall()
            if not rows:
                break
            for work_id, _source, _identifier, data in rows:
                if work_id != current and group:
                    yield current, group  # type: ignore[misc]
                    group = []
                current = work_id
                group.append(NormalisedRecord.from_dict(json.loads(data)))
            after = rows[-1][:3]
        if group:
            yield current, group  # type: ignore[misc]

    def count_works(self) -> int:
        """Number of distinct works."""
        return int(self.db.execute("SELECT count(DISTINCT work_id) FROM records").fetchone()[0])

    def clear_records(self) -> None:
        """Drop every mapped record and the unmapped list (assignments stay)."""
        for table in ("records", "record_data", "record_isbns", "record_blocks", "unmapped"):
            self.db.execute(f"DELETE FROM {table}")

    def put_unmapped(self, item: Unmapped) -> None:
        """Remember a record we cannot index, and why."""
        self._any_unmapped = True
        self.db.execute("INSERT OR REPLACE INTO unmapped VALUES (?, ?, ?, ?, ?)",
                        (item.source, item.identifier, item.reason, item.metadata_prefix,
                         item.datestamp))

    def drop_unmapped(self, key: Key) -> None:
        """A record that was deleted is no longer waiting to be mapped."""
        self.db.execute("DELETE FROM unmapped WHERE source=? AND identifier=?", key)

    def unmapped(self, source: str | None = None, limit: int = 1000) -> list[Unmapped]:
        """Records we cannot index, by source and identifier."""
        where, args = ("WHERE source=?", (source,)) if source else ("", ())
        rows = self.db.execute(f"SELECT * FROM unmapped {where} ORDER BY source, identifier "
                               "LIMIT ?", (*args, limit))
        return [Unmapped(*row) for row in rows]
