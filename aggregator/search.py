"""The search service: the one door through which the UI and the API reach the index.

It opens a reader engine (which sees the worker's commits), caps page sizes, logs every
query to the analytics store, and answers the library directory and network statistics
from facet counts, so the web role never touches an engine directly.
"""

from __future__ import annotations

import dataclasses
import time

from aggregator.analytics import QueryLog
from aggregator.config import aggregator_settings
from aggregator.directory import LibraryInfo, Stats
from aggregator.engine import SearchEngine, open_engine
from aggregator.engine.base import BackendUnavailableError
from aggregator.model import Work
from aggregator.query import FacetValue, SearchQuery, SearchResult
from config.network import Source, load_sources
from config.settings import Settings

__all__ = ["BackendUnavailableError", "LibraryInfo", "SearchService", "Stats"]

_ALL_VALUES = 10_000
"""Facet size that lists every library or district (the network has far fewer)."""
STATS_TTL = 60.0
"""Seconds the network statistics and the directory's counts are reused: they aggregate
the whole index."""


@dataclasses.dataclass(frozen=True)
class _Network:
    """What one count of the whole index answers: the statistics, and works per library."""

    stats: Stats
    library_works: dict[str, int]


class SearchService:
    """Search, works, suggestions, library directory and statistics over one engine."""

    def __init__(
        self,
        engine: SearchEngine,
        sources: list[Source],
        query_log: QueryLog | None = None,
        max_page_size: int = 100,
        default_page_size: int = 20,
        ebook_material_types: tuple[str, ...] = ("ebook",),
    ) -> None:
        self.engine = engine
        self.sources = sources
        self.query_log = query_log
        self.max_page_size = max_page_size
        self.default_page_size = min(default_page_size, max_page_size)
        self.ebook_material_types = ebook_material_types
        self._counted: tuple[float, _Network] | None = None

    @property
    def sources(self) -> list[Source]:
        """The network's libraries, in registry order (the admin may replace them)."""
        return self._sources

    @sources.setter
    def sources(self, sources: list[Source]) -> None:
        """Replace the libraries and the names every search labels its library facet with."""
        self._sources = sources
        self._library_names = {source.id: source.name for source in sources}

    @classmethod
    def from_settings(cls, settings: Settings) -> SearchService:
        """Open a reader on the configured engine, with analytics when enabled."""
        options = aggregator_settings(settings)
        query_log = (
            QueryLog(settings.data_path("analytics.sqlite3")) if options["analytics"] else None
        )
        return cls(
            open_engine(settings, writer=False),
            load_sources(settings),
            query_log=query_log,
            max_page_size=int(options["max_page_size"]),
            default_page_size=int(options["default_page_size"]),
            ebook_material_types=tuple(t.lower() for t in options["ebook_material_types"]),
        )

    def search(self, query: SearchQuery, channel: str | None = "site") -> SearchResult:
        """Run a query (page size capped) and log it without personal data under ``channel``
        (``site``, ``api``, ``cli``; None for the server's own searches, not logged).

        The log counts the works that have every word: a search that only found works with
        some of its words is a gap in the collection, as one that found nothing.
        """
        size = max(0, min(query.size, self.max_page_size))
        if size != query.size or query.page < 1:
            query = dataclasses.replace(query, size=size, page=max(1, query.page))
        started = time.perf_counter()
        result = self.engine.search(query)
        took_ms = (time.perf_counter() - started) * 1000
        if self.query_log is not None and channel is not None:
            found = result.total if result.matching == "all" else result.all_words_total or 0
            self.query_log.record(query, found, took_ms, channel)
        return dataclasses.replace(result, took_ms=round(took_ms, 3),
                                   facets=self._labelled(result.facets))

    def work(self, work_id: str) -> Work | None:
        """One work with its holdings, or None when the id is unknown."""
        return self.engine.get(work_id)

    def suggest(self, prefix: str, size: int = 8) -> list[str]:
        """Titles and authors completing what the patron has typed so far."""
        if not prefix.strip():
            return []
        return self.engine.suggest(prefix, max(1, min(size, 20)))

    def libraries(self) -> list[LibraryInfo]:
        """Every configured library, in registry order, with its collection size."""
        counts = self._network().library_works
        return [LibraryInfo(source, counts.get(source.id, 0)) for source in self.sources]

    def library(self, library_id: str) -> LibraryInfo | None:
        """One configured library with its collection size, or None."""
        for source in self.sources:
            if source.id == library_id:
                return LibraryInfo(source, self._network().library_works.get(library_id, 0))
        return None

    def stats(self) -> Stats:
        """Network totals and top subjects."""
        return self._network().stats

    def _network(self) -> _Network:
        """Counts over the whole index, shared by the statistics and the library directory:
        cached ``STATS_TTL`` seconds, or until the number of works or of libraries changes
        (counting a million works takes tens of milliseconds)."""
        now, current = time.monotonic(), (self.engine.count(), len(self.sources))
        if (self._counted is None or now - self._counted[0] > STATS_TTL
                or (self._counted[1].stats.works, self._counted[1].stats.libraries) != current):
            self._counted = (now, self._count_network())
        return self._counted[1]

    def _count_network(self) -> _Network:
        """Aggregate the whole index: facet counts and sums of copies."""
        result = self.engine.search(
            SearchQuery(size=0, facets=("library", "district", "material_type", "language",
                                        "subject"), highlight=False, facet_size=_ALL_VALUES)
        )
        totals = self.engine.totals()
        material_types = result.facets.get("material_type", [])
        ebooks = sum(v.count for v in material_types
                     if v.value.lower() in self.ebook_material_types)
        districts = {s.district for s in self.sources if s.district}
        districts.update(v.value for v in result.facets.get("district", []))
        stats = Stats(
            libraries=len(self.sources),
            works=totals.works,
            ebooks=ebooks,
            holdings=totals.holdings,
            copies=totals.copies,
            available=totals.available,
            districts=len(districts),
            top_subjects=result.facets.get("subject", [])[:10],
            material_types=material_types[:10],
            languages=result.facets.get("language", [])[:10],
        )
        return _Network(stats, {v.value: v.count for v in result.facets.get("library", [])})

    def close(self) -> None:
        """Close the engine and flush the query log."""
        self.engine.close()
        if self.query_log is not None:
            self.query_log.close()

    def _labelled(self, facets: dict[str, list[FacetValue]]) -> dict[str, list[FacetValue]]:
        """Give library facet values their library's name as label."""
        if "library" not in facets:
            return facets
        names = self._library_names
        libraries = [FacetValue(v.value, v.count, names.get(v.value, v.label or v.value))
                     for v in facets["library"]]
        return {**facets, "library": libraries}
