"""Every request body the Elasticsearch backend sends, built by pure functions.

Keeping them pure lets the tests capture and validate each one offline against the
official API specification and ``elasticsearch.dsl``. The mapping uses the built-in
``indonesian`` analyzer (with ``_indonesian_`` stopwords and its stemmer) on text fields
(names only folded, never stemmed, as in the embedded engine), keywords for facets, a
completion field for autocomplete, an ``old_spelling`` analyzer (pattern-replace filters
doing ``indonesian.spelling_key``), identifiers and exact-value keywords; field conditions
come from ``es_where``; field weights, facet values and year buckets come from ``fields``
so both backends rank and count alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from aggregator.engine.base import QueryError
from aggregator.engine.es_where import where_clause
from aggregator.engine.fields import (
    BOOSTS,
    KEYWORD_FIELDS,
    aggregations,
    exact_keys,
    facet_values,
    other_text,
    parse_year_filter,
    title_key,
)
from aggregator.engine.relax import (
    FUZZY_BOOST,
    IDENTIFIER_SCORE,
    PREFIX_BOOST,
    SPELLED_BOOST,
    TIER,
    TYPO_TIER,
    Phase,
    words_needed,
)
from aggregator.indonesian import SPELLING_RULES
from aggregator.model import Work
from aggregator.query import SearchQuery
from aggregator.understand import QueryWord, UnderstoodQuery, understand

SORT_FIELDS: dict[str, list[Any]] = {
    "relevance": ["_score", {"id": "asc"}],
    "newest": [{"sort_year": "desc"}, {"id": "asc"}],
    "title": [{"title_sort": "asc"}, {"id": "asc"}],
}
_HIGHLIGHTED = ("title", "creators", "description")
_SPELLING_FILTERS = tuple((f"spelling_{old}", old, new) for old, new in SPELLING_RULES)
"""``aggregator.indonesian``'s spelling key as token filters, applied in the same order."""


def index_body(shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """Settings and mappings of a new versioned works index."""
    text = {"type": "text", "analyzer": "indonesian"}
    properties: dict[str, Any] = {
        "id": {"type": "keyword"},
        **{name: dict(text) for name in BOOSTS},
        "creators": {"type": "text", "analyzer": "folded"},
        "spell": {"type": "text", "analyzer": "folded"},
        "spelled": {"type": "text", "analyzer": "old_spelling"},
        "identifiers": {"type": "keyword"},
        "exact": {"type": "keyword"},
        "suggest": {"type": "completion", "analyzer": "folded"},
        **{name: {"type": "keyword"} for name in KEYWORD_FIELDS},
        "title_sort": {"type": "keyword"},
        "year": {"type": "integer"},
        "sort_year": {"type": "integer"},
        "holdings": {"type": "integer"},
        "copies": {"type": "integer"},
        "available": {"type": "integer"},
        "work": {"type": "object", "enabled": False},
    }
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "analysis": {
                "analyzer": {
                    "folded": {"type": "custom", "tokenizer": "standard",
                               "filter": ["lowercase", "asciifolding"]},
                    "old_spelling": {"type": "custom", "tokenizer": "standard",
                                     "filter": ["lowercase", "asciifolding",
                                                *(name for name, _, _ in _SPELLING_FILTERS)]},
                },
                "filter": {name: {"type": "pattern_replace", "pattern": old,
                                  "replacement": new}
                           for name, old, new in _SPELLING_FILTERS},
            },
        },
        "mappings": {"dynamic": "strict", "properties": properties},
    }


def document(work: Work) -> dict[str, Any]:
    """The indexed source of a work: searchable fields plus the whole work, stored."""
    named = " ".join([work.title, work.subtitle, *work.creators, *work.subjects])
    source: dict[str, Any] = {
        "id": work.id,
        "title": f"{work.title} {work.subtitle}".strip(),
        "creators": list(work.creators),
        "subjects": list(work.subjects),
        "description": work.description,
        "other": other_text(work),
        "spell": named,
        "spelled": named,
        "identifiers": [*work.isbns, *work.issns],
        "exact": exact_keys(work),
        "suggest": {"input": [text.strip()[:120] for text in (work.title, *work.creators)
                              if text.strip()],
                    "weight": max(1, len(work.holdings))},
        "title_sort": title_key(work),
        "year": work.year,
        "sort_year": work.year or 0,
        "holdings": len(work.holdings),
        "copies": max(0, work.total_copies),
        "available": max(0, work.available_copies),
        "work": work.to_dict(),
    }
    source.update(facet_values(work))
    return source


def bulk_actions(index: str, upserts: Iterable[Work], deletes: Iterable[str]
                 ) -> Iterator[dict[str, Any]]:
    """Actions for ``helpers.streaming_bulk``: index each work by id, delete each id."""
    for work in upserts:
        yield {"_op_type": "index", "_index": index, "_id": work.id, "_source": document(work)}
    for work_id in deletes:
        yield {"_op_type": "delete", "_index": index, "_id": work_id}


def search_body(query: SearchQuery, phase: Phase = "all",
                understood: UnderstoodQuery | None = None) -> dict[str, Any]:
    """The ``_search`` body of one step of the widening ladder (``relax``): the words as
    ``understood`` (by default as ``understand`` finds them), filters, aggs, sort,
    highlight and (first step) a spelling suggestion."""
    if understood is None:
        understood = understand(query.text)
    matching = match_clause(understood, phase)
    must = [matching] if matching else []
    if query.where is not None:
        must.append(where_clause(query.where))
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters(query)}},
        "size": query.size,
        "track_total_hits": True,
        "sort": SORT_FIELDS[query.sort],
        "_source": ["work"],
        "aggs": aggregations(query),
    }
    if query.search_after:
        body["search_after"] = cursor_values(query)
    else:
        body["from"] = (query.page - 1) * query.size
    if query.highlight and understood.words:
        body["highlight"] = {
            "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html",
            "fields": {name: ({"number_of_fragments": 1, "fragment_size": 240}
                              if name == "description" else {"number_of_fragments": 0})
                       for name in _HIGHLIGHTED}}
    if phase == "all" and understood.words:
        body["suggest"] = {"did_you_mean": {"text": query.text, "term": {
            "field": "spell", "suggest_mode": "missing", "max_edits": 2}}}
    return body


def indexed_words_body(words: list[str]) -> dict[str, Any]:
    """A ``_search`` body asking, in one request, which of ``words`` the index holds as
    typed in titles, creators and subjects (``understand.Understanding``): one filter
    aggregation ``w0``, ``w1``, ... per word, no hits."""
    return {"size": 0, "track_total_hits": False, "query": {"match_all": {}},
            "aggs": {f"w{n}": {"filter": {"term": {"spell": {"value": word}}}}
                     for n, word in enumerate(words)}}


def match_clause(understood: UnderstoodQuery, phase: Phase) -> dict[str, Any] | None:
    """What the words and identifiers ask of a work in one step (as in the tantivy engine:
    ``all``/``similar`` every word, ``most`` all but one and ``some`` any, with ``TIER`` per
    matched word; an identifier match is enough and outranks everything)."""
    if understood.empty:
        return None
    words: dict[str, Any] | None = None
    if understood.words and phase in ("most", "some"):
        should = [tiered_clause(word, phase) for word in understood.words]
        words = {"bool": {"should": should,
                          "minimum_should_match": words_needed(understood, phase)}}
    elif understood.words:
        words = {"bool": {"must": [word_clause(word, phase) for word in understood.words]}}
    if not understood.identifiers:
        return words
    identifier = {"constant_score": {"filter": {"terms": {
        "identifiers": list(understood.identifiers)}}, "boost": IDENTIFIER_SCORE}}
    if words is None:
        return identifier
    return {"bool": {"should": [identifier, words], "minimum_should_match": 1}}


def tiered_clause(word: QueryWord, phase: Phase) -> dict[str, Any]:
    """A word of the ``most`` and ``some`` steps: its score plus ``TIER`` where it matches
    as in ``all``, ``TYPO_TIER`` where only through a typo (as ``tantivy_query._tiered``)."""
    tiers = [{"constant_score": {"filter": {"match_all": {}},
                                 "boost": TYPO_TIER if word.fuzzy else TIER}}]
    if word.fuzzy:
        tiers.append({"constant_score": {"filter": word_clause(word, "all"),
                                         "boost": TIER - TYPO_TIER}})
    return {"bool": {"must": [word_clause(word, phase)], "should": tiers}}


def word_clause(word: QueryWord, phase: Phase) -> dict[str, Any]:
    """One word in any field, best field counting most; its other spelling; a prefix when
    still being typed; typos within its distance outside the ``all`` step."""
    queries: list[dict[str, Any]] = [
        {"match": {field: {"query": word.word, "boost": boost}}}
        for field, boost in BOOSTS.items()]
    queries.append({"match": {"spelled": {"query": word.word, "boost": SPELLED_BOOST}}})
    if word.prefix:
        queries.append({"prefix": {"spell": {"value": word.word, "boost": PREFIX_BOOST}}})
    if phase != "all" and word.fuzzy:
        queries.append({"fuzzy": {"spell": {"value": word.word, "fuzziness": word.fuzzy,
                                            "boost": FUZZY_BOOST}}})
    return {"dis_max": {"queries": queries, "tie_breaker": 0.2}}


def filters(query: SearchQuery) -> list[dict[str, Any]]:
    """Filter clauses: values OR'd within a facet, facets AND'ed, year range."""
    clauses: list[dict[str, Any]] = []
    for facet, values in sorted(query.filters.items()):
        if not values:
            continue
        if facet == "year":
            ranges = [{"range": {"year": {"gte": low, "lte": high}}}
                      for low, high in map(parse_year_filter, values)]
            clauses.append({"bool": {"should": ranges, "minimum_should_match": 1}})
        else:
            clauses.append({"terms": {facet: list(values)}})
    if query.year_from is not None or query.year_to is not None:
        bounds = {k: v for k, v in (("gte", query.year_from), ("lte", query.year_to))
                  if v is not None}
        clauses.append({"range": {"year": bounds}})
    if query.available_only:
        clauses.append({"range": {"available": {"gte": 1}}})
    return clauses


def cursor_values(query: SearchQuery) -> list[Any]:
    """The typed ``search_after`` values of a hit's string sort key."""
    key = query.search_after or ()
    if len(key) != 2:
        raise QueryError("search_after must be a hit's sort_key (value, id)")
    value: Any = key[0]
    try:
        if query.sort == "relevance":
            value = float(value)
        elif query.sort == "newest":
            value = int(float(value))
    except ValueError as exc:
        raise QueryError(f"search_after value {value!r} does not fit sort {query.sort}") from exc
    return [value, key[1]]


def totals_body() -> dict[str, Any]:
    """Sums over every work, for the network statistics."""
    return {"size": 0, "track_total_hits": True, "query": {"match_all": {}},
            "aggs": {name: {"sum": {"field": name}}
                     for name in ("holdings", "copies", "available")}}


def completion_body(prefix: str, size: int) -> dict[str, Any]:
    """Completion suggester over titles and creators, most held first."""
    return {"_source": False, "suggest": {"complete": {
        "prefix": prefix, "completion": {"field": "suggest", "size": size,
                                         "skip_duplicates": True}}}}


def alias_swap(alias: str, new_index: str, old_indexes: Iterable[str]) -> dict[str, Any]:
    """One atomic ``_aliases`` call: the alias leaves the old indexes for the new one."""
    actions: list[dict[str, Any]] = [{"remove": {"index": old, "alias": alias}}
                                     for old in old_indexes]
    actions.append({"add": {"index": new_index, "alias": alias}})
    return {"actions": actions}
