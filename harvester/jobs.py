""""Harvest now": requests the web role writes and the worker role carries out.

The dashboard never harvests or indexes itself (the worker is the only writer of the
harvest state and the index); it inserts a row into the ``jobs`` table of
``<data_dir>/web.sqlite3`` and the worker polls it every ``[harvester] job_poll_seconds``
(``JobRunner``), claiming one job at a time, running it with ``harvest_all`` and
writing back its status: ``queued`` → ``running`` → ``done`` or ``failed``. A job left
``running`` by a killed worker is queued again when the next worker starts polling; one
cut short by a stop request (``stop``: the run ended ``interrupted`` at a committed page)
is queued again at once, and the next worker resumes it.
A source with a job already queued or running is not queued twice. An outcome that
cannot be written (a full disk) is kept in memory and written at a later poll, so the job
ends ``failed`` when space returns instead of staying ``running``.

Errors: ``JobError`` for a mode the harvester does not know; a source that no longer
exists makes its job ``failed`` with that reason, never an exception in the worker.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from config.network import load_sources
from config.registrations import utc_now
from config.settings import Settings
from config.sqlite import Transaction
from config.webdb import opened, web_db_path
from harvester.pool import MODES, harvest_all

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    mode TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    started TEXT,
    ended TEXT,
    message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, id);
"""


class JobError(Exception):
    """A job that cannot be queued as asked."""


@dataclass(frozen=True)
class Job:
    """One request to harvest a source now."""

    id: int
    source: str
    mode: str
    requested_by: str
    requested: str
    status: str
    started: str | None
    ended: str | None
    message: str


class JobQueue:
    """The ``jobs`` table: queued by the dashboard, claimed by the worker."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def at(cls, settings: Settings) -> JobQueue:
        """The queue under ``settings.data_dir``."""
        return cls(web_db_path(settings))

    def request(self, source: str, requested_by: str, mode: str = "incremental") -> Job:
        """Queue a harvest of ``source`` (or return the one already waiting for it).

        A job already running may have passed changes made since it started, so it does
        not stand in for a new one."""
        if mode not in MODES:
            raise JobError(f"mode must be one of {', '.join(MODES)}")
        with opened(self.path, SCHEMA) as conn, Transaction(conn):
            row = conn.execute("SELECT id FROM jobs WHERE source=? AND status='queued' "
                               "ORDER BY id LIMIT 1", (source,)).fetchone()
            if row is None:
                row = conn.execute(
                    "INSERT INTO jobs (source, mode, requested_by, requested) "
                    "VALUES (?,?,?,?) RETURNING id",
                    (source, mode, requested_by, utc_now())).fetchone()
        return self.get(row[0])

    def get(self, job_id: int) -> Job:
        """One job by number."""
        with opened(self.path, SCHEMA) as conn:
            return Job(**dict(conn.execute("SELECT * FROM jobs WHERE id=?", (job_id,))
                              .fetchone()))

    def recent(self, limit: int = 20) -> list[Job]:
        """The latest jobs, newest first (for the dashboard)."""
        if not self.path.exists():
            return []
        with opened(self.path, SCHEMA) as conn:
            rows = conn.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,))
            return [Job(**dict(r)) for r in rows]

    def latest(self, source: str) -> Job | None:
        """The newest job of one source (a corner's page says whether it is harvested)."""
        if not self.path.exists():
            return None
        with opened(self.path, SCHEMA) as conn:
            row = conn.execute("SELECT * FROM jobs WHERE source=? ORDER BY id DESC LIMIT 1",
                               (source,)).fetchone()
        return Job(**dict(row)) if row else None

    def claim(self) -> Job | None:
        """Mark the oldest queued job running and return it (None when nothing waits)."""
        with opened(self.path, SCHEMA) as conn:
            row = conn.execute(
                "UPDATE jobs SET status='running', started=? WHERE id = (SELECT id FROM jobs "
                "WHERE status='queued' ORDER BY id LIMIT 1) RETURNING id",
                (utc_now(),)).fetchone()
        return self.get(row[0]) if row else None

    def finish(self, job: Job, status: str, message: str = "") -> None:
        """Write a job's outcome."""
        with opened(self.path, SCHEMA) as conn:
            conn.execute("UPDATE jobs SET status=?, ended=?, message=? WHERE id=?",
                         (status, utc_now(), message[:500], job.id))

    def release(self, job: Job) -> None:
        """Queue a job again that a stop request cut short: the next worker resumes it."""
        with opened(self.path, SCHEMA) as conn:
            conn.execute("UPDATE jobs SET status='queued', started=NULL WHERE id=?", (job.id,))

    def requeue_abandoned(self) -> int:
        """Queue again the jobs a killed worker left running; return how many."""
        with opened(self.path, SCHEMA) as conn:
            return conn.execute("UPDATE jobs SET status='queued', started=NULL "
                                "WHERE status='running'").rowcount


def run_pending(settings: Settings, on_changes: Callable[[], None] | None = None,
                stop: threading.Event | None = None) -> int:
    """Run every queued job, one after another; return how many were run."""
    return JobRunner(settings, on_changes, stop)()


class JobRunner:
    """The worker's poll of the queue; an outcome the disk refused is written at a later poll.

    On a full disk the harvest fails and so may the write of its outcome: the job is then
    kept in memory and marked at the next poll that can write, so it never stays
    ``running`` and a new "harvest now" of its source runs."""

    def __init__(self, settings: Settings, on_changes: Callable[[], None] | None = None,
                 stop: threading.Event | None = None, requeue: bool = False) -> None:
        """``requeue``: first queue again the jobs a killed worker left running."""
        self.queue = JobQueue.at(settings)
        self.settings = settings
        self.on_changes = on_changes
        self.stop = stop
        self.unwritten: dict[int, tuple[Job, str, str]] = {}
        self._requeue = requeue

    def __call__(self) -> int:
        """Run every queued job, one after another; return how many were run. Never raises."""
        try:
            self._write_unwritten()
            if self._requeue:
                self.queue.requeue_abandoned()
                self._requeue = False
            return self._run_queued()
        except Exception:  # the worker must keep polling whatever happens
            log.exception("the harvest job queue %s cannot be read or written; tried again "
                          "at the next poll", self.queue.path)
            return 0

    def _run_queued(self) -> int:
        """Claim and run jobs until none waits or the worker stops."""
        done = 0
        while not (self.stop and self.stop.is_set()) and (job := self.queue.claim()) is not None:
            done += 1
            try:
                outcome = self._run(job)
            except Exception as exc:
                log.exception("job %s (%s) failed", job.id, job.source)
                outcome = ("failed", f"{type(exc).__name__}: {exc}")
            if outcome is None:
                self.queue.release(job)  # interrupted: queued again, the next worker resumes
                break
            self._finish(job, *outcome)
        return done

    def _run(self, job: Job) -> tuple[str, str] | None:
        """Harvest one job's source; its status and message, or None when interrupted."""
        sources = {s.id: s for s in load_sources(self.settings)}
        if job.source not in sources:
            return "failed", f"unknown source {job.source!r}"
        run = harvest_all(self.settings, [sources[job.source]], mode=job.mode,
                          on_changes=self.on_changes, stop=self.stop)[0]
        if run.status == "interrupted":
            return None
        status = "failed" if run.status in ("failed", "skipped") else "done"
        return status, (f"{run.status}: +{run.added} ~{run.updated} -{run.deleted}"
                        + (f"; {run.last_error}" if run.last_error else ""))

    def _finish(self, job: Job, status: str, message: str) -> None:
        """Write a job's outcome, or keep it for a later poll when the file refuses it."""
        try:
            self.queue.finish(job, status, message)
        except sqlite3.Error as exc:
            log.error("job %s (%s) ended %s, but %s cannot record it (%s); written when it "
                      "can", job.id, job.source, status, self.queue.path, exc)
            self.unwritten[job.id] = (job, status, message)

    def _write_unwritten(self) -> None:
        """Write the outcomes earlier polls could not (raises while the file still refuses)."""
        for job_id, (job, status, message) in list(self.unwritten.items()):
            self.queue.finish(job, status, message)
            del self.unwritten[job_id]
