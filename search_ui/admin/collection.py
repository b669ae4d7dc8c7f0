"""What each library holds and how well it is catalogued, counted from the works database.

One streamed pass over ``WorkStore.iter_works`` (the aggregator's public reading of
``works.sqlite3``; memory holds one work at a time plus one counter row per library and
district) gives per library: records, titles (works it holds), copies, e-books, records
lacking ISBN, year, subject, call number or a copy count, and records that repeat a work
it already holds; per district and for the province, distinct titles. Records the
aggregator kept but could not index come from ``WorkStore.unmapped`` with their reason.
The pass runs again only when the works database has changed (its files' sizes and times).

Errors: none of its own; a missing works database counts as an empty network.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aggregator.workstore import WorkStore
from config.settings import Settings

UNMAPPED_LIMIT = 10_000
"""Records not indexed read per library; the page says "at least" beyond it."""
LACKS = ("isbn", "year", "subject", "call_number", "copies")


@dataclass
class LibraryCollection:
    """One library's holdings and cataloguing gaps."""

    records: int = 0
    titles: int = 0
    copies: int = 0
    ebooks: int = 0
    duplicates: int = 0
    lacking: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)

    def share_lacking(self, what: str) -> float | None:
        """The share of this library's records without ``what`` (None without records)."""
        return self.lacking[what] / self.records if self.records else None


@dataclass
class NetworkCollection:
    """Every library's figures, distinct titles per district and in the province."""

    libraries: dict[str, LibraryCollection] = field(default_factory=dict)
    district_titles: Counter[str] = field(default_factory=Counter)
    titles: int = 0

    def of(self, library_id: str) -> LibraryCollection:
        """A library's figures (empty ones for a library with nothing indexed)."""
        return self.libraries.get(library_id) or LibraryCollection()


def count_collection(path: Path, district_of: dict[str, str],
                     ebook_types: tuple[str, ...]) -> NetworkCollection:
    """Count the works database at ``path``; ``district_of`` maps library id → district code."""
    network = NetworkCollection()
    if not path.exists():
        return network
    store = WorkStore(path)
    try:
        for _work_id, records in store.iter_works():
            network.titles += 1
            held: set[str] = set()
            for record in records:
                library = network.libraries.setdefault(record.source, LibraryCollection())
                library.records += 1
                if record.source in held:
                    library.duplicates += 1
                else:
                    held.add(record.source)
                    library.titles += 1
                holding = record.holding
                library.copies += holding.copies
                library.ebooks += record.material_type.lower() in ebook_types
                missing = {"isbn": not record.isbns, "year": record.year is None,
                           "subject": not record.subjects,
                           "call_number": not (record.call_number or holding.call_number),
                           "copies": not holding.copies_known}
                library.lacking.update(k for k, lacking in missing.items() if lacking)
            for district in {district_of.get(source, "") for source in held} - {""}:
                network.district_titles[district] += 1
        for source in set(network.libraries) | set(district_of):
            reasons = Counter(item.reason for item in store.unmapped(source, UNMAPPED_LIMIT))
            if reasons:
                network.libraries.setdefault(source, LibraryCollection()).unmapped = reasons
    finally:
        store.close()
    return network


def _fingerprint(path: Path) -> tuple[tuple[int, int], ...]:
    """Sizes and times of the database and its WAL: they change whenever the indexer writes."""
    stamps = []
    for candidate in (path, path.with_name(path.name + "-wal")):
        try:
            stat = os.stat(candidate)
        except FileNotFoundError:
            stamps.append((0, 0))
            continue
        stamps.append((stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


class CollectionCounter:
    """``count_collection`` remembered until the works database or the districts change."""

    def __init__(self, settings: Settings, ebook_types: tuple[str, ...]) -> None:
        self.path = settings.data_dir / "works.sqlite3"
        self.ebook_types = tuple(t.lower() for t in ebook_types)
        self._cached: tuple[object, NetworkCollection] | None = None

    def count(self, district_of: dict[str, str]) -> NetworkCollection:
        """The current figures, counted again only after a change."""
        key = (_fingerprint(self.path), tuple(sorted(district_of.items())))
        if self._cached is None or self._cached[0] != key:
            self._cached = (key, count_collection(self.path, district_of, self.ebook_types))
        return self._cached[1]
