"""Syncing on a schedule inside ``jala node serve``: every ``[slims] sync_every`` minutes.

The first sync starts with the server; one runs at a time (a slow one delays the next,
never doubles it); APScheduler is loaded only by a node that syncs. A failing sync is
logged and retried at the next turn: the provider goes on serving what the last good
sync published.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from config.settings import Settings
from node_adapter.catalogue import Catalogue
from node_adapter.config import SLIMS_DEFAULTS
from node_adapter.slims import SlimsError
from node_adapter.slims.connection import SlimsConfig, load_slims_config
from node_adapter.slims.sync import sync

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)


def start_syncing(settings: Settings, database: Path) -> BackgroundScheduler | None:
    """A running scheduler syncing into ``database``, or None when ``sync_every`` is 0."""
    if not settings.section("slims", SLIMS_DEFAULTS)["sync_every"]:
        return None
    from apscheduler.schedulers.background import BackgroundScheduler  # only a syncing node

    config = load_slims_config(settings)
    catalogue = Catalogue(database)
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(_sync_once, "interval", minutes=config.sync_every,
                      args=(catalogue, config), next_run_time=datetime.now(UTC),
                      max_instances=1, coalesce=True, id="slims-sync")
    scheduler.start()
    return scheduler


def _sync_once(catalogue: Catalogue, config: SlimsConfig) -> None:
    """One scheduled sync, its outcome logged."""
    try:
        report = sync(catalogue, config)
    except SlimsError as exc:
        log.error("SLiMS sync failed: %s", exc)
        return
    log.info("SLiMS sync (%s): read %d, added %d, updated %d, unchanged %d, deleted %d",
             report.mode, report.read, report.added, report.updated, report.unchanged,
             report.deleted)
