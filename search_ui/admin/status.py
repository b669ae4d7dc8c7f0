"""What the dashboard shows about each source, read from the harvester's record store.

The web role only reads here: per-source state (last success, last error), the run log
and live record counts, exactly what ``jala sources`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.network import Source
from config.settings import Settings
from harvester import runs, state
from harvester.runs import Run
from harvester.store import RecordStore


@dataclass(frozen=True)
class SourceStatus:
    """One source as the dashboard lists it."""

    source: Source
    status: str
    last_success: str | None
    records: int
    last_error: str | None

    @property
    def registered(self) -> bool:
        """True when the source came from a registration rather than the configuration."""
        return "registration" in self.source.extra


def network_status(settings: Settings, sources: list[Source],
                   run_limit: int = 20) -> tuple[list[SourceStatus], list[Run]]:
    """Every source's status and the latest runs of all sources, newest first."""
    store = RecordStore.at(settings)
    try:
        rows = []
        for source in sources:
            current = state.load(store, source.id)
            latest = runs.recent(store, source.id, limit=1)
            rows.append(SourceStatus(source, latest[0].status if latest else "never",
                                     current.last_success, store.count(source.id),
                                     current.last_error))
        return rows, runs.recent(store, limit=run_limit)
    finally:
        store.close()
