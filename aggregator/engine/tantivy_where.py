"""Field conditions (``SearchQuery.where``) as tantivy queries, joined by and, or and not.

Words are analysed as the index analysed them (titles and subjects stemmed, names only
folded, stopwords dropped), so a condition forgives case, accents, affixes and little
words; ``any`` looks in every text field and also by spelling key (old and new spelling
meet); ``adj`` wants the words in order in one field (title, creators or subjects keep
positions); ``exact`` compares whole folded values (``fields.exact_keys``); an ``isbn``
condition reads ISBNs as ``understand`` does (hyphens, ISBN-10) and compares ISBN-13s.
"""

from __future__ import annotations

from tantivy import Occur, Query

from aggregator.engine.analysis import Analyzer, split
from aggregator.engine.fields import BOOSTS, EXACT_PREFIXES, exact_key
from aggregator.engine.tantivy_schema import PHRASE_FIELDS, SCHEMA
from aggregator.indonesian import spelling_key
from aggregator.query import Combined, Condition, Everything, Where
from aggregator.understand import condition_identifiers, condition_words

INDEX_FIELDS = {"title": ("title",), "creator": ("creators",), "subject": ("subjects",),
                "any": tuple(BOOSTS)}
"""The index fields each condition field looks in."""


def where_query(where: Where, analyzer: Analyzer) -> Query:
    """The tantivy query that matches exactly the works meeting ``where``."""
    if isinstance(where, Combined):
        left, right = where_query(where.left, analyzer), where_query(where.right, analyzer)
        if where.operator == "and":
            return Query.boolean_query([(Occur.Must, left), (Occur.Must, right)])
        if where.operator == "or":
            return Query.boolean_query([(Occur.Should, left), (Occur.Should, right)],
                                       minimum_number_should_match=1)
        return Query.boolean_query([(Occur.Must, left), (Occur.MustNot, right)])
    if isinstance(where, Everything):
        return Query.all_query()
    return _condition(where, analyzer)


def _condition(condition: Condition, analyzer: Analyzer) -> Query:
    """One condition; one that can match nothing (no words, no ISBN) matches nothing."""
    if condition.field == "isbn":
        codes = condition_identifiers(condition.value)
        return Query.term_set_query(SCHEMA, "identifiers", codes) if codes \
            else Query.empty_query()
    if condition.relation == "exact":
        names = EXACT_PREFIXES if condition.field == "any" else (condition.field,)
        keys = [exact_key(name, condition.value) for name in names]
        return Query.term_set_query(SCHEMA, "exact", keys) if split(condition.value) \
            else Query.empty_query()
    words = condition_words(condition.value)
    if not words:
        return Query.empty_query()
    fields = INDEX_FIELDS[condition.field]
    if condition.relation == "adj":
        phrases = [_phrase(field, condition.value, words, analyzer) for field in fields
                   if field in PHRASE_FIELDS]
        return Query.boolean_query([(Occur.Should, q) for q in phrases],
                                   minimum_number_should_match=1)
    per_word = [_word(word, fields, condition.field == "any", analyzer) for word in words]
    occur = Occur.Must if condition.relation == "all" else Occur.Should
    return Query.boolean_query([(occur, q) for q in per_word],
                               minimum_number_should_match=0 if occur == Occur.Must else 1)


def _term(field: str, word: str, analyzer: Analyzer) -> str:
    """A folded word as ``field`` indexes it (names unstemmed, the rest stemmed)."""
    return word if field == "creators" else analyzer.stem(word)


def _word(word: str, fields: tuple[str, ...], spelled: bool, analyzer: Analyzer) -> Query:
    """One word in any of ``fields`` (and by spelling key when ``spelled``)."""
    options = [Query.term_query(SCHEMA, field, _term(field, word, analyzer)) for field in fields]
    if spelled:
        options.append(Query.term_query(SCHEMA, "spelled", spelling_key(word)))
    return Query.boolean_query([(Occur.Should, q) for q in options],
                               minimum_number_should_match=1)


def _phrase(field: str, value: str, words: list[str], analyzer: Analyzer) -> Query:
    """The words next to each other, in order, in one positioned field (names are indexed
    with their little words, the other fields without)."""
    terms = split(value) if field == "creators" else [analyzer.stem(word) for word in words]
    if len(terms) == 1:
        return Query.term_query(SCHEMA, field, terms[0])
    return Query.phrase_query(SCHEMA, field, terms)
