"""How one step of the widening ladder (``relax``) becomes a tantivy query.

Each word is one disjunction over the fields (best field boosted per ``fields.BOOSTS``):
as typed or stemmed, in its other spelling, as a prefix while still being typed, and
within its typo distance where the step allows typos. ``all`` and ``similar`` need every
word, ``most`` all but one, ``some`` any of them, each matched word adding ``relax.TIER``
there (``relax.TYPO_TIER`` if only through a typo); facet filters, year bounds, copies on
the shelf and field conditions (``tantivy_where``) narrow every step.
"""

from __future__ import annotations

import tantivy
from tantivy import Occur, Query

from aggregator.engine.analysis import Analyzer
from aggregator.engine.base import QueryError
from aggregator.engine.fields import BOOSTS, parse_year_filter
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
from aggregator.engine.tantivy_schema import SCHEMA
from aggregator.engine.tantivy_where import where_query
from aggregator.query import SearchQuery
from aggregator.understand import QueryWord, UnderstoodQuery


def step_query(understood: UnderstoodQuery, query: SearchQuery, phase: Phase,
               analyzer: Analyzer) -> Query:
    """The tantivy query of one ladder step, with every filter."""
    clauses = [(Occur.Must, clause) for clause in _filters(query)]
    if query.where is not None:
        clauses.append((Occur.Must, where_query(query.where, analyzer)))
    matching = _matching(understood, phase)
    if matching is not None:
        clauses.append((Occur.Must, matching))
    if not clauses:
        return Query.all_query()
    if matching is None:
        clauses.append((Occur.Must, Query.all_query()))
    return Query.boolean_query(clauses)


def _filters(query: SearchQuery) -> list[Query]:
    """Facet values (OR within a facet), year bounds, and copies on the shelf."""
    clauses: list[Query] = []
    for facet, values in sorted(query.filters.items()):
        if not values:
            continue
        if facet == "year":
            ranges = [_year_range(*parse_year_filter(v)) for v in values]
            clauses.append(Query.boolean_query([(Occur.Should, r) for r in ranges]))
        else:
            clauses.append(Query.term_set_query(SCHEMA, facet, list(values)))
    if query.year_from is not None or query.year_to is not None:
        clauses.append(_year_range(query.year_from, query.year_to))
    if query.available_only:
        clauses.append(Query.range_query(SCHEMA, "available", tantivy.FieldType.Integer,
                                         1, None))
    return clauses


def _year_range(low: int | None, high: int | None) -> Query:
    """Works published between ``low`` and ``high`` inclusive (either may be open)."""
    if low is not None and high is not None and high < low:
        raise QueryError(f"year_to {high} is before year_from {low}")
    return Query.range_query(SCHEMA, "year", tantivy.FieldType.Integer, low, high)


def _matching(understood: UnderstoodQuery, phase: Phase) -> Query | None:
    """What the words and identifiers of a query ask of a work in one ladder step.

    ``all`` and ``similar``: every word; ``most``: all words but one, ``some``: any word,
    each one matched adding ``TIER``. An identifier match is enough on its own and
    outranks every word match.
    """
    if understood.empty:
        return None
    per_word = [_word_query(w, phase) for w in understood.words]
    if phase in ("most", "some"):
        tiered = [(Occur.Should, _tiered(word, query))
                  for word, query in zip(understood.words, per_word, strict=True)]
        words_query = Query.boolean_query(
            tiered, minimum_number_should_match=words_needed(understood, phase)) \
            if tiered else None
    else:
        words_query = Query.boolean_query([(Occur.Must, q) for q in per_word]) \
            if per_word else None
    if not understood.identifiers:
        return words_query
    identifier = Query.const_score_query(
        Query.term_set_query(SCHEMA, "identifiers", list(understood.identifiers)),
        IDENTIFIER_SCORE)
    if words_query is None:
        return identifier
    return Query.boolean_query([(Occur.Should, identifier), (Occur.Should, words_query)],
                               minimum_number_should_match=1)


def _tiered(word: QueryWord, query: Query) -> Query:
    """A word of the ``most`` and ``some`` steps: its score plus ``TIER`` where it matches
    as in ``all``, ``TYPO_TIER`` where it matches only through a typo.

    The tier rides on an ``all_query`` consulted only where the word matched, so the
    word's postings are read once; with typo tolerance, the rest of the tier is one more
    clause beside it, as a union (a required clause with that one optional beside it
    costs half as much again: it seeks the word's fields at every match).
    """
    if not word.fuzzy:
        return _plus(query, TIER)
    return Query.boolean_query([(Occur.Should, Query.const_score_query(
        _word_query(word, "all"), TIER - TYPO_TIER)), (Occur.Should, _plus(query, TYPO_TIER))],
        minimum_number_should_match=1)


def _plus(query: Query, score: float) -> Query:
    """``query`` with ``score`` added to every match."""
    return Query.boolean_query([(Occur.Must, query), (Occur.Should, Query.const_score_query(
        Query.all_query(), score))])


def _word_query(word: QueryWord, phase: Phase) -> Query:
    """One word in any field, the best field counting most (names are indexed unstemmed):
    as typed or stemmed, in its other spelling, as a prefix, and (every step but ``all``)
    within its typo distance."""
    per_field = [Query.boost_query(Query.term_query(
        SCHEMA, field, word.word if field == "creators" else word.stem), boost)
        for field, boost in BOOSTS.items()]
    per_field.append(Query.boost_query(Query.term_query(SCHEMA, "spelled", word.key),
                                       SPELLED_BOOST))
    if word.prefix:
        # One-word phrase prefix: tantivy expands it to at most 50 indexed words.
        per_field.append(Query.boost_query(Query.phrase_prefix_query(
            SCHEMA, "spell", [word.word]), PREFIX_BOOST))
    if phase != "all" and word.fuzzy:
        per_field.append(Query.boost_query(Query.fuzzy_term_query(
            SCHEMA, "spell", word.word, distance=word.fuzzy), FUZZY_BOOST))
    return Query.disjunction_max_query(per_field, 0.2)
