"""The indexer: follows the record store's change feed into works and the search engine.

``run_incremental()`` reads ``RecordStore.changes(cursor)`` in batches: each change is
normalised (or listed as unmapped), re-clustered where it touches, and the touched works
are sent to the engine (``upsert``/``delete``, then ``commit``) before the cursor moves in
works.sqlite3. A crash between the engine's commit and the cursor's replays the batch,
which only rewrites the same documents. ``rebuild()`` clusters the whole store again in a
first pass with temporary ids, names every work (remembered id, else derived), clears the
engine and streams every work into it. Incremental updates and a rebuild give the same
works with the same ids (``tests/aggregator/test_indexer.py`` holds it to that). A run
with ``PARALLEL_BACKLOG`` changes or more waiting does its pure work in worker processes
(``aggregator.ahead``): normalising the feed ahead and building works, their engine
documents and (in a rebuild) their union rendering; clustering and every write stay here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from aggregator.ahead import Workers, worker_pool
from aggregator.clusterer import Change, Clusterer
from aggregator.config import aggregator_settings
from aggregator.engine.base import SearchEngine
from aggregator.member import parse_records
from aggregator.merging import build_work
from aggregator.model import Work
from aggregator.normalise import UnmappableRecord
from aggregator.normalise.batches import Normalised, normalised_batches
from aggregator.works import finalise_ids
from aggregator.workstore import Unmapped, WorkStore
from config.network import Source, load_sources
from config.settings import Settings
from harvester.store import RecordStore

T = TypeVar("T")
CURSOR = "cursor"
PARALLEL_BACKLOG = 5_000
"""Changes waiting from which a run uses worker processes (they start in ~1 s)."""
Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``; phases: ``cluster``, ``name``, ``index``."""


class Publisher(Protocol):
    """What a rebuild hands its works to as they are indexed (the union catalogue):
    ``render``, pure and picklable, runs where each work is built (a worker, if any), and
    ``sync`` reads the stream of what it rendered."""

    render: Callable[[Work], Any]

    def sync(self, rendered: Iterable[Any]) -> object:
        """Take every work of the rebuild, rendered; returns the publisher's report."""


@dataclass
class IndexReport:
    """What one indexing run did."""

    changes: int = 0
    mapped: int = 0
    unmapped: int = 0
    deleted: int = 0
    works_upserted: int = 0
    works_deleted: int = 0
    cursor: int = 0
    published: object = None
    """What the publisher's ``sync`` reported, after a rebuild with one."""


class Indexer:
    """Keeps works.sqlite3 and the engine in step with the record store."""

    def __init__(self, store: RecordStore, works: WorkStore, engine: SearchEngine,
                 libraries: dict[str, Source], batch_size: int = 1000,
                 year_tolerance: int = 1, max_record_bytes: int = 1_048_576,
                 normalise_workers: int = 2, parallel_backlog: int = PARALLEL_BACKLOG) -> None:
        self.store = store
        self.works = works
        self.engine = engine
        self.libraries = libraries
        self.batch_size = batch_size
        self.year_tolerance = year_tolerance
        self.max_record_bytes = max_record_bytes
        self.normalise_workers = normalise_workers
        self.parallel_backlog = parallel_backlog
        self._running = threading.Lock()
        self.on_batch: Callable[[list[Work], list[str]], object] | None = None
        """Called with each batch's fresh documents and vanished ids once the engine has them."""

    @classmethod
    def from_settings(cls, settings: Settings, engine: SearchEngine) -> Indexer:
        """The indexer over ``<data_dir>``'s record store and works database."""
        options = aggregator_settings(settings)
        return cls(RecordStore.at(settings), WorkStore(settings.data_path("works.sqlite3")),
                   engine, {s.id: s for s in load_sources(settings)},
                   batch_size=options["index_batch_size"],
                   year_tolerance=options["match_year_tolerance"],
                   max_record_bytes=options["max_record_bytes"],
                   normalise_workers=options["index_normalise_workers"])

    @property
    def cursor(self) -> int:
        """The last store seq this index reflects."""
        return self.works.get_state(CURSOR)

    def catch_up(self) -> None:
        """The harvester's ``on_changes`` hook (any thread): index whatever is new."""
        self.run_incremental()

    def run_incremental(self) -> IndexReport:
        """Apply every store change after the cursor; batch by batch, committed as it goes."""
        with self._running:
            return self._run_incremental()

    def _run_incremental(self) -> IndexReport:
        """Body of ``run_incremental``, one caller at a time."""
        report = IndexReport(cursor=self.cursor)
        clusterer = Clusterer(self.works, self.year_tolerance)
        with self._workers(self.store.last_seq() - report.cursor) as workers:
            self._apply_batches(report, clusterer, workers)
        return report

    def _apply_batches(self, report: IndexReport, clusterer: Clusterer,
                       workers: Workers) -> None:
        """Each batch after the cursor clustered, indexed and committed, cursor included."""
        for changes in self._batches(report.cursor, workers):
            with self.works.transaction():
                touched = clusterer.apply(self._changes(changes, report))
                documents, gone = self._send(touched, report, workers)
                self.engine.commit()
                if self.on_batch:
                    self.on_batch(documents, gone)
                report.cursor = changes[-1].seq
                report.changes += len(changes)
                self.works.set_state(CURSOR, report.cursor)

    def rebuild(self, progress: Progress | None = None,
                publish: Publisher | None = None) -> IndexReport:
        """Re-derive every work from the whole store and replace the engine's contents;
        ``publish`` (the union catalogue) reads the same works as they are indexed, so they
        are built once, before anything is committed."""
        with self._running:
            return self._rebuild(progress, publish)

    def _rebuild(self, progress: Progress | None, publish: Publisher | None) -> IndexReport:
        """Body of ``rebuild``, one caller at a time."""
        notify = progress or (lambda phase, done, total: None)
        report = IndexReport()
        total = self.store.count(include_deleted=True)
        with self.works.transaction(), self._workers(total) as workers:
            self.works.clear_records()
            clusterer = Clusterer(self.works, self.year_tolerance, final_ids=False)
            for changes in self._batches(0, workers):
                clusterer.apply(self._changes(changes, report))
                report.cursor = changes[-1].seq
                report.changes += len(changes)
                notify("cluster", report.changes, total)
            notify("name", 0, 1)
            finalise_ids(self.works)
            notify("name", 1, 1)
            self.engine.clear()
            works_total = self.works.count_works()
            indexed = self._indexed(report, lambda done: notify("index", done, works_total),
                                    workers, publish.render if publish else None)
            if publish:
                report.published = publish.sync(indexed)
            for _ in indexed:
                pass  # whatever ``publish`` did not read is indexed all the same
            self.engine.commit()
            self.works.set_state(CURSOR, report.cursor)
        return report

    def _indexed(self, report: IndexReport, done: Callable[[int], None], workers: Workers,
                 render: Callable[[Work], Any] | None) -> Iterator[Any]:
        """Every work (``render``-ed, given that), each batch sent to the engine before it
        is passed on."""
        for works in self._upserted(self.works.iter_work_data(), self.batch_size, report,
                                    workers, render):
            done(report.works_upserted)
            yield from works

    def _upserted(self, stored: Iterable[tuple[str, list[str]]], size: int,
                  report: IndexReport, workers: Workers,
                  render: Callable[[Work], Any] | None) -> Iterator[list[Any]]:
        """Works built from their stored records (id, JSON) and sent to the engine ``size``
        at a time, built with their documents (and ``render``-ed) in the workers when there
        are any and the engine can say how; yields each chunk's works (rendered, given
        ``render``) once the engine has them."""
        chunks = _chunked(iter(stored), size)
        maker = self.engine.document_maker() if workers.pool else None
        if maker is None:
            for chunk in chunks:
                works = [build_work(work_id, parse_records(data), self.libraries)
                         for work_id, data in chunk]
                report.works_upserted += self.engine.upsert(works)
                yield [render(work) for work in works] if render else works
            return
        tasks = ((made_documents, (chunk, self.libraries, maker, render)) for chunk in chunks)
        for made, rendered in workers.ahead(tasks):
            report.works_upserted += self.engine.upsert_made(made)
            yield rendered if render else [work for work, _ in made]

    def all_works(self) -> Iterator[Work]:
        """Every work document as the engine should hold it, in id order, streamed."""
        for work_id, records in self.works.iter_works():
            yield build_work(work_id, records, self.libraries)

    def _workers(self, backlog: int) -> AbstractContextManager[Workers]:
        """Worker processes for a run with this many changes waiting (none for a short one:
        starting them costs more than they save)."""
        return worker_pool(self.normalise_workers if backlog >= self.parallel_backlog else 0)

    def _batches(self, after: int, workers: Workers) -> Iterator[list[Normalised]]:
        """The change feed after ``after``, normalised (in the workers, if any)."""
        return normalised_batches(self.store, after, self.batch_size, self.max_record_bytes,
                                  workers)

    def _changes(self, changes: list[Normalised], report: IndexReport) -> list[Change]:
        """A batch's normalised changes for the clusterer; unmappable records are listed
        (and leave their works), not lost."""
        batch = []
        for change in changes:
            key, outcome = (change.source, change.identifier), change.outcome
            if outcome is None:
                report.deleted += 1
                self.works.drop_unmapped(key)
                batch.append(Change(key, None))
            elif isinstance(outcome, UnmappableRecord):
                report.unmapped += 1
                self.works.put_unmapped(Unmapped(change.source, change.identifier,
                                                 outcome.reason, change.metadata_prefix,
                                                 change.datestamp))
                batch.append(Change(key, None))
            else:
                report.mapped += 1
                batch.append(Change(key, outcome, change.seq))
        return batch

    def _send(self, work_ids: set[str], report: IndexReport,
              workers: Workers) -> tuple[list[Work], list[str]]:
        """Fresh documents of the touched works that still exist, sent to the engine, and
        the ids that vanished, deleted from it."""
        found = sorted(self.works.works_data(work_ids).items())
        gone = sorted(work_ids - {work_id for work_id, _ in found})
        share = -(-len(found) // (workers.count * 2)) if workers.pool else len(found)  # 2 a worker
        documents = [work for works in self._upserted(found, max(share, 1), report, workers,
                                                      None) for work in works]
        report.works_deleted += self.engine.delete(gone)
        return documents, gone


def made_documents(works: list[tuple[str, list[str]]], libraries: dict[str, Source],
                   maker: Callable[[Work], object], render: Callable[[Work], Any] | None
                   ) -> tuple[list[tuple[Work, object]], list[Any]]:
    """A worker's task: each stored work (id, records as JSON) built, with its document,
    and rendered when ``render`` is given."""
    built = []
    for work_id, data in works:
        work = build_work(work_id, parse_records(data), libraries)
        built.append((work, maker(work)))
    return built, [render(work) for work, _ in built] if render else []


def _chunked(items: Iterator[T], size: int) -> Iterator[list[T]]:
    """Fixed-size lists from a stream, so the engine gets bulk writes."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
