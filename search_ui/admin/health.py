"""Harvest health over the last 30 days: per source and day (in the province's zone), how
its harvests went, for the dashboard's grid and the table beside it.

A day takes the worst status of the source's runs that started on it: ``failed`` over
``partial`` over ``interrupted`` over ``ok``; a day without a run is ``none`` (a source
harvested every 24 hours shows a gap when it was not). Runs still ``running`` count as
nothing yet. Read from the harvester's run log (``harvester.runs.since``); no Flask here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from config.network import Source
from config.settings import Settings
from harvester import runs
from harvester.runs import Run
from harvester.store import RecordStore

WORST_FIRST = ("failed", "partial", "interrupted", "ok")
HEALTH_DAYS = 30


@dataclass(frozen=True)
class SourceHealth:
    """One source's day-by-day outcome, oldest day first."""

    source: Source
    days: list[str]

    @property
    def tally(self) -> Counter[str]:
        """How many days had each outcome."""
        return Counter(self.days)


def health_days(today: date, days: int = HEALTH_DAYS) -> list[date]:
    """The last ``days`` days up to ``today``, oldest first."""
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def first_stamp(day: date, zone: tzinfo) -> str:
    """The UTC stamp of the start of ``day`` in ``zone``, as the run log stores stamps."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ")


def harvest_health(runs: list[Run], sources: list[Source], zone: tzinfo,
                   days: list[date]) -> list[SourceHealth]:
    """Each source's worst outcome per day among ``days``."""
    outcomes: dict[tuple[str, date], set[str]] = {}
    for run in runs:
        if run.status not in WORST_FIRST:
            continue
        started = datetime.fromisoformat(run.started.replace("Z", "+00:00"))
        outcomes.setdefault((run.source, started.astimezone(zone).date()), set()).add(
            run.status)
    return [SourceHealth(source, [next((s for s in WORST_FIRST
                                        if s in outcomes.get((source.id, day), set())), "none")
                                  for day in days])
            for source in sources]


def recent_health(settings: Settings, sources: list[Source], zone: tzinfo,
                  days: int = HEALTH_DAYS) -> tuple[list[date], list[SourceHealth]]:
    """The last ``days`` days in ``zone`` and every source's health over them."""
    shown = health_days(datetime.now(zone).date(), days)
    store = RecordStore.at(settings)
    try:
        logged = runs.since(store, first_stamp(shown[0], zone))
    finally:
        store.close()
    return shown, harvest_health(logged, sources, zone, shown)
