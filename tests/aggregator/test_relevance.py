"""Search forgives: the relevance set of real seed titles, and the issue's own examples.

The index holds all 6,209 seed books (one work each) in a real tantivy index; the queries
are those a patron types (``tests/support/relevance.py``). Per-kind figures are in
docs/ui.md ("How search forgives").
"""

from __future__ import annotations

from collections import Counter

import pytest

from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.model import Work
from aggregator.query import SearchQuery
from tests.support.relevance import Case, cases, seed_works

FOUND_AT_LEAST = 0.95
KIND_AT_LEAST = 0.90


@pytest.fixture(scope="module")
def works() -> list[Work]:
    return seed_works()


@pytest.fixture(scope="module")
def engine(works, tmp_path_factory):
    path = tmp_path_factory.mktemp("relevance") / "index"
    with TantivyEngine(path, writer=True, heap_mb=100, threads=1) as writer:
        writer.upsert(works)
        writer.commit()
    reader = TantivyEngine(path)
    yield reader
    reader.close()


def top_ten(engine, text: str) -> list[Work]:
    return [h.work for h in engine.search(SearchQuery(text=text, size=10, highlight=False,
                                                      facets=())).hits]


def found(engine, case: Case) -> bool:
    return any(work.id in case.wanted for work in top_ten(engine, case.text))


def test_the_relevance_set_finds_95_percent_in_the_top_ten(engine, works):
    every = list(cases(works))
    assert len(every) >= 250
    kinds = Counter(c.kind for c in every)
    hits = Counter(c.kind for c in every if found(engine, c))
    assert sum(hits.values()) / len(every) >= FOUND_AT_LEAST
    weak = {k: f"{hits[k]}/{n}" for k, n in kinds.items() if hits[k] / n < KIND_AT_LEAST}
    assert not weak, f"kinds below {KIND_AT_LEAST:.0%}: {weak}"


def titles(engine, text: str) -> list[str]:
    return [work.title for work in top_ten(engine, text)]


@pytest.mark.parametrize(("typed", "title"), [
    ("978-602-03-1765-6", "Buku Lengkap Aneka Cake"),
    ("979-2248-30-7", "Usaha Boga Resep Ny.Liem Kue Kering Berhias"),
    ("ISBN 9786230130069", "Pedoman Model Pengembangan Diri untuk Peserta Didik"),
])
def test_an_isbn_as_printed_finds_its_book_first(engine, typed, title):
    assert titles(engine, typed)[:1] == [title]


def test_old_and_new_spelling_find_the_same_books(engine):
    assert any("Jakarta" in t for t in titles(engine, "djakarta"))
    sukarno, soekarno = (engine.search(SearchQuery(text=q, size=0)).total
                         for q in ("sukarno", "soekarno"))
    assert sukarno == soekarno >= 7
    lukas = [w for w in top_ten(engine, "lukas susanto")
             if any("Loekas Soesanto" in c or "LOEKAS SOESANTO" in c for c in w.creators)]
    assert len(lukas) >= 2


@pytest.mark.parametrize("typed", ["buku sejarah", "novel remaja", "sejarah indonesia"])
def test_a_word_that_matches_is_never_lost_to_one_that_does_not(engine, typed):
    result = engine.search(SearchQuery(text=typed, size=10))
    assert result.total >= 10 and result.matching == "some"
    words = typed.split()
    texts = [" ".join([h.work.title, *h.work.subjects, *h.work.creators, h.work.publisher]).lower()
             for h in result.hits]
    assert all(any(w in text for w in words) for text in texts)
    complete = [i for i, text in enumerate(texts) if all(w in text for w in words)]
    assert complete == list(range(len(complete))), "works with every word come first"


def test_a_word_still_being_typed_completes(engine):
    assert all("Matematika" in t or "matematika" in t.lower()
               for t in titles(engine, "matematik")[:10])


def test_an_author_with_degrees_finds_their_books(engine):
    assert "Model Pengembangan Montessori Islami" in titles(engine, "Dr. Syefriani Darnis, M.Pd.")
    assert "Islam dan Ilmu Pengetahuan Matematika" in titles(engine, "Dr. Kusno, M. Pd")


def test_did_you_mean_offers_no_correction_that_finds_nothing_more(engine):
    result = engine.search(SearchQuery(text="harry potter"))
    assert result.suggestion != "harry poster"
    if result.suggestion:
        corrected = engine.search(SearchQuery(text=result.suggestion, size=0))
        strict = engine.search(SearchQuery(text="harry potter", size=0))
        assert corrected.total > strict.total


def test_a_one_letter_typo_in_a_two_word_title_finds_it(engine):
    assert "Laskar Pelangi" not in titles(engine, "zzzz")
    assert any("Aneka Cake" in t for t in titles(engine, "aneka ckae"))
