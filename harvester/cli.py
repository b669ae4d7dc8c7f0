"""Command-line commands of this component, gathered by ``jala.cli``.

``jala harvest [SOURCE...]`` (``--full``, ``--reconcile``, ``--json``, ``--daemon``),
``jala sources`` (``--json``) and ``jala sources check URL``.

SIGTERM and SIGINT (Ctrl-C) stop ``jala harvest`` cleanly, daemon or not: each running
harvest commits the page in hand with its checkpoint, records its run as ``interrupted``
and releases its lock; the next run resumes there. A second signal acts as usual.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import click

from config.diskspace import full_disk_as_error
from config.network import Source, load_sources
from config.progress import Progress, quiet_option
from config.settings import ConfigError, Settings, settings_options
from harvester import runs, state
from harvester.check import check_provider
from harvester.config import harvester_config
from harvester.pool import harvest_all
from harvester.runs import Run
from harvester.scheduler import start_worker
from harvester.store import RecordStore

log = logging.getLogger(__name__)


class HarvestProgress:
    """One ``config.progress.Progress`` per source: records listed of ``completeListSize``."""

    def __init__(self, sources: int, quiet: bool) -> None:
        self.lock = threading.Lock()
        self.shown: dict[str, Progress] = {}
        self.bar, self.quiet = sources == 1, quiet

    def __call__(self, run: Run) -> None:
        with self.lock:
            if run.source not in self.shown:
                self.shown[run.source] = Progress(f"panen / harvest {run.source}", run.list_size,
                                                  quiet=self.quiet, bar=self.bar)
            self.shown[run.source].update(run.listed, run.list_size)

    def close(self) -> None:
        """End every source's bar or last line."""
        with self.lock:
            for progress in self.shown.values():
                progress.close()


def _select(settings: Settings, ids: tuple[str, ...]) -> list[Source]:
    """The named sources (all enabled ones when none named)."""
    sources = load_sources(settings)
    if not ids:
        return [s for s in sources if s.enabled]
    known = {s.id: s for s in sources}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise click.BadParameter(f"unknown source(s): {', '.join(unknown)}", param_hint="SOURCE")
    return [known[i] for i in ids]


@click.command("harvest")
@click.argument("source_ids", metavar="[SOURCE]...", nargs=-1)
@click.option("--full", is_flag=True, help="Re-harvest everything, ignoring high-water marks.")
@click.option("--reconcile", is_flag=True,
              help="Compare ListIdentifiers with the store; fix drops and stale records.")
@click.option("--json", "as_json", is_flag=True, help="Print per-source results as JSON.")
@click.option("--daemon", is_flag=True, help="Run the scheduler in the foreground.")
@quiet_option
@settings_options
def harvest_command(source_ids: tuple[str, ...], full: bool, reconcile: bool, as_json: bool,
                    daemon: bool, quiet: bool, settings: Settings) -> None:
    """Harvest sources now (all enabled ones unless named) into the record store."""
    if full and reconcile:
        raise click.UsageError("--full and --reconcile exclude each other")
    if daemon and (source_ids or full or reconcile or as_json):
        raise click.UsageError("--daemon harvests every enabled source on its schedule; "
                               "it takes no SOURCE, --full, --reconcile or --json")
    try:
        harvester_config(settings)
        if daemon:
            _run_daemon(settings)
            return
        sources = _select(settings, source_ids)
        mode = "full" if full else "reconcile" if reconcile else "incremental"
        progress = HarvestProgress(len(sources), quiet or as_json)
        with stop_on_signals() as stop:
            try:
                results = harvest_all(settings, sources, mode=mode, stop=stop,
                                      progress=progress)
            finally:
                progress.close()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([r.summary() for r in results], indent=2))
    else:
        _table(["source", "mode", "status", "added", "updated", "deleted", "rejected",
                "pages", "error"],
               [[r.source, r.mode, r.status, r.added, r.updated, r.deleted, r.rejected,
                 r.pages, (r.last_error or "")[:60]] for r in results])
    if any(r.status in ("failed", "partial", "interrupted") for r in results):
        sys.exit(1)


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by the first SIGTERM or SIGINT; a second one acts as it used to."""
    stop = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    def ask(signum: int, frame: FrameType | None) -> None:
        log.warning("%s: stopping after the current page of each harvest (again to force)",
                    signal.Signals(signum).name)
        restore()
        stop.set()  # safe here: the main thread never waits on this event itself

    for sig in previous:
        signal.signal(sig, ask)
    try:
        yield stop
    finally:
        restore()


def _run_daemon(settings: Settings) -> None:
    """``--daemon``: the scheduler in the foreground until SIGTERM or SIGINT."""
    with stop_on_signals() as stop:
        scheduler = start_worker(settings)
        click.echo("harvest daemon running; SIGTERM or Ctrl-C stops it", err=True)
        while not stop.is_set():
            time.sleep(0.2)  # not stop.wait(): the handler sets it on this very thread
        scheduler.shutdown(wait=True)
    click.echo("harvest daemon stopped", err=True)


@click.group("sources", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@settings_options
@click.pass_context
def sources_command(ctx: click.Context, as_json: bool, settings: Settings) -> None:
    """List sources: status of the last run, last success, live records, last error."""
    if ctx.invoked_subcommand:
        return
    try:
        sources = load_sources(settings)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    with full_disk_as_error(settings.data_dir):
        store = RecordStore.at(settings)
        rows = []
        for source in sources:
            current = state.load(store, source.id)
            latest = runs.recent(store, source.id, limit=1)
            rows.append({"id": source.id, "name": source.name, "enabled": source.enabled,
                         "status": latest[0].status if latest else "never",
                         "last_success": current.last_success,
                         "records": store.count(source.id), "last_error": current.last_error})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        _table(["source", "status", "last success", "records", "last error"],
               [[r["id"], r["status"], r["last_success"] or "-", r["records"],
                 (r["last_error"] or "")[:60]] for r in rows])


@sources_command.command("check")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--format", "metadata_prefix", default=None, metavar="PREFIX",
              help="Sample this metadata format (default: the one the harvester would use).")
@settings_options
def check_command(url: str, as_json: bool, metadata_prefix: str | None,
                  settings: Settings) -> None:
    """Try a provider: Identify, ListMetadataFormats and its first two pages."""
    report = check_provider(url, harvester_config(settings), metadata_prefix=metadata_prefix)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        for line in report.lines():
            click.echo(line)
    if not report.usable:
        sys.exit(1)


def _table(header: list[str], rows: list[list[object]]) -> None:
    """Print a plain aligned table."""
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


commands: list[click.Command] = [harvest_command, sources_command]
