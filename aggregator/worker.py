"""The central worker role: harvest on schedule, then index what changed (used by ``jala serve``).

The worker is the index's (and the union catalogue's) only writer: it opens the engine as
a writer (taking the cross-process writer lock, so a concurrent ``jala index rebuild``
fails fast), catches up with the record store once at start, and after every harvest run
that stored changes runs ``Indexer.run_incremental``, whose every batch also updates the
union catalogue (``aggregator.union.store``; filled from the works once while it is
empty). Harvest jobs run on several threads; indexing is serialised by one lock. An
indexing failure is logged and retried after the next harvest.
The worker also polls the dashboard's "harvest now" requests (``harvester.jobs``) every
``[harvester] job_poll_seconds`` and runs them like scheduled harvests, and as often
follows the change feed, so batches pushed by nodes (``harvester.pushed``, stored by the
web role) are indexed without a harvest; it writes the union catalogue's open data dump
daily (``aggregator.union.dump``, served at ``/data``).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from aggregator.engine import SearchEngine, open_engine
from aggregator.indexer import Indexer
from aggregator.union.config import load_union_config
from aggregator.union.dump import write_dump
from aggregator.union.store import UnionStore, workstore_members
from config.network import load_sources
from config.settings import Settings
from harvester.config import harvester_config
from harvester.jobs import JobQueue, run_pending
from harvester.scheduler import start_worker

log = logging.getLogger(__name__)


class WorkerRole:
    """Scheduler plus incremental indexer, started and stopped with the web server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._engine: SearchEngine | None = None
        self._indexer: Indexer | None = None
        self._union: UnionStore | None = None
        self._scheduler: BackgroundScheduler | None = None

    def start(self) -> WorkerRole:
        """Take the writer lock, catch up with the store, start the harvest schedule."""
        self._engine = open_engine(self.settings, writer=True)
        self._indexer = Indexer.from_settings(self.settings, self._engine)
        self._union = UnionStore.from_settings(self.settings,
                                               workstore_members(self._indexer.works))
        if not self._union.counts()[0]:
            self._union.sync(self._indexer.all_works())
        self._indexer.on_batch = self._union.publish
        self.index_changes()
        self._scheduler = start_worker(self.settings, on_changes=self.index_changes)
        JobQueue.at(self.settings).requeue_abandoned()
        self._scheduler.add_job(
            run_pending, "interval", seconds=harvester_config(self.settings)["job_poll_seconds"],
            args=(self.settings, self.index_changes, self._scheduler.stopping), id="harvest-now",
            name="harvest now jobs",
            next_run_time=datetime.now(UTC))
        self._scheduler.add_job(
            self.index_changes, "interval",
            seconds=harvester_config(self.settings)["job_poll_seconds"], id="follow-feed",
            name="index what nodes pushed")
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
        """Index every record-store change not yet in the index (one run at a time)."""
        assert self._indexer is not None
        with self._lock:
            try:
                # a source approved since the start must show its name and district at once
                self._indexer.libraries = {s.id: s for s in load_sources(self.settings)}
                report = self._indexer.run_incremental()
            except Exception:
                log.exception("incremental indexing failed; retried after the next harvest")
                return
        if report.changes:
            log.info("indexed %s", report)

    def stop(self) -> None:
        """Stop scheduling, let running jobs finish, release the writer lock."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
        with self._lock:
            if self._engine is not None:
                self._engine.close()
            if self._union is not None:
                self._union.close()
