"""The backend-neutral query model: what a search asks and what it answers.

A search is forgiving ``text`` (widened step by step, ``engine.relax``), exact facet
``filters``, and optionally ``where``: field conditions (title, creator, subject, ISBN)
joined by and/or/not, which the SRU endpoint maps CQL onto; they narrow, never widen.

Both engines (tantivy, Elasticsearch) take a ``SearchQuery`` and return a
``SearchResult``; the embedded engine's tests pin down what each field means, and the
same contract suite runs against both backends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from aggregator.model import Work

FACETS = ("library", "district", "material_type", "language", "year", "subject")
"""Facet names, in display order; ``filters`` keys use the same names."""
FILTERS = (*FACETS, "series")
"""Fields a query can filter on: every facet, and the series (linked from a work's page,
not counted)."""

Sort = Literal["relevance", "newest", "title"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "title")
MAX_PAGE_SIZE = 100
Matching = Literal["all", "similar", "most", "some"]
_YEAR_VALUE = re.compile(r"^(\d{1,4})(?:-(\d{1,4}))?$")


def year_filter_bounds(value: str) -> tuple[int, int] | None:
    """Inclusive bounds of a ``year`` filter value (``2015``, ``2010-2019``), None if it is
    not one (malformed, or ending before it starts)."""
    match = _YEAR_VALUE.match(value.strip())
    if not match:
        return None
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return (low, high) if low <= high else None


Field = Literal["any", "title", "creator", "subject", "isbn"]
"""What a condition looks in: every text field, or one of them (``isbn``: identifiers)."""
Relation = Literal["all", "any", "adj", "exact"]
"""Every word (any order), at least one word, the words in order, the whole value."""


@dataclass(frozen=True)
class Condition:
    """One field condition of a structured search (an SRU/CQL clause, say)."""

    field: Field
    relation: Relation
    value: str


@dataclass(frozen=True)
class Everything:
    """Every work (CQL's ``cql.allRecords``): what a ``not`` can take works away from."""


@dataclass(frozen=True)
class Combined:
    """Two conditions joined: both (``and``), either (``or``), the left without the right
    (``not``)."""

    operator: Literal["and", "or", "not"]
    left: Where
    right: Where


Where: TypeAlias = Condition | Combined | Everything


@dataclass(frozen=True)
class SearchQuery:
    """A patron's search: words, exact-value filters per facet, sort and page."""

    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: Sort = "relevance"
    page: int = 1
    size: int = 20
    facets: tuple[str, ...] = FACETS
    highlight: bool = True
    search_after: tuple[str, ...] | None = None
    facet_size: int = 20
    """How many values each facet lists at most (most frequent first)."""
    available_only: bool = False
    """Only works with a copy on the shelf now ("tersedia sekarang")."""
    where: Where | None = None
    """Field conditions every hit must meet besides ``text`` (which still widens)."""


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with how many works carry it (``label`` is for display)."""

    value: str
    count: int
    label: str = ""


@dataclass(frozen=True)
class Hit:
    """One work in the result list, with matched terms marked in ``highlights``.

    ``highlights`` maps a field (title, creators, description) to an HTML fragment whose
    only markup is ``<mark>``; everything else in it is already escaped.
    """

    work: Work
    score: float = 0.0
    highlights: dict[str, str] = field(default_factory=dict)
    sort_key: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchResult:
    """A page of works, the facet counts over all matches, and a spelling suggestion."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    page: int
    size: int
    suggestion: str | None = None
    took_ms: float = 0.0
    matching: Matching = "all"
    """How the words matched: ``all`` of them, ``similar`` (typos allowed), ``most`` (all but
    one), ``some`` of them."""
    all_words_total: int | None = None
    """When the search widened: how many works had every word as typed."""
