"""One sync of a SLiMS database into the node's catalogue, through the catalogue's own writer.

Everything is read from one consistent snapshot. The titles to read are those whose row,
items or loans changed since the last sync (``overlap_seconds`` behind the latest change
it saw), those whose copy signature differs from the one stored, and those visible but
not live in the catalogue (compared on disk by ``sweep``, so memory stays one batch);
``full`` reads every visible title. Live records no longer
visible (deleted or ``opac_hide``) become persistent tombstones. Records are written with
``Merger`` (matched by id only), ``batch_titles`` per transaction stamped by the
catalogue, so the provider publishes true datestamps, deletions and an 852 per copy.

State lives in the catalogue file: ``slims_titles`` (each synced title's copy signature,
written in the same transaction as its record) and ``slims_state`` (the latest change
seen, in UTC, written last). A sync killed at any point leaves committed batches whole;
the next one reads from the old mark again, and an unchanged record compares equal, so
nothing is lost or doubled. A dry run writes every batch and rolls each one back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from node_adapter.catalogue import Catalogue
from node_adapter.intake.messages import Message
from node_adapter.merge import Merger
from node_adapter.slims import read, schema
from node_adapter.slims.connection import SlimsConfig, snapshot
from node_adapter.slims.mapping import to_record, utc
from node_adapter.slims.sweep import Sweep

_STATE = (
    "CREATE TABLE IF NOT EXISTS slims_titles (biblio_id INTEGER PRIMARY KEY,"
    " signature TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS slims_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
MAX_LISTED_WARNINGS = 100


@dataclass
class SyncReport:
    """What one sync did (or, in a dry run, would do)."""

    mode: str
    dry_run: bool
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    latest_change: str = ""
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form for ``--json``."""
        return dataclasses.asdict(self)


class _RolledBack(Exception):
    """Raised inside a dry run's transaction so that it writes nothing."""


def sync(catalogue: Catalogue, config: SlimsConfig, *, full: bool = False,
         dry_run: bool = False, progress: Callable[[int, int], None] | None = None
         ) -> SyncReport:
    """Bring the catalogue in step with the SLiMS database; ``progress(done, total)`` titles."""
    mark = _load_state(catalogue)
    report = SyncReport("full" if full or mark is None else "incremental", dry_run)
    with snapshot(config) as cursor, Sweep(catalogue.path) as sweep:
        schema.check(cursor)
        latest = read.latest_change(cursor)
        sweep.load(read.visible_titles(cursor))
        if report.mode == "full":
            total = sweep.want(full=True)
        else:
            since = mark.astimezone(config.timezone).replace(tzinfo=None) \
                - timedelta(seconds=config.overlap_seconds)
            total = sweep.want(full=False, changed=read.changed_since(cursor, since))
        done = 0
        for signatures in sweep.batches(config.batch_titles):
            _write(catalogue, config, report, read.titles(cursor, list(signatures)),
                   signatures, dry_run)
            done += len(signatures)
            if progress:
                progress(done, total)
        gone = sweep.gone()
    _tombstone(catalogue, report, gone, dry_run)
    if latest is not None:
        report.latest_change = utc(latest, config.timezone).strftime("%Y-%m-%dT%H:%M:%SZ")
        if not dry_run:
            with catalogue.stamped_transaction() as (db, _):
                db.execute("INSERT OR REPLACE INTO slims_state VALUES ('latest_change', ?)",
                           (report.latest_change,))
    return report


def _load_state(catalogue: Catalogue) -> datetime | None:
    """The latest change seen by the last sync (UTC), with the state tables made sure of."""
    with catalogue.stamped_transaction() as (db, _):
        for statement in _STATE:
            db.execute(statement)
        row = db.execute("SELECT value FROM slims_state WHERE key = 'latest_change'").fetchone()
    return datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) if row else None


def _write(catalogue: Catalogue, config: SlimsConfig, report: SyncReport,
           titles: list[read.Title], signatures: dict[int, str], dry_run: bool) -> None:
    """One batch of titles into the catalogue in one transaction (rolled back in a dry run)."""
    warnings: list[Message] = []
    records = []
    for title in titles:
        before = len(warnings)
        records.append(to_record(title, config.opac_url, warnings))
        for message in warnings[before:]:
            report.warning_count += 1
            if len(report.warnings) < MAX_LISTED_WARNINGS:
                report.warnings.append(f"biblio_id {title.biblio_id}: {message.id} / "
                                       f"{message.en}")
    try:
        with catalogue.stamped_transaction() as (db, when):
            merger = Merger(db, when, match_isbn=False)
            merger.merge(records)
            db.executemany("INSERT OR REPLACE INTO slims_titles VALUES (?, ?)",
                           [(t.biblio_id, signatures[t.biblio_id]) for t in titles])
            if dry_run:
                raise _RolledBack
    except _RolledBack:
        pass
    report.read += len(titles)
    report.added += merger.summary.added
    report.updated += merger.summary.updated
    report.unchanged += merger.summary.unchanged


def _tombstone(catalogue: Catalogue, report: SyncReport, gone: list[int], dry_run: bool) -> None:
    """Persistent deletions for titles SLiMS no longer shows (rolled back in a dry run)."""
    if not gone:
        return
    try:
        with catalogue.stamped_transaction() as (db, when):
            merger = Merger(db, when, match_isbn=False)
            for biblio_id in gone:
                merger.tombstone(str(biblio_id))
            db.executemany("DELETE FROM slims_titles WHERE biblio_id = ?",
                           [(biblio_id,) for biblio_id in gone])
            if dry_run:
                raise _RolledBack
    except _RolledBack:
        pass
    report.deleted += len(gone)
