""""Harvest now": requests the web role writes and the worker role carries out.

The dashboard never harvests or indexes itself (the worker is the only writer of the
harvest state and the index); it inserts a row into the ``jobs`` table of
``<data_dir>/web.sqlite3`` and the worker polls it every ``[harvester] job_poll_seconds``
(``run_pending``), claiming one job at a time, running it with ``harvest_all`` and
writing back its status: ``queued`` → ``running`` → ``done`` or ``failed``. A job left
``running`` by a killed worker is queued again when the next worker starts polling; one
cut short by a stop request (``stop``: the run ended ``interrupted`` at a committed page)
is queued again at once, and the next worker resumes it.
A source with a job already queued or running is not queued twice.

Errors: ``JobError`` for a mode the harvester does not know; a source that no longer
exists makes its job ``failed`` with that reason, never an exception in the worker.
"""

from __future__ import annotations

import logging
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
    """Run every queued job, one after another; return how many were run. Never raises."""
    queue = JobQueue.at(settings)
    done = 0
    while not (stop and stop.is_set()) and (job := queue.claim()) is not None:
        done += 1
        try:
            sources = {s.id: s for s in load_sources(settings)}
            if job.source not in sources:
                queue.finish(job, "failed", f"unknown source {job.source!r}")
                continue
            run = harvest_all(settings, [sources[job.source]], mode=job.mode,
                              on_changes=on_changes, stop=stop)[0]
            if run.status == "interrupted":
                queue.release(job)
                break
            status = "failed" if run.status in ("failed", "skipped") else "done"
            queue.finish(job, status, f"{run.status}: +{run.added} ~{run.updated} "
                                      f"-{run.deleted}" + (f"; {run.last_error}"
                                                           if run.last_error else ""))
        except Exception as exc:  # the worker must keep polling whatever happens
            log.exception("job %s (%s) failed", job.id, job.source)
            queue.finish(job, "failed", f"{type(exc).__name__}: {exc}")
    return done
