"""Records over time per district: how many live records each district's libraries held
at the end of each of the last 12 months, counted by the month of each record's OAI
datestamp (when its library last catalogued or changed it: a record changed this month
counts from this month on, so the curve shows the catalogue as it stands, not first
arrivals). Read from the harvester's record store (``RecordStore.per_month``), counted
again only when the store's change sequence has moved. No Flask here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from config.province import District
from config.settings import Settings
from harvester.store import RecordStore

MONTHS = 12


@dataclass(frozen=True)
class Growth:
    """The months shown (``YYYY-MM``, oldest first) and each district's totals at their end."""

    months: list[str]
    districts: list[tuple[District, list[int]]]


def last_months(today: date, months: int = MONTHS) -> list[str]:
    """The ``months`` months up to ``today``'s, oldest first, as ``YYYY-MM``."""
    index = today.year * 12 + today.month - 1
    return [f"{n // 12:04d}-{n % 12 + 1:02d}" for n in range(index - months + 1, index + 1)]


def district_growth(counts: list[tuple[str, str, int]], placed: dict[str, str],
                    districts: tuple[District, ...], months: list[str]) -> Growth:
    """Cumulative live records per district at the end of each month."""
    monthly: dict[str, Counter[str]] = {d.code: Counter() for d in districts}
    for source, month, n in counts:
        code = placed.get(source)
        if code in monthly:
            monthly[code][min(month, months[-1]) if month >= months[0] else ""] += n
    rows = []
    for district in districts:
        running = monthly[district.code][""]
        totals = []
        for month in months:
            running += monthly[district.code][month]
            totals.append(running)
        rows.append((district, totals))
    return Growth(months, rows)


class GrowthCounter:
    """``RecordStore.per_month`` remembered until the store's change sequence moves."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cached: tuple[int, list[tuple[str, str, int]]] | None = None

    def counts(self) -> list[tuple[str, str, int]]:
        """The store's live records per source and datestamp month."""
        store = RecordStore.at(self.settings)
        try:
            seq = store.last_seq()
            if self._cached is None or self._cached[0] != seq:
                self._cached = (seq, store.per_month())
        finally:
            store.close()
        return self._cached[1]
