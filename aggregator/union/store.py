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
becomes a persistent tombstone. A batch is worked out in memory in its order (members
and successors: ``aggregator.union.moves``) and written with a few statements per table,
as if its works came one at a time. ``sync`` takes works already rendered (``render``:
pure, so a rebuild runs it in its worker processes); ``publish`` renders each work's
content, and its fragments only when the content changed.

Errors: a batch naming a work twice (or as published and gone) raises ``ValueError``;
``sqlite3.Error`` propagates (a damaged file as ``config.dbfile.DamagedFile``,
with ``DAMAGED`` as its way out); ``publish`` is one transaction and changes nothing
when it fails (the indexer's batch then replays).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path

from aggregator.member import Key
from aggregator.model import Work
from aggregator.union.config import load_union_config
from aggregator.union.moves import Moves
from aggregator.union.render import Rendered, Renderer
from aggregator.workstore import WorkStore
from config import dbfile
from config.network import Source, load_sources
from config.province import Province, load_province
from config.settings import Settings
from config.sqlite import chunks
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
FeedRow = tuple[str | None, str, str]
"""A work's row in the feed: content (None for a tombstone), updated, leaf sets."""
MembersOf = Callable[[list[Work]], Mapping[str, list[Key]]]
"""The member records of each work of a batch: how a record that moved is noticed."""


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
        self.members = members or _holding_keys
        self.render = Renderer(dict(libraries), province)
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
        return self.render.visible(work)

    def publish(self, documents: Iterable[Work], gone: Iterable[str],
                now: datetime | None = None) -> PublishReport:
        """Bring the feed in step with one batch: the works it touched and the ids it lost
        (each id once)."""
        return self._publish([self.render.content(work) for work in documents], list(gone),
                             now, syncing=False)

    def sync(self, rendered: Iterable[Rendered], now: datetime | None = None) -> PublishReport:
        """Publish a whole stream of works (after a rebuild, rendered by ``render``, perhaps
        in workers); the ones it lacks are deleted."""
        total = PublishReport()
        with self.catalogue.stamped_transaction() as (db, _):
            db.execute("DELETE FROM union_sync")
        stream = iter(rendered)
        while batch := list(islice(stream, _BATCH)):
            _add(total, self._publish(batch, [], now, syncing=True))
        missing = "SELECT local_id FROM records WHERE content IS NOT NULL AND local_id > ?" \
            " AND local_id NOT IN (SELECT work_id FROM union_sync) ORDER BY local_id LIMIT ?"
        while rows := self._read(missing, ("", _BATCH)):
            _add(total, self._publish([], [row[0] for row in rows], now, syncing=False))
        return total

    def _publish(self, items: list[Rendered], gone: list[str], now: datetime | None,
                 syncing: bool) -> PublishReport:
        """``publish`` of rendered works, worked out in memory in the batch's order and
        written in a few statements; when ``syncing``, each work is noted as seen."""
        ids = [item.work.id for item in items]
        if len({*ids, *gone}) != len(ids) + len(gone):
            raise ValueError("a batch names each work once")
        report = PublishReport()
        with self.catalogue.stamped_transaction(now) as (db, when):
            members = self.members([item.work for item in items])
            moves = Moves.read(db, [key for keys in members.values() for key in keys],
                               [*ids, *gone])
            stored = _stored(db, ids)
            changed: list[tuple[Rendered, FeedRow | None]] = []
            tombstones = []
            for item in items:
                work_id = item.work.id
                moves.place(work_id, members.get(work_id, []))
                if item.publication is None:
                    tombstones.append(work_id)
                    continue
                row = stored.get(work_id)
                if row is not None and row[0] == item.publication.content:
                    report.unchanged += 1
                    continue
                report.changed += 1
                moves.settle(work_id)
                changed.append((self.render.dated(item, when[:10]), row))
            for work_id in gone:
                moves.release(work_id)
                tombstones.append(work_id)
            moves.write(db)
            if syncing:
                db.executemany("INSERT OR IGNORE INTO union_sync VALUES (?)",
                               [(work_id,) for work_id in ids])
            _write(db, when, changed)
            for work_id in tombstones:
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


def workstore_members(works: WorkStore) -> MembersOf:
    """Every record of each work, as the works database has it (all of them, not one per
    library)."""
    return lambda batch: works.member_keys_of(work.id for work in batch)


def _holding_keys(batch: list[Work]) -> dict[str, list[Key]]:
    """The records a work's holdings name: one per library, enough where no works file is."""
    return {work.id: [(h.library_id, h.record_id) for h in work.holdings] for work in batch}


def _stored(db: sqlite3.Connection, ids: list[str]) -> dict[str, FeedRow]:
    """The feed's rows of these works."""
    rows: dict[str, FeedRow] = {}
    for chunk in chunks(ids, 900):
        rows.update((local_id, (content, updated, sets)) for local_id, content, updated, sets
                    in db.execute("SELECT local_id, content, updated, sets FROM records WHERE"
                                  f" local_id IN ({','.join('?' * len(chunk))})", chunk))
    return rows


def _write(db: sqlite3.Connection, when: str,
           changed: list[tuple[Rendered, FeedRow | None]]) -> None:
    """Store works whose content changed (each with its feed row before, if any): content,
    header, fragments and set memberships, one statement per table."""
    db.executemany("DELETE FROM set_members WHERE set_spec = ? AND updated = ? AND local_id = ?",
                   [(spec, before[1], item.work.id) for item, before in changed if before
                    for spec in with_parents(before[2])])
    published = [(item.work.id, item.publication, item.publication.leaves())
                 for item, _ in changed if item.publication]
    db.executemany("INSERT INTO records (local_id, content, created, updated, sets, head)"
                   " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (local_id) DO UPDATE SET"
                   " content = excluded.content, updated = excluded.updated,"
                   " sets = excluded.sets, head = excluded.head",
                   [(work_id, item.content, when, when, leaves,
                     header_tail(work_id, when, leaves)) for work_id, item, leaves in published])
    db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?, ?)",
                   [(item.work.id, prefix, xml) for item, _ in changed
                    for prefix, xml in item.fragments.items()])
    db.executemany("INSERT INTO set_members VALUES (?, ?, ?)",
                   [(spec, when, work_id) for work_id, _, leaves in published
                    for spec in with_parents(leaves)])
    db.executemany("INSERT OR IGNORE INTO set_names VALUES (?, ?)",
                   {pair for _, item, _ in published for pair in item.sets})


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
