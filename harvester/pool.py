"""Run harvests of many sources side by side, each isolated from the others' failures.

``harvest_all`` runs one thread per source in a bounded pool (``[harvester] workers``).
A source's run never raises: whatever goes wrong becomes its run's status and
``last_error``, so a dead, slow or broken source cannot fail or block the rest (timeouts
bound every request). A per-source lock file under ``<data_dir>/locks`` keeps two
processes (the daemon and a CLI run) from harvesting one source at once.

A source its node pushes (``harvester.pushed``) is skipped, never harvested.
``stop`` (a ``threading.Event``) ends every run cleanly: a request in flight is finished
and its page committed with its checkpoint, then the run stops as ``interrupted`` and
releases its lock; sources not yet begun are not begun.
"""

from __future__ import annotations

import fcntl
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from config.network import Source
from config.settings import ConfigError, Settings
from harvester import runs, state
from harvester.client import OAIClient
from harvester.config import harvester_config
from harvester.errors import HarvestError, Interrupted, LocalError, RemoteError
from harvester.harvest import SourceHarvest
from harvester.netguard import AddressPolicy
from harvester.pushed import pushed_sources
from harvester.quirks import profile
from harvester.reconcile import reconcile
from harvester.runs import Run
from harvester.store import RecordStore, StoreError, utc_now
from harvester.transport import Transport

log = logging.getLogger(__name__)

MODES = ("incremental", "full", "reconcile")


@contextmanager
def source_lock(lock_dir: Path, source_id: str) -> Iterator[None]:
    """Hold the source's lock file, or raise LocalError when another process has it."""
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"harvest-{source_id}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LocalError(f"{source_id} is being harvested by another process") from exc
        yield


def run_source(source: Source, store: RecordStore, options: dict[str, Any], mode: str,
               lock_dir: Path, progress: Callable[[Run], None] | None = None,
               stop: threading.Event | None = None) -> Run:
    """Harvest (or reconcile) one source and record the run; never raises."""
    if stop is not None and stop.is_set():
        return Run(source.id, mode, utc_now(), status="interrupted",
                   last_error="stopping: not begun")
    if source.id in pushed_sources(store):
        return Run(source.id, mode, utc_now(), status="skipped",
                   last_error="pushed by its node: the province does not harvest it")
    try:
        with source_lock(lock_dir, source.id):
            run = runs.open_run(store, source.id, mode)
            _execute(source, store, options, mode, run, progress, stop)
            runs.close_run(store, run)
            return run
    except LocalError as exc:
        log.warning("%s: %s", source.id, exc)
        return Run(source.id, mode, utc_now(), status="skipped", last_error=str(exc))
    except (StoreError, sqlite3.Error, OSError) as exc:
        log.error("%s: the record store failed: %s", source.id, exc)
        return Run(source.id, mode, utc_now(), status="failed",
                   last_error=f"{type(exc).__name__}: {exc}")


def _execute(source: Source, store: RecordStore, options: dict[str, Any], mode: str,
             run: Run, progress: Callable[[Run], None] | None,
             stop: threading.Event | None) -> None:
    """The run itself; its outcome lands in ``run`` and the source's state."""
    policy = AddressPolicy.from_cidrs(source.allowed_networks) if source.public_only else None
    transport = Transport(options, policy=policy, stop=stop)
    error: str | None = None
    try:
        quirks = profile(source.quirks)
        client = OAIClient(source.base_url, transport, quirks, options["page_record_cap"])
        if mode == "reconcile":
            reconcile(source.id, source.sets, source.metadata_prefix, store, client, run,
                      options["empty_page_limit"])
        else:
            job = SourceHarvest(source, store, client, options, run, progress)
            job.harvest(full=mode == "full")
            if run.mode == "incremental" and not quirks.tracks_deletions:
                reconcile(source.id, source.sets, source.metadata_prefix, store, client, run,
                          options["empty_page_limit"])
        run.status = "ok"
    except Exception as exc:  # whatever it is, the other sources go on
        error = f"{type(exc).__name__}: {exc}"
        run.status = _status_after(exc, run)
    finally:
        transport.close()
    run.bytes = transport.bytes_read
    run.last_error = error
    if error:
        log.log(logging.WARNING if run.status == "interrupted" else logging.ERROR,
                "%s: %s run %s: %s", source.id, run.mode, run.status, error)
    current = state.load(store, source.id)
    current.last_error = error
    state.update(store, current)


def _status_after(exc: Exception, run: Run) -> str:
    """A run's status after ``exc``: interrupted, partial (pages were kept) or failed."""
    if isinstance(exc, Interrupted):
        return "interrupted"
    if isinstance(exc, RemoteError):
        return "partial" if run.pages else "failed"
    if not isinstance(exc, HarvestError | StoreError | ConfigError | sqlite3.Error):
        log.exception("%s: unexpected failure", run.source)  # a bug: keep its traceback
    return "failed"


def harvest_all(settings: Settings, sources: list[Source], mode: str = "incremental",
                progress: Callable[[Run], None] | None = None,
                on_changes: Callable[[], None] | None = None,
                stop: threading.Event | None = None) -> list[Run]:
    """Harvest ``sources`` in parallel; return their runs in the order given.

    ``on_changes()`` is called from the worker thread after each run that stored changes.
    """
    if mode not in MODES:
        raise ConfigError(f"harvest mode must be one of {', '.join(MODES)}")
    options = harvester_config(settings)
    store = RecordStore.at(settings)
    lock_dir = settings.data_dir / "locks"
    with ThreadPoolExecutor(max_workers=options["workers"],
                            thread_name_prefix="harvest") as pool:
        futures = [pool.submit(_in_thread, store, source, options, mode, lock_dir, progress,
                               on_changes, stop) for source in sources]
        results = [f.result() for f in futures]
    store.close()
    return results


def _in_thread(store: RecordStore, source: Source, options: dict[str, Any], mode: str,
               lock_dir: Path, progress: Callable[[Run], None] | None,
               on_changes: Callable[[], None] | None, stop: threading.Event | None) -> Run:
    """A pool task: run the source, tell the indexer of changes, close this thread's store."""
    try:
        run = run_source(source, store, options, mode, lock_dir, progress, stop)
    finally:
        store.close()
    if on_changes and (run.added or run.updated or run.deleted):
        try:
            on_changes()
        except Exception:  # the indexer's failure is not the harvest's
            log.exception("on_changes hook failed after %s", source.id)
    return run
