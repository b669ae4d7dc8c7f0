"""The contract of field conditions (``SearchQuery.where``), on every backend.

Each relation as SRU's CQL means it (``all``, ``any``, ``adj``, ``exact``) on title,
creator, subject, ISBN and every field, joined by and, or and not; runs on tantivy and, with
``ELASTICSEARCH_URL``, on a live cluster (the contract suite's fixtures).
"""

from __future__ import annotations

import pytest

from aggregator.query import Combined, Condition, Everything, SearchQuery
from tests.aggregator.test_engine_contract import engine, engines, ids
from tests.support.engines import WORKS

__all__ = ["engine", "engines"]


def found(engine, where, text: str = "") -> set[str]:
    """Ids of every work meeting ``where`` (and ``text``)."""
    return set(ids(engine.search(SearchQuery(text=text, where=where, size=50))))


@pytest.mark.parametrize(("condition", "expected"), [
    (Condition("title", "adj", "Laskar Pelangi"), {"w-laskar"}),
    (Condition("title", "adj", "pelangi laskar"), set()),
    (Condition("title", "all", "pelangi laskar"), {"w-laskar"}),
    (Condition("title", "any", "pelangi pemimpi"), {"w-laskar", "w-hirata"}),
    (Condition("title", "all", "membaca"), {"w-baca"}),
    (Condition("title", "exact", "laskar pelangi"), {"w-laskar"}),
    (Condition("title", "exact", "Laskar"), set()),
    (Condition("creator", "exact", "ANDREA HIRATA"), {"w-laskar", "w-hirata"}),
    (Condition("creator", "adj", "hirata andrea"), set()),
    (Condition("creator", "all", "hirata"), {"w-laskar", "w-hirata"}),
    (Condition("creator", "all", "pelangi"), set()),
    (Condition("subject", "all", "pendidikan"), {"w-baca", "w-laskar", "w-english"}),
    (Condition("subject", "exact", "novel"), {"w-laskar", "w-hirata"}),
    (Condition("isbn", "exact", "979-3062-79-7"), {"w-laskar"}),
    (Condition("isbn", "exact", "978-0-00-000000-2"), set()),
    (Condition("isbn", "exact", "9789793062791"), set()),
    (Condition("any", "all", "membaca"), {"w-baca", "w-sejarah"}),
    (Condition("any", "all", "djakarta"), set()),
    (Condition("any", "exact", "novel"), {"w-laskar", "w-hirata"}),
])
def test_each_relation_on_each_field(engine, condition, expected):
    assert found(engine, condition) == expected


def test_and_or_not_combine_conditions(engine):
    hirata = Condition("creator", "all", "hirata")
    pemimpi = Condition("title", "any", "pemimpi")
    python = Condition("title", "all", "python")
    assert found(engine, Combined("and", hirata, pemimpi)) == {"w-hirata"}
    assert found(engine, Combined("not", hirata, pemimpi)) == {"w-laskar"}
    assert found(engine, Combined("or", Combined("not", hirata, pemimpi), python)) \
        == {"w-laskar", "w-ebook"}
    everything_but = Combined("not", Everything(), Condition("subject", "exact", "novel"))
    assert found(engine, everything_but) == {w.id for w in WORKS} - {"w-laskar", "w-hirata"}


def test_conditions_narrow_the_text_search_and_its_widening(engine):
    novel = Condition("subject", "exact", "Novel")
    assert found(engine, novel, text="andrea hirata") == {"w-laskar", "w-hirata"}
    assert found(engine, novel, text="pelangy") == {"w-laskar"}, "the typo still forgiven"
    assert found(engine, Condition("title", "all", "sejarah"), text="hirata") == set()
