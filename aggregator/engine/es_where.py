"""Field conditions (``SearchQuery.where``) in Elasticsearch's query language.

The same meaning as ``tantivy_where``: the words analysed by each field's own analyzer
(``indonesian`` stems titles and subjects, ``folded`` only folds names), ``any`` in every
text field and by spelling key, ``adj`` a phrase in title, creators or subjects, ``exact``
the folded whole values of the ``exact`` keyword (``fields.exact_keys``), ``isbn`` the
ISBN-13s ``understand`` reads in the term.
"""

from __future__ import annotations

from typing import Any

from aggregator.engine.analysis import split
from aggregator.engine.fields import BOOSTS, EXACT_PREFIXES, exact_key
from aggregator.query import Combined, Condition, Everything, Where
from aggregator.understand import condition_identifiers, condition_words

INDEX_FIELDS = {"title": ["title"], "creator": ["creators"], "subject": ["subjects"],
                "any": [*BOOSTS, "spelled"]}
PHRASE_FIELDS = ("title", "creators", "subjects")
_NOTHING: dict[str, Any] = {"match_none": {}}


def where_clause(where: Where) -> dict[str, Any]:
    """The ``bool`` clause that matches exactly the works meeting ``where``."""
    if isinstance(where, Combined):
        left, right = where_clause(where.left), where_clause(where.right)
        if where.operator == "and":
            return {"bool": {"must": [left, right]}}
        if where.operator == "or":
            return {"bool": {"should": [left, right], "minimum_should_match": 1}}
        return {"bool": {"must": [left], "must_not": [right]}}
    if isinstance(where, Everything):
        return {"match_all": {}}
    return _condition(where)


def _condition(condition: Condition) -> dict[str, Any]:
    """One condition; one that can match nothing (no words, no ISBN) matches nothing."""
    if condition.field == "isbn":
        codes = condition_identifiers(condition.value)
        return {"terms": {"identifiers": codes}} if codes else _NOTHING
    if condition.relation == "exact":
        names = EXACT_PREFIXES if condition.field == "any" else (condition.field,)
        return {"terms": {"exact": [exact_key(name, condition.value) for name in names]}} \
            if split(condition.value) else _NOTHING
    words = condition_words(condition.value)
    if not words:
        return _NOTHING
    fields = INDEX_FIELDS[condition.field]
    if condition.relation == "adj":
        return {"bool": {"should": [{"match_phrase": {field: {"query": condition.value}}}
                                    for field in fields if field in PHRASE_FIELDS],
                         "minimum_should_match": 1}}
    per_word = [{"multi_match": {"query": word, "fields": fields}} for word in words]
    if condition.relation == "all":
        return {"bool": {"must": per_word}}
    return {"bool": {"should": per_word, "minimum_should_match": 1}}
