"""Harvest every enabled source on its schedule, inside ``jala serve`` or ``jala harvest --daemon``.

Contract for the central server::

    scheduler = start_worker(settings, on_changes=indexer.catch_up)   # returns at once
    ...
    scheduler.shutdown()   # running harvests end after their current page

``start_worker(settings, on_changes=None) -> HarvestScheduler`` (a ``BackgroundScheduler``)
schedules one harvest
job per enabled source (its ``schedule``: ``"every 6h"``, ``"every 30m"``, ``"every 2d"``
or a five-field cron expression) and one reconciliation sweep per source
(``[harvester] reconcile_schedule``). ``on_changes()`` is called, from a worker thread,
after any run that stored changes; the indexer then reads ``RecordStore.changes``.
Jobs never overlap for one source (``max_instances=1``), missed runs are coalesced into
one, and each trigger has jitter (``[harvester] jitter_seconds``). ``shutdown()`` first
sets ``scheduler.stopping``, which every running harvest watches (``harvest_all(stop=)``):
it commits the page in hand with its checkpoint, records the run as ``interrupted`` and
releases its lock, so shutting down takes one page, not one whole harvest.

Persistence without SQLAlchemy: APScheduler's only persistent job store needs SQLAlchemy,
which the project does not depend on, so the jobs live in APScheduler's memory store and
the schedule state lives in the record store (``source_state.next_run``, written when a
run ends). On start, a source whose saved next run has passed is harvested at once (the
missed runs coalesced into one); otherwise its first run is at the saved time.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from config.network import Source, load_sources
from config.settings import ConfigError, Settings
from harvester import state
from harvester.config import harvester_config
from harvester.pool import harvest_all
from harvester.store import RecordStore

log = logging.getLogger(__name__)

INTERVAL = re.compile(r"^\s*every\s+(\d+)\s*(s|m|h|d)\s*$", re.IGNORECASE)
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_schedule(text: str, jitter: int = 0) -> BaseTrigger:
    """Turn ``every 6h`` / ``every 30m`` / a cron expression into an APScheduler trigger."""
    match = INTERVAL.match(text)
    if match:
        seconds = int(match.group(1)) * UNIT_SECONDS[match.group(2).lower()]
        if seconds <= 0:
            raise ConfigError(f"schedule {text!r}: the interval must be positive")
        return IntervalTrigger(seconds=seconds, jitter=jitter or None, timezone=UTC)
    try:
        return CronTrigger.from_crontab(text.strip(), timezone=UTC)
    except ValueError as exc:
        raise ConfigError(
            f"schedule {text!r}: expected 'every <n>s|m|h|d' or a cron expression ({exc})"
        ) from exc


def first_run_time(saved_next_run: str | None, now: datetime) -> datetime:
    """When a job should first fire: its saved time, or now when that time has passed."""
    if saved_next_run:
        saved = datetime.strptime(saved_next_run, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if saved > now:
            return saved
    return now + timedelta(seconds=1)


class HarvestScheduler(BackgroundScheduler):
    """A background scheduler whose shutdown also asks running harvests to stop."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.stopping = threading.Event()

    def shutdown(self, wait: bool = True) -> None:
        """Stop running harvests after their current page, then stop scheduling."""
        self.stopping.set()
        super().shutdown(wait)


def start_worker(settings: Settings,
                 on_changes: Callable[[], None] | None = None) -> HarvestScheduler:
    """Start a background scheduler harvesting every enabled source; return it running."""
    scheduler = build_scheduler(settings, on_changes)
    scheduler.start()
    return scheduler


def build_scheduler(settings: Settings,
                    on_changes: Callable[[], None] | None) -> HarvestScheduler:
    """A scheduler with one harvest job and one reconcile job per enabled source."""
    options = harvester_config(settings)
    scheduler = HarvestScheduler(
        timezone=UTC,
        executors={"default": {"type": "threadpool", "max_workers": options["workers"]}},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
    store = RecordStore.at(settings)
    now = datetime.now(UTC)
    reconcile_every = options["reconcile_schedule"]
    for source in (s for s in load_sources(settings) if s.enabled):
        saved = state.load(store, source.id)
        jitter = options["jitter_seconds"]
        scheduler.add_job(
            _job, parse_schedule(source.schedule, jitter), id=f"harvest:{source.id}",
            args=(settings, source, "incremental", on_changes, scheduler.stopping),
            name=f"harvest {source.id}",
            next_run_time=first_run_time(saved.next_run, now))
        if reconcile_every:
            scheduler.add_job(
                _job, parse_schedule(reconcile_every, jitter), id=f"reconcile:{source.id}",
                args=(settings, source, "reconcile", on_changes, scheduler.stopping),
                name=f"reconcile {source.id}")
    store.close()
    return scheduler


def _job(settings: Settings, source: Source, mode: str,
         on_changes: Callable[[], None] | None, stop: threading.Event) -> None:
    """One scheduled run; never raises (a failing source must not stop the scheduler)."""
    try:
        [run] = harvest_all(settings, [source], mode=mode, on_changes=on_changes, stop=stop)
        if mode == "incremental" and run.status != "interrupted":  # else: due at restart
            save_next_run(RecordStore.at(settings), source, datetime.now(UTC))
    except Exception:
        log.exception("scheduled %s of %s failed", mode, source.id)


def save_next_run(store: RecordStore, source: Source, now: datetime) -> None:
    """Remember when the source is next due, so a restarted worker keeps its rhythm."""
    due = parse_schedule(source.schedule).get_next_fire_time(None, now)
    current = state.load(store, source.id)
    current.next_run = due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if due else None
    state.update(store, current)
    store.close()
