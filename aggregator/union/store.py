"""The union table: one row per published work, in the node catalogue's file layout.

The OAI tables (``records``, ``fragments``, ``set_members``, ``set_names``, ``meta``) are
those of ``node_adapter.catalogue``, so the node's ``Catalogue`` reads them and the one
``Provider`` serves them; ``records.content`` holds the work's canonical content
(``render.publication``), NULL once the work is deleted. The union's own tables:
``union_members`` (which work each member record last belonged to), ``union_successors``
(the work a vanished one was merged into, noted when a member record moves) and
``union_sync`` (the ids a whole-catalogue ``sync`` has seen so far). ``publish`` takes the
works one indexer batch touched: a work whose content is unchanged keeps its datestamp; a
changed one gets the batch's stamp; a vanished one, or one no member lets us republish,
becomes a persistent tombstone.

Errors: ``sqlite3.Error`` propagates (a damaged file as ``config.dbfile.DamagedFile``,
with ``DAMAGED`` as its way out); ``publish`` is one transaction and changes nothing
when it fails (the indexer's batch then replays).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from pathlib import Path

from aggregator.model import Work
from aggregator.union.config import load_union_config, republishes
from aggregator.union.render import Publication, fragments, publication
from aggregator.workstore import Key, WorkStore
from config import dbfile
from config.network import Source, load_sources
from config.province import Province, load_province
from config.settings import Settings
from config.sqlite import chunks, keys_table
from node_adapter.catalogue import Catalogue
from node_adapter.merge import Merger, with_parents
from node_adapter.oai.response import header_tail

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS union_members (source TEXT NOT NULL, identifier TEXT NOT NULL,"
    " work_id TEXT NOT NULL, PRIMARY KEY (source, identifier)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS union_members_by_work ON union_members (work_id)",
    "CREATE TABLE IF NOT EXISTS union_successors (work_id TEXT PRIMARY KEY,"
    " successor TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS union_sync (work_id TEXT PRIMARY KEY) WITHOUT ROWID",
)
_BATCH = 500
DAMAGED = "move it aside and run `jala index rebuild`, which publishes every work again"
"""The way out of a damaged union catalogue (``config.dbfile``)."""
MembersOf = Callable[[Work], Iterable[Key]]
"""The member records of a work: how a record that moved is noticed, naming a successor."""


@dataclass
class PublishReport:
    """What one ``publish`` call changed in the feed."""

    changed: int = 0
    unchanged: int = 0
    deleted: int = 0


class UnionStore:
    """The published works of the province, kept by the indexer and read by the provider."""

    def __init__(self, path: Path, libraries: Mapping[str, Source], province: Province,
                 members: MembersOf | None = None) -> None:
        self.catalogue = Catalogue(path, DAMAGED)
        self.libraries = libraries
        self.province = province
        self.members = members or _holding_keys
        with self.catalogue.stamped_transaction() as (db, _):
            for statement in _SCHEMA:
                db.execute(statement)
        self._reader = dbfile.connect(path, DAMAGED, check_same_thread=False)
        self._reading = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, members: MembersOf | None = None) -> UnionStore:
        """The union table ``[union] database`` names, with the registry and the province."""
        return cls(load_union_config(settings).database,
                   {source.id: source for source in load_sources(settings)},
                   load_province(settings), members)

    def close(self) -> None:
        """Release the file."""
        self._reader.close()
        self.catalogue.close()

    def visible(self, work: Work) -> Work:
        """The work with only the holdings of members that allow re-publication."""
        kept = [h for h in work.holdings if republishes(self.libraries.get(h.library_id))]
        return work if len(kept) == len(work.holdings) else replace(work, holdings=kept)

    def publish(self, documents: Iterable[Work], gone: Iterable[str],
                now: datetime | None = None) -> PublishReport:
        """Bring the feed in step with one batch: the works it touched and the ids it lost."""
        return self._publish(documents, gone, now, syncing=False)

    def sync(self, works: Iterable[Work], now: datetime | None = None) -> PublishReport:
        """Publish a whole stream of works (after a rebuild); the ones it lacks are deleted."""
        total = PublishReport()
        with self.catalogue.stamped_transaction() as (db, _):
            db.execute("DELETE FROM union_sync")
        stream = iter(works)
        while batch := list(islice(stream, _BATCH)):
            _add(total, self._publish(batch, [], now, syncing=True))
        missing = "SELECT local_id FROM records WHERE content IS NOT NULL AND local_id > ?" \
            " AND local_id NOT IN (SELECT work_id FROM union_sync) ORDER BY local_id LIMIT ?"
        while rows := self._read(missing, ("", _BATCH)):
            _add(total, self._publish([], [row[0] for row in rows], now, syncing=False))
        return total

    def _publish(self, documents: Iterable[Work], gone: Iterable[str], now: datetime | None,
                 syncing: bool) -> PublishReport:
        """``publish``; when ``syncing``, also note each work as seen by the running sync."""
        report = PublishReport()
        with self.catalogue.stamped_transaction(now) as (db, when):
            seen: list[tuple[str]] = []
            for work in documents:
                _remember_members(db, work.id, self.members(work))
                if syncing:
                    seen.append((work.id,))
                shown = self.visible(work)
                if shown.holdings:
                    self._put(db, when, publication(shown, self.province), shown, report)
                else:
                    _tombstone(db, when, work.id, report)
            if syncing:
                db.executemany("INSERT OR IGNORE INTO union_sync VALUES (?)", seen)
            for work_id in gone:
                db.execute("DELETE FROM union_members WHERE work_id = ?", (work_id,))
                _tombstone(db, when, work_id, report)
        return report

    def live(self, prefix: str, page: int = 1000) -> Iterator[tuple[str, str, str]]:
        """``(work id, content, fragment in prefix)`` of every live work, streamed in id order."""
        last = ""
        while True:
            rows = self._read(
                "SELECT r.local_id, r.content, f.xml FROM records r JOIN fragments f"
                " ON f.local_id = r.local_id AND f.prefix = ? WHERE r.content IS NOT NULL"
                " AND r.local_id > ? ORDER BY r.local_id LIMIT ?", (prefix, last, page))
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def counts(self) -> tuple[int, int]:
        """Live works and tombstones."""
        live = self.catalogue.count()
        return live, self.catalogue.count(include_deleted=True) - live

    def successor(self, work_id: str) -> str | None:
        """The work a deleted one was merged into, if it was merged rather than removed."""
        rows = self._read("SELECT s.successor FROM union_successors s JOIN records r"
                          " ON r.local_id = s.work_id WHERE s.work_id = ?"
                          " AND r.content IS NULL", (work_id,))
        return rows[0][0] if rows else None

    def _read(self, sql: str, args: tuple[object, ...]) -> list[tuple]:
        """One query on the reading connection (never waits for the writer, in WAL)."""
        with self._reading:
            return self._reader.execute(sql, args).fetchall()

    def _put(self, db: sqlite3.Connection, when: str, item: Publication, work: Work,
             report: PublishReport) -> None:
        """Store a live work unless its content is what the feed already says."""
        row = db.execute("SELECT content, updated, sets FROM records WHERE local_id = ?",
                         (item.work_id,)).fetchone()
        if row is not None and row[0] == item.content:
            report.unchanged += 1
            return
        report.changed += 1
        if row is not None:
            db.executemany("DELETE FROM set_members WHERE set_spec = ? AND updated = ?"
                           " AND local_id = ?",
                           [(spec, row[1], item.work_id) for spec in with_parents(row[2])])
        leaves = item.leaves()
        db.execute("INSERT INTO records (local_id, content, created, updated, sets, head)"
                   " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (local_id) DO UPDATE SET"
                   " content = excluded.content, updated = excluded.updated,"
                   " sets = excluded.sets, head = excluded.head",
                   (item.work_id, item.content, when, when, leaves,
                    header_tail(item.work_id, when, leaves)))
        db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?, ?)",
                       [(item.work_id, prefix, xml)
                        for prefix, xml in fragments(work, when).items()])
        db.executemany("INSERT INTO set_members VALUES (?, ?, ?)",
                       [(spec, when, item.work_id) for spec in with_parents(leaves)])
        db.executemany("INSERT OR IGNORE INTO set_names VALUES (?, ?)", item.sets)
        db.execute("DELETE FROM union_successors WHERE work_id = ?", (item.work_id,))


def workstore_members(works: WorkStore) -> MembersOf:
    """Every record of a work, as the works database has it (all of them, not one per library)."""
    return lambda work: works.member_keys(work.id)


def _holding_keys(work: Work) -> list[Key]:
    """The records a work's holdings name: one per library, enough where no works file is."""
    return [(holding.library_id, holding.record_id) for holding in work.holdings]


def _remember_members(db: sqlite3.Connection, work_id: str, keys: Iterable[Key]) -> None:
    """Record which work each member record is in now; a record that moved names a successor."""
    keys = list(keys)
    for chunk in chunks(keys, 400):
        earlier = db.execute(
            f"{keys_table(len(chunk))}SELECT DISTINCT m.work_id FROM k "
            "JOIN union_members m USING (source, identifier) WHERE m.work_id != ?",
            [*(part for key in chunk for part in key), work_id])
        db.executemany("INSERT OR REPLACE INTO union_successors VALUES (?, ?)",
                       [(row[0], work_id) for row in earlier.fetchall()])
    db.execute("DELETE FROM union_members WHERE work_id = ?", (work_id,))
    db.executemany("INSERT OR REPLACE INTO union_members VALUES (?, ?, ?)",
                   [(source, identifier, work_id) for source, identifier in keys])


def _tombstone(db: sqlite3.Connection, when: str, work_id: str, report: PublishReport) -> None:
    """A published work leaves the feed as a persistent deletion (never-published ones: none)."""
    row = db.execute("SELECT content FROM records WHERE local_id = ?", (work_id,)).fetchone()
    if row is None or row[0] is None:
        return
    Merger(db, when).tombstone(work_id)
    report.deleted += 1


def _add(total: PublishReport, part: PublishReport) -> None:
    """Sum reports of several publish calls."""
    total.changed += part.changed
    total.unchanged += part.unchanged
    total.deleted += part.deleted
