"""Turn a results-page URL into a ``SearchQuery``, refusing what cannot be meant.

URL shape: ``/cari?q=words&f=facet:value&f=...&dari=1990&sampai=2020&urut=newest&hal=2``,
``ada=1`` for works with a copy on the shelf now. Malformed values (``hal=-1``,
``sampai=abc``, ``f=colour:red``, ``f=year:abc``) raise ``BadRequest`` with a message the
visitor can read; an oversized ``n`` (page size) is capped, not refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from aggregator.query import FILTERS, SORTS, SearchQuery, year_filter_bounds

MAX_TEXT = 200
MIN_YEAR, MAX_YEAR = 1000, 2999


@dataclass(frozen=True)
class Limits:
    """Paging limits from the ``[web]`` configuration."""

    page_size: int
    max_page_size: int
    max_result_window: int


def _int_arg(args: MultiDict[str, str], name: str, low: int, high: int) -> int | None:
    """An optional integer argument within bounds, else a readable 400."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadRequest(_("The value of “%(name)s” must be a whole number from %(low)d "
                           "to %(high)d.", name=name, low=low, high=high))
    return int(raw)


def parse_filters(values: list[str]) -> dict[str, tuple[str, ...]]:
    """``facet:value`` pairs into the query's filter map, unknown facets refused."""
    filters: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition(":")
        if not sep or name not in FILTERS or not value.strip():
            raise BadRequest(_("Unknown filter “%(filter)s”.", filter=item[:60]))
        if name == "year" and not _year_value(value):
            raise BadRequest(_("A year filter is a year (2015) or a range of years "
                               "(2010-2019) from %(low)d to %(high)d.",
                               low=MIN_YEAR, high=MAX_YEAR))
        bucket = filters.setdefault(name, [])
        if value not in bucket:
            bucket.append(value)
    return {name: tuple(vals) for name, vals in filters.items()}


def _year_value(value: str) -> bool:
    """``2015`` or ``2010-2019`` within the years a catalogue can hold, in order."""
    bounds = year_filter_bounds(value)
    return bounds is not None and bounds[0] >= MIN_YEAR and bounds[1] <= MAX_YEAR


def parse_search(args: MultiDict[str, str], limits: Limits) -> SearchQuery:
    """Build the query for the results page from its URL arguments."""
    text = " ".join(args.get("q", "").split())[:MAX_TEXT]
    sort = args.get("urut", "relevance") or "relevance"
    if sort not in SORTS:
        raise BadRequest(_("Unknown sort order “%(sort)s”.", sort=sort[:30]))
    size = _int_arg(args, "n", 1, 10**12) or limits.page_size
    size = min(size, limits.max_page_size)
    page = _int_arg(args, "hal", 1, max(1, limits.max_result_window // size)) or 1
    year_from = _int_arg(args, "dari", MIN_YEAR, MAX_YEAR)
    year_to = _int_arg(args, "sampai", MIN_YEAR, MAX_YEAR)
    if year_from and year_to and year_from > year_to:
        year_from, year_to = year_to, year_from
    return SearchQuery(text=text, filters=parse_filters(args.getlist("f")),
                       year_from=year_from, year_to=year_to, sort=sort,  # type: ignore[arg-type]
                       page=page, size=size, available_only=args.get("ada") == "1")


def query_args(query: SearchQuery, **changes: object) -> dict[str, object]:
    """URL arguments that reproduce ``query`` (with ``changes``), for links on the page."""
    args: dict[str, object] = {
        "q": query.text or None,
        "f": [f"{name}:{value}" for name, values in query.filters.items() for value in values],
        "dari": query.year_from, "sampai": query.year_to,
        "urut": None if query.sort == "relevance" else query.sort,
        "hal": None if query.page == 1 else query.page,
        "ada": "1" if query.available_only else None,
    }
    args.update(changes)
    return {key: value for key, value in args.items() if value not in (None, "", [])}
