"""The boundary every search backend implements, and the errors it may raise.

Exceptions (all raised by engines, caught by the search service and the CLI)::

    EngineError                 anything the search backend could not do
    ├── IndexLockedError        another process holds the index writer lock
    ├── QueryError              the query cannot be run as asked (bad filter, cursor)
    └── BackendUnavailableError the backend cannot be reached or answered with a failure
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aggregator.model import Work
from aggregator.query import SearchQuery, SearchResult


class EngineError(Exception):
    """The search backend could not do what was asked."""


class IndexLockedError(EngineError):
    """Another process (server, scheduler or CLI) is writing the index right now."""


class QueryError(EngineError):
    """The query names an unknown facet, a malformed cursor or an impossible range."""


class BackendUnavailableError(EngineError):
    """The backend is unreachable or failed (for example Elasticsearch is down)."""


@dataclass(frozen=True)
class IndexTotals:
    """Sums over the whole index, for the network statistics."""

    works: int = 0
    holdings: int = 0
    copies: int = 0
    available: int = 0


class SearchEngine(ABC):
    """A search backend over ``Work`` documents; writes become visible after ``commit``.

    Engines opened as readers raise ``EngineError`` on writes; engines opened as writers
    hold the index's writer lock until ``close``.
    """

    name: str = "engine"

    @abstractmethod
    def upsert(self, works: Iterable[Work]) -> int:
        """Add or replace works by id; returns how many were sent."""

    def document_maker(self) -> Callable[[Work], object] | None:
        """A picklable function from a work to what ``upsert_made`` takes for it, so worker
        processes can build documents (None: this engine builds them in ``upsert``)."""
        return None

    def upsert_made(self, made: Iterable[tuple[Work, object]]) -> int:
        """``upsert`` of works whose documents ``document_maker()`` built elsewhere."""
        return self.upsert(work for work, _ in made)

    @abstractmethod
    def delete(self, work_ids: Iterable[str]) -> int:
        """Remove works by id (unknown ids are ignored); returns how many were sent."""

    @abstractmethod
    def commit(self) -> None:
        """Make every write so far durable and visible to readers."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every work (visible after ``commit``)."""

    @abstractmethod
    def discard_writer(self) -> None:
        """Forget uncommitted writes after a failed batch, so the next write starts clean."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query: one page of hits, facet counts over all matches, a suggestion."""

    @abstractmethod
    def get(self, work_id: str) -> Work | None:
        """Return one work by id, or None."""

    @abstractmethod
    def suggest(self, prefix: str, size: int = 8) -> list[str]:
        """Complete a typed prefix into titles and authors, most held first."""

    @abstractmethod
    def count(self) -> int:
        """Number of works searchable now."""

    @abstractmethod
    def totals(self) -> IndexTotals:
        """Works, holdings, copies and available copies over the whole index."""

    def describe(self) -> dict[str, object]:
        """Backend facts for ``jala index status`` (name, documents, size...)."""
        return {"backend": self.name, "documents": self.count()}

    @abstractmethod
    def close(self) -> None:
        """Release the writer lock and any connection."""

    def __enter__(self) -> SearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
