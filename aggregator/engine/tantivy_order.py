"""How tantivy orders hits: every sort breaks ties by work id, as Elasticsearch's does.

tantivy orders equal keys by where a document sits in the index, which changes with every
rebuild and merge, so pages shifted after a rebuild. The title and newest sorts therefore
order by one text column that ends in the work id (``title_sort``, ``newest_sort``), exact
in one search. Scores cannot carry the id, so a relevance page is cut from a list ranked by
(score, id): the hits down to the page's end, and past it while scores still equal the last
one (a tie group of at most ``TIE_LIMIT``; beyond that, index order). A tied hit's id is
read from two numeric columns holding its first 16 bytes (``ID_COLUMNS``), without a
stored read; only hits whose ids share those 16 bytes are read whole. A search without
words has one score for every match: it orders by id alone.
"""

from __future__ import annotations

from collections import Counter

import tantivy

from aggregator.engine.base import QueryError

SORT_SEPARATOR = "\x1f"
"""Between a sort value and the work id; sorts before every printable character."""
TIE_LIMIT = 2000
"""The most works of one score put in id order at a page edge."""
RESUME_SLACK = 50
"""How far around its recorded position a ``search_after`` cursor's work is looked for."""
_COLUMNS = {"newest": "newest_sort", "title": "title_sort", "id": "id"}
ID_COLUMNS = ("id_head", "id_next")
"""Bytes 1–8 and 9–16 of a work id, as signed integers that order as the id does."""

Hits = list[tuple[object, tantivy.DocAddress]]
Loaded = dict[tuple[int, int], tantivy.Document]
"""Documents read while ordering, by ``address_key``: a page reuses them instead of a
second stored read."""


def title_order(title_key: str, work_id: str) -> str:
    """The ``title_sort`` column: the title's sort key, then the id."""
    return f"{title_key}{SORT_SEPARATOR}{work_id}"


def newest_order(year: int | None, work_id: str) -> str:
    """The ``newest_sort`` column, ascending: latest year first, unknown years last, then id."""
    return f"{9999 - max(0, min(9999, year or 0)):04d}{SORT_SEPARATOR}{work_id}"


def id_columns(work_id: str) -> dict[str, int]:
    """The ``ID_COLUMNS`` of a work: its id's first 16 UTF-8 bytes, zero-padded, big-endian,
    shifted into tantivy's signed range (byte order is code point order, and a shorter id
    sorts before its extensions)."""
    head = work_id.encode("utf-8")[:16].ljust(16, b"\0")
    return {name: int.from_bytes(head[start:start + 8], "big") - 2**63
            for name, start in zip(ID_COLUMNS, (0, 8), strict=True)}


def ordered_hits(searcher: tantivy.Searcher, compiled: tantivy.Query, sort: str, scored: bool,
                 offset: int, limit: int, loaded: Loaded | None = None) -> Hits:
    """Hits ``offset`` to ``offset + limit`` of ``compiled`` in ``sort`` order, ties by id;
    documents read to break ties are kept in ``loaded``. The total is counted apart, with
    the facets (``tantivy_facets.matched``).

    ``scored`` is False for a search without words (every match scores the same).
    """
    column = _COLUMNS.get(sort if sort != "relevance" or scored else "id")
    if column is not None:
        found = searcher.search(compiled, max(1, limit), count=False, offset=offset,
                                order_by_field=column, order=tantivy.Order.Asc)
        return found.hits[:limit]
    return _by_score(searcher, compiled, offset, limit, {} if loaded is None else loaded)


def _by_score(searcher: tantivy.Searcher, compiled: tantivy.Query, offset: int,
              limit: int, loaded: Loaded) -> Hits:
    """Best first; works of equal score by id, looked at only where a tie meets the page.

    The first search asks for four pages past the page's end: searching again because a
    tie runs past the hits in hand costs more than the larger heap (widened two-word
    searches searched 1.21 times each with one page more, 1.0 with four).
    """
    end = offset + limit
    step = max(4 * limit, 64)
    asked = end + step
    hits = list(searcher.search(compiled, asked, count=False).hits)
    while len(hits) == asked < TIE_LIMIT + end and hits[-1][0] == hits[end - 1][0]:
        hits += searcher.search(compiled, step, count=False, offset=asked).hits
        asked += step
        step *= 2
    page_scores = {score for score, _ in hits[offset:end]}
    tied = {score for score, n in Counter(s for s, _ in hits).items()
            if n > 1 and score in page_scores}
    if not tied:
        return hits[offset:end]
    order = _id_order(searcher, [address for score, address in hits if score in tied], loaded)

    def rank(hit: tuple[object, tantivy.DocAddress]) -> tuple[float, int, int, str]:
        score, address = hit
        return -float(score), *(order[address_key(address)] if score in tied  # type: ignore[arg-type]
                                else (0, 0, ""))

    return sorted(hits, key=rank)[offset:end]


def _id_order(searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress], loaded: Loaded
              ) -> dict[tuple[int, int], tuple[int, int, str]]:
    """Sort keys by work id for tied hits: the id columns, and the whole id (a stored read,
    kept in ``loaded``) only where two hits' columns are equal."""
    columns = _id_pairs(searcher, addresses)
    shared = {pair for pair, n in Counter(columns).items() if n > 1}
    order = {}
    for address, pair in zip(addresses, columns, strict=True):
        key = address_key(address)
        whole = ""
        if pair in shared:
            loaded[key] = loaded.get(key) or searcher.doc(address)
            whole = str(loaded[key].get_first("id"))
        order[key] = (*pair, whole)
    return order


def _id_pairs(searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress]
              ) -> list[tuple[int, int]]:
    """The ``ID_COLUMNS`` of each hit, read from the fast columns (no stored read)."""
    return list(zip(*(searcher.fast_field_values(name, addresses) for name in ID_COLUMNS),
                    strict=True))  # type: ignore[arg-type]


def resume_offset(searcher: tantivy.Searcher, compiled: tantivy.Query, sort: str, scored: bool,
                  cursor: tuple[str, ...]) -> int:
    """Where the page after ``cursor`` (value, work id, position) starts now."""
    if len(cursor) != 3 or not cursor[2].isdigit():
        raise QueryError("search_after must be a hit's sort_key (value, id, position)")
    position = int(cursor[2])
    start = max(0, position - RESUME_SLACK)
    window = [address for _, address in
              ordered_hits(searcher, compiled, sort, scored, start, 2 * RESUME_SLACK + 1)]
    wanted = tuple(id_columns(cursor[1]).values())
    for index, (address, pair) in enumerate(zip(window, _id_pairs(searcher, window),
                                                strict=True)):
        if pair == wanted and searcher.doc(address).get_first("id") == cursor[1]:
            return start + index + 1
    return position + 1


def address_key(address: tantivy.DocAddress) -> tuple[int, int]:
    """A hashable form of a document address."""
    return address.segment_ord, address.doc
