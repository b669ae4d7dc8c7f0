"""What the search service tells about the network: libraries with their collections, totals.

``LibraryInfo`` joins a configured source (``config.network.Source``) with how many works
it holds in the index; ``Stats`` is the network at a glance for the home page and the
dashboard. Both are read-only snapshots built by ``aggregator.search.SearchService``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aggregator.query import FacetValue
from config.network import Source


@dataclass(frozen=True)
class LibraryInfo:
    """One library of the network and the size of its collection in the index."""

    source: Source
    works: int = 0

    @property
    def id(self) -> str:
        """The library id, as used in the ``library`` filter."""
        return self.source.id

    @property
    def name(self) -> str:
        """The library's display name."""
        return self.source.name

    @property
    def type(self) -> str:
        """Library type (provinsi, kabupaten, kota, sekolah, perguruan-tinggi, taman-baca)."""
        return self.source.type

    @property
    def district(self) -> str:
        """The district or city the library serves."""
        return self.source.district


@dataclass(frozen=True)
class Stats:
    """Network totals: libraries, works, e-books, copies, and the most held subjects.

    ``works`` counts clustered works (one per book), ``holdings`` library-by-library
    holdings of them, ``copies``/``available`` physical copies, ``ebooks`` works whose
    material type is configured as electronic (``[aggregator] ebook_material_types``).
    """

    libraries: int
    works: int
    ebooks: int
    holdings: int
    copies: int
    available: int
    districts: int
    top_subjects: list[FacetValue] = field(default_factory=list)
    material_types: list[FacetValue] = field(default_factory=list)
    languages: list[FacetValue] = field(default_factory=list)
