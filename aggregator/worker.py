"""The central worker role: harvest on schedule, then index what changed (used by ``jala serve``).

The worker is the index's (and the union catalogue's) only writer: it opens the engine as
a writer (taking the cross-process writer lock, so a concurrent ``jala index rebuild``
fails fast) and starts its schedule at once; catching up with the record store is the
schedule's first job, so the site serves the index as it is while a backlog is indexed.
After every harvest run that stored changes it runs ``Indexer.run_incremental``, whose
every batch also updates the union catalogue (``aggregator.union.store``; filled from the
works once while it is empty). Harvest jobs run on several threads; indexing is
serialised by one lock (a call while a run is under way returns at once: the change feed
is followed again every poll).
An indexing failure (a full disk, say) is logged, kept in ``health``
(``aggregator.indexing_health``, what the dashboard shows, with the data or index folder
whose disk is full) and tried again by itself after a growing wait; the engine's writer
is dropped after it, since tantivy kills a writer that met an I/O error, and a fresh one
starts from the last commit.
The worker also polls the dashboard's "harvest now" requests (``harvester.jobs``) every
``[harvester] job_poll_seconds`` and runs them like scheduled harvests, and as often
follows the change feed, so batches pushed by nodes (``harvester.pushed``, stored by the
web role) are indexed without a harvest and a failed indexing is retried; it writes the
union catalogue's open data dump daily (``aggregator.union.dump``, served at ``/data``).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from aggregator.config import aggregator_settings, index_path
from aggregator.engine import SearchEngine, open_engine
from aggregator.indexer import Indexer
from aggregator.indexing_health import IndexingHealth
from aggregator.union.config import load_union_config
from aggregator.union.dump import write_dump
from aggregator.union.store import UnionStore, workstore_members
from config.diskspace import LOW_SPACE, disk_full, free_bytes
from config.network import load_sources
from config.settings import Settings
from harvester.config import harvester_config
from harvester.jobs import JobRunner
from harvester.scheduler import start_worker

log = logging.getLogger(__name__)


class WorkerRole:
    """Scheduler plus incremental indexer, started and stopped with the web server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        options = aggregator_settings(settings)
        self.health = IndexingHealth(options["index_retry_seconds"],
                                     options["index_retry_max_seconds"])
        self._lock = threading.Lock()
        self._engine: SearchEngine | None = None
        self._indexer: Indexer | None = None
        self._union: UnionStore | None = None
        self._scheduler: BackgroundScheduler | None = None

    def start(self) -> WorkerRole:
        """Take the writer lock and start the schedule, whose first job is the catch-up."""
        self._engine = open_engine(self.settings, writer=True)
        self._indexer = Indexer.from_settings(self.settings, self._engine)
        self._union = UnionStore.from_settings(self.settings,
                                               workstore_members(self._indexer.works))
        self._scheduler = start_worker(self.settings, on_changes=self.index_changes)
        poll = harvester_config(self.settings)["job_poll_seconds"]
        jobs = JobRunner(self.settings, self.index_changes, self._scheduler.stopping,
                         requeue=True)
        self._scheduler.add_job(
            jobs, "interval", seconds=poll, id="harvest-now", name="harvest now jobs",
            next_run_time=datetime.now(UTC))
        self._scheduler.add_job(self.index_changes, "date", id="catch-up",
                                name="catch up with the record store")
        self._scheduler.add_job(self.index_changes, "interval", seconds=poll, id="follow-feed",
                                name="index what nodes pushed, retry a failed indexing")
        self._scheduler.add_job(self.write_dump, "interval", days=1, id="union-dump",
                                name="union catalogue open data dump",
                                next_run_time=datetime.now(UTC))
        return self

    def write_dump(self) -> None:
        """Today's open data dump of the union catalogue (logged, never fatal)."""
        assert self._union is not None
        try:
            manifest = write_dump(self._union, load_union_config(self.settings))
        except OSError:
            log.exception("the union catalogue's dump failed; tried again tomorrow")
            return
        log.info("union dump written: %s works", manifest["works"])

    def index_changes(self) -> None:
        """Index every record-store change not yet in the index; never raises.

        Does nothing while another run is under way (the feed is followed again at the
        next poll) or while a failure's retry wait lasts."""
        assert self._indexer is not None and self._union is not None
        if not self._lock.acquire(blocking=False):
            return
        try:
            if not self.health.due():
                return
            try:
                self._fill_union()
                # a source approved since the start must show its name and district at once
                self._indexer.libraries = {s.id: s for s in load_sources(self.settings)}
                behind = self._indexer.store.last_seq() - self._indexer.cursor
                if behind:
                    log.info("catching up: %s changes to index", behind)
                self.health.started(behind)
                report = self._indexer.run_incremental()
            except Exception as exc:
                self._failed(exc)
                return
            self.health.succeeded()
        finally:
            self._lock.release()
        if report.changes:
            log.info("indexed %s", report)

    def _fill_union(self) -> None:
        """Fill an empty union catalogue from the works once, then publish every batch."""
        assert self._indexer is not None and self._union is not None
        if self._indexer.on_batch is None:
            if not self._union.counts()[0]:
                self._union.sync(map(self._union.render, self._indexer.all_works()))
            self._indexer.on_batch = self._union.publish

    def _failed(self, exc: Exception) -> None:
        """Remember a failed run, drop the engine's writer, say when it is tried again."""
        assert self._engine is not None
        first = self.health.state().failing_since is None
        folders = (self.settings.data_dir, index_path(self.settings))
        full = next((str(f.absolute()) for f in folders
                     if disk_full(exc, f) or free_bytes(f) < LOW_SPACE), "")
        wait = self.health.failed(exc, full)
        self._engine.discard_writer()
        log.error("indexing failed: %s; tried again in %s s", exc, wait, exc_info=first)

    def stop(self) -> None:
        """Stop scheduling, let running jobs finish, release the writer lock."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
        with self._lock:
            if self._engine is not None:
                self._engine.close()
            if self._union is not None:
                self._union.close()
