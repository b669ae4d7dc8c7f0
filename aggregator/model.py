"""What the aggregator produces and the search service returns: works with holdings.

A *work* clusters records of the same book from different libraries; each library's
copies become one ``Holding``. The engine indexes ``Work`` documents; the UI and the API
read them back through the search service, never from the engine directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Holding:
    """One library's copies of a work, as harvested from that library's record."""

    library_id: str
    record_id: str
    library_name: str = ""
    district: str = ""
    library_type: str = ""
    call_number: str = ""
    location: str = ""
    copies: int = 0
    available: int = 0
    statuses: list[str] = field(default_factory=list)
    url: str = ""
    copies_known: bool = True
    """False when the record says nothing about copies (no MARC 852, oai_dc): the
    library catalogues the work, but ``copies`` and ``available`` are then 0, not facts."""
    status_known: str = ""
    """When these statuses were known (UTC ``YYYY-MM-DDThh:mm:ssZ``, the oldest copy's),
    so a page can say how fresh they are; empty when nobody knows."""


@dataclass
class Work:
    """A cluster of records describing one book, with holdings library by library."""

    id: str
    title: str
    subtitle: str = ""
    creators: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    publisher: str = ""
    place: str = ""
    year: int | None = None
    isbns: list[str] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    language: str = ""
    material_type: str = "buku"
    subjects: list[str] = field(default_factory=list)
    classification: str = ""
    description: str = ""
    series: str = ""
    """The series the book belongs to (MARC 490/830), as the best record names it."""
    links: list[str] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)
    updated: str = ""

    @property
    def total_copies(self) -> int:
        """Copies across every holding library."""
        return sum(h.copies for h in self.holdings)

    @property
    def available_copies(self) -> int:
        """Copies on the shelf now, across libraries."""
        return sum(h.available for h in self.holdings)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON storage and the engine (``asdict``'s result, built without
        its recursive deep copy: lists copied, which is all a caller may change)."""
        data = {name: _copied(getattr(self, name)) for name in _WORK_FIELDS}
        data["holdings"] = [{name: _copied(getattr(h, name)) for name in _HOLDING_FIELDS}
                            for h in self.holdings]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Work:
        """Rebuild from ``to_dict`` output."""
        holdings = [Holding(**h) for h in data.get("holdings", [])]
        return cls(**{**data, "holdings": holdings})


_WORK_FIELDS = tuple(f.name for f in fields(Work))
_HOLDING_FIELDS = tuple(f.name for f in fields(Holding))


def _copied(value: Any) -> Any:
    """A list copied (its items are strings), anything else as it is."""
    return list(value) if isinstance(value, list) else value
