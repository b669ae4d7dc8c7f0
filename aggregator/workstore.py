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
``record_data``, blocking keys filed: ``aggregator.workschema``); one too old raises
``WorkStoreError``; a damaged one ``config.dbfile.DamagedFile`` with ``DAMAGED`` as its
way out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from aggregator.blocking import filed_keys
from aggregator.member import Key, Member, parse_records
from aggregator.normalise.schema import NormalisedRecord
from aggregator.workschema import get_state, set_state, upgrade
from config import dbfile
from config.sqlite import Transaction, chunks, keys_table

MEMBER = "source, identifier, work_id, match"
"""What matching reads of a record; its canonical form (``data``) is fetched only when asked."""
DAMAGED = "restore it from a backup, or move it aside and run `jala index rebuild`"
"""The way out of a damaged works database (``config.dbfile``)."""


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
        upgrade(self.db, self.path, WorkStoreError)
        self.rows_read = 0  # records read for matching since opening (bench and tests count)
        self._any_unmapped = self.db.execute("SELECT EXISTS (SELECT 1 FROM unmapped)"
                                             ).fetchone()[0] == 1  # else put skips a DELETE

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def transaction(self) -> Transaction:
        """``with works.transaction():`` BEGIN IMMEDIATE, then COMMIT or ROLLBACK."""
        return Transaction(self.db)

    def get_state(self, name: str) -> int:
        """An integer of the indexer's state (cursor, counters), 0 when never set."""
        return get_state(self.db, name)

    def set_state(self, name: str, value: int) -> None:
        """Store an integer of the indexer's state."""
        set_state(self.db, name, value)

    def member(self, key: Key) -> Member | None:
        """One mapped record, or None."""
        return self.stored([key])[key][0]

    def stored(self, keys: list[Key], assignments: bool = True
               ) -> dict[Key, tuple[Member | None, str | None]]:
        """Each record as stored (or None) and the work id it last belonged to, even after
        it was deleted (None, or not read without ``assignments``): one statement per 400
        records, as every change asks both."""
        found: dict[Key, tuple[Member | None, str | None]] = {}
        column, join = ("a.work_id", "LEFT JOIN assignments a USING (source, identifier)"
                        ) if assignments else ("NULL", "")
        for chunk in chunks(keys, 400):
            rows = self.db.execute(
                f"{keys_table(len(chunk))}SELECT k.source, k.identifier, r.work_id, r.match, "
                f"{column} FROM k LEFT JOIN records r USING (source, identifier) {join}",
                [part for key in chunk for part in key]).fetchall()
            members = iter(self._members(row[:4] for row in rows if row[3] is not None))
            for source, identifier, _, match, remembered in rows:
                found[source, identifier] = (next(members) if match else None, remembered)
        return found

    def _data(self, key: Key) -> str:
        """A record's canonical form as stored (JSON)."""
        return str(self.db.execute("SELECT data FROM record_data WHERE source=? AND "
                                   "identifier=?", key).fetchone()[0])

    def _members(self, rows: Iterable[tuple[str, str, str | None, str]]) -> list[Member]:
        """``Member``s from rows selected with ``MEMBER`` (one loop: a change reads ~20)."""
        fetch = self._data
        members = [Member((source, identifier), work_id, match, fetch=fetch)
                   for source, identifier, work_id, match in rows]
        self.rows_read += len(members)
        return members

    def put_many(self, puts: list[tuple[Member, int, Member | None]], remember: bool) -> None:
        """Insert or replace mapped records (new version with its canonical JSON and work
        id, seq, stored version or None), their ISBNs and blocking keys, one ``executemany`` per
        table; ``remember`` also records their work ids as their assignments."""
        self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?, ?)", [
            (*new.key, seq, new.view.title_key, new.view.subtitle, new.work_id, new.match)
            for new, seq, _ in puts])
        self.db.executemany("INSERT OR REPLACE INTO record_data VALUES (?, ?, ?)", [
            (*new.key, new.data) for new, _, _ in puts])
        if self._any_unmapped:
            self.db.executemany("DELETE FROM unmapped WHERE source=? AND identifier=?",
                                [new.key for new, _, _ in puts])
        moved = [(new, old) for new, _, old in puts if old is None or old.view != new.view]
        self._unfile([old for _, old in moved if old is not None])  # same view: kept as filed
        self.db.executemany("INSERT OR IGNORE INTO record_blocks VALUES (?, ?, ?)", [
            (block, *new.key) for new, _ in moved for block in filed_keys(new.view)])
        self.db.executemany("INSERT OR IGNORE INTO record_isbns VALUES (?, ?, ?)", [
            (isbn, *new.key) for new, _ in moved for isbn in sorted(new.view.isbns)])
        if remember:
            self.db.executemany("INSERT OR REPLACE INTO assignments (work_id, source, "
                                "identifier) VALUES (?, ?, ?)", [
                                    (new.work_id, *new.key) for new, _, _ in puts])

    def remove_many(self, gone: list[Member]) -> None:
        """Forget stored records (deleted or now unmappable); their assignments stay."""
        self._unfile(gone)
        for table in ("records", "record_data"):
            self.db.executemany(f"DELETE FROM {table} WHERE source=? AND identifier=?",
                                [old.key for old in gone])

    def _unfile(self, stored: list[Member]) -> None:
        """Drop stored records' blocking keys (recomputed from their stored views) and ISBNs."""
        self.db.executemany("DELETE FROM record_blocks WHERE block=? AND source=? AND "
                            "identifier=?", [(block, *old.key) for old in stored
                                             for block in filed_keys(old.view)])
        self.db.executemany("DELETE FROM record_isbns WHERE source=? AND identifier=?",
                            [old.key for old in stored if old.view.isbns])

    def neighbours(self, probes: tuple[int, ...]) -> list[Member]:
        """Records filed under any of these blocking keys, once each, in key order (one
        statement per set of keys: measured faster than one for a whole batch's keys,
        which returns every record once per key it shares)."""
        if not probes:
            return []
        rows = self.db.execute(
            f"SELECT {MEMBER} FROM records WHERE (source, identifier) IN (SELECT source, "
            f"identifier FROM record_blocks WHERE block IN ({','.join('?' * len(probes))})) "
            "ORDER BY source, identifier", probes)
        return self._members(rows.fetchall())

    def by_isbns(self, isbns: frozenset[str]) -> list[Member]:
        """Records carrying any of these ISBN-13s."""
        if not isbns:
            return []
        rows = self.db.execute(
            "SELECT DISTINCT r.source, r.identifier, r.work_id, r.match "
            "FROM record_isbns i "
            "JOIN records r USING (source, identifier) "
            f"WHERE i.isbn IN ({','.join('?' * len(isbns))})", sorted(isbns))
        return self._members(rows.fetchall())

    def works_members(self, work_ids: Iterable[str]) -> dict[str, list[Member]]:
        """Every record of each work, in key order, its canonical form read only when a
        member's ``record`` is asked for."""
        found: dict[str, list[Member]] = {}
        for chunk in chunks(sorted(set(work_ids)), 900):
            rows = self.db.execute(
                f"SELECT {MEMBER} FROM records WHERE work_id IN "
                f"({','.join('?' * len(chunk))}) ORDER BY work_id, source, identifier", chunk)
            for source, identifier, work, match in rows.fetchall():
                found.setdefault(work, []).append(Member(
                    (source, identifier), work, match, fetch=self._data))
        self.rows_read += sum(len(members) for members in found.values())
        return found

    def works_data(self, work_ids: Iterable[str]) -> dict[str, list[str]]:
        """The canonical forms (JSON) of each work's records, in key order, for building
        documents (absent: the work has none)."""
        found: dict[str, list[str]] = {}
        for chunk in chunks(sorted(set(work_ids)), 900):
            for work_id, data in self.db.execute(
                    "SELECT work_id, data FROM records JOIN record_data USING (source, "
                    f"identifier) WHERE work_id IN ({','.join('?' * len(chunk))}) "
                    "ORDER BY work_id, source, identifier", chunk):
                found.setdefault(work_id, []).append(data)
        return found

    def members(self, work_id: str) -> list[Member]:
        """Every record of a work, in key order, canonical forms read when asked for."""
        return self.works_members([work_id]).get(work_id, [])

    def member_keys_of(self, work_ids: Iterable[str]) -> dict[str, list[Key]]:
        """The records of each work (absent: none), in key order, without their JSON."""
        found: dict[str, list[Key]] = {}
        for chunk in chunks(sorted(set(work_ids)), 900):
            for work_id, source, identifier in self.db.execute(
                    "SELECT work_id, source, identifier FROM records WHERE work_id IN "
                    f"({','.join('?' * len(chunk))}) ORDER BY work_id, source, identifier",
                    chunk):
                found.setdefault(work_id, []).append((source, identifier))
        return found

    def holders(self, work_id: str) -> int:
        """How many records carry this work id now."""
        return self.holders_of([work_id])[work_id]

    def holders_of(self, work_ids: Iterable[str]) -> Counter[str]:
        """How many records carry each of these work ids now (absent: none)."""
        held: Counter[str] = Counter()
        for chunk in chunks(sorted(set(work_ids)), 900):
            held.update(dict(self.db.execute(
                "SELECT work_id, count(*) FROM records WHERE work_id IN "
                f"({','.join('?' * len(chunk))}) GROUP BY work_id", chunk).fetchall()))
        return held

    def set_works(self, rows: list[tuple[str, str, str]], remember: bool) -> None:
        """Put records in works (work id, source, identifier); ``remember`` also records
        each as the record's assignment."""
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

    def rename_works(self, renames: list[tuple[str, str]]) -> None:
        """Give whole works new ids ((old, new) pairs) and remember them for each of their
        records: a handful of statements for any number of works, not two per work."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS renames (old TEXT PRIMARY KEY, "
                        "new TEXT NOT NULL) WITHOUT ROWID")
        self.db.executemany("INSERT INTO temp.renames VALUES (?, ?)", renames)
        self.db.execute("UPDATE records SET work_id = (SELECT new FROM temp.renames WHERE "
                        "old = records.work_id) WHERE work_id IN (SELECT old FROM temp.renames)")
        self.db.execute("INSERT OR REPLACE INTO assignments SELECT r.source, r.identifier, "
                        "r.work_id FROM temp.renames n JOIN records r ON r.work_id = n.new")
        self.db.execute("DELETE FROM temp.renames")

    def iter_works(self, page: int = 2000) -> Iterator[tuple[str, list[NormalisedRecord]]]:
        """Every work with its records, in work id order, streamed page by page."""
        for work_id, data in self.iter_work_data(page):
            yield work_id, parse_records(data)

    def iter_work_data(self, page: int = 2000) -> Iterator[tuple[str, list[str]]]:
        """Every work with its records' canonical forms as stored (JSON), in work id
        order, streamed page by page (parsed where they are used: perhaps a worker)."""
        current: str | None = None
        group: list[str] = []
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
                group.append(data)
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
        if self._any_unmapped:
            self.db.execute("DELETE FROM unmapped WHERE source=? AND identifier=?", key)

    def unmapped(self, source: str | None = None, limit: int = 1000) -> list[Unmapped]:
        """Records we cannot index, by source and identifier."""
        where, args = ("WHERE source=?", (source,)) if source else ("", ())
        rows = self.db.execute(f"SELECT * FROM unmapped {where} ORDER BY source, identifier "
                               "LIMIT ?", (*args, limit))
        return [Unmapped(*row) for row in rows]

