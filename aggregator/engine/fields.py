"""What both backends index from a work: facet values, boosts, year buckets, title keys.

Keeping these in one place is what makes the two engines answer the same query the same
way: the contract suite checks that they do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aggregator.engine.analysis import split
from aggregator.engine.base import QueryError
from aggregator.model import Work
from aggregator.query import FACETS, FILTERS, SearchQuery, year_filter_bounds

BOOSTS = {"title": 4.0, "creators": 3.0, "subjects": 2.0, "description": 1.0, "other": 0.5}
"""Field weights: a word in the title counts most, one in the description least."""

YEAR_BUCKET = 10
"""The year facet groups works by decade."""
KEYWORD_FIELDS = tuple(name for name in FILTERS if name != "year")
"""Fields holding exact values (keywords, raw terms): every filter but the numeric year."""
EXACT_PREFIXES = {"title": "t:", "creator": "c:", "subject": "s:"}
"""Which value an exact key holds: a whole title, one creator, one subject."""


def facet_values(work: Work) -> dict[str, list[str]]:
    """The exact values a work carries for each of ``KEYWORD_FIELDS``."""
    return {
        "library": _unique(h.library_id for h in work.holdings),
        "district": _unique(h.district for h in work.holdings),
        "material_type": _unique([work.material_type]),
        "language": _unique([work.language]),
        "subject": _unique(work.subjects),
        "series": _unique([work.series]),
    }


def exact_keys(work: Work) -> list[str]:
    """Whole values an exact (``==``) condition compares: the title (with and without its
    subtitle), each creator, each subject, folded so case, accents and punctuation do not
    decide."""
    values = {"title": [work.title, f"{work.title} {work.subtitle}" if work.subtitle else ""],
              "creator": work.creators, "subject": work.subjects}
    return _unique(exact_key(name, value) for name, texts in values.items()
                   for value in texts if split(value))


def exact_key(field: str, value: str) -> str:
    """The exact key of one value of ``title``, ``creator`` or ``subject``."""
    return EXACT_PREFIXES[field] + " ".join(split(value))


def other_text(work: Work) -> str:
    """Searchable text that is not title, creators, subjects or description."""
    return " ".join([*work.contributors, work.publisher, work.series, *work.isbns,
                     *work.issns, work.classification])


def title_key(work: Work) -> str:
    """The title as sorted: folded, leading punctuation dropped."""
    return title_key_of(split(work.title))


def title_key_of(title_words: list[str]) -> str:
    """The sort key of a title already split into folded words (``~`` sorts untitled last)."""
    return " ".join(title_words) or "~"


def year_bucket(year: int) -> str:
    """The decade facet value of a year, such as ``2010-2019``."""
    start = year - year % YEAR_BUCKET
    return f"{start}-{start + YEAR_BUCKET - 1}"


def year_bucket_label(value: str) -> str:
    """Display form of a decade value (``2010–2019``)."""
    return value.replace("-", "–")


def parse_year_filter(value: str) -> tuple[int, int]:
    """Turn a ``year`` filter value (``2015`` or ``2010-2019``) into inclusive bounds."""
    bounds = year_filter_bounds(value)
    if bounds is None:
        raise QueryError(f"year filter {value!r} must be YYYY or YYYY-YYYY, in order")
    return bounds


def check_facets(query: SearchQuery) -> None:
    """Reject filters outside ``FILTERS`` and facets outside ``FACETS``."""
    for kind, names, known in (("filter", query.filters, FILTERS),
                               ("facet", query.facets, FACETS)):
        if unknown := sorted(set(names) - set(known)):
            raise QueryError(f"unknown {kind} {', '.join(unknown)}; known: {', '.join(known)}")


def _unique(values: Iterable[str]) -> list[str]:
    """Non-empty values, first occurrence kept, order preserved."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value.strip():
            seen.setdefault(value.strip(), None)
    return list(seen)


def aggregations(query: SearchQuery) -> dict[str, Any]:
    """Facet counts in Elasticsearch's aggregation language (tantivy counts its own way:
    ``tantivy_facets``)."""
    aggs: dict[str, Any] = {}
    for facet in query.facets:
        if facet == "year":
            aggs[facet] = {"histogram": {"field": "year", "interval": YEAR_BUCKET,
                                         "min_doc_count": 1}}
        else:
            aggs[facet] = {"terms": {"field": facet, "size": query.facet_size}}
    return aggs
