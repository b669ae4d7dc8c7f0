"""One contract, every backend: what each field of the query model means.

Runs on a real tantivy index in a temporary folder, and on a live Elasticsearch cluster
when ``ELASTICSEARCH_URL`` is set (skipped otherwise).
"""

from __future__ import annotations

import dataclasses
import os
import random
import re
from collections import Counter

import pytest

from aggregator.engine.base import QueryError
from aggregator.engine.fields import year_bucket
from aggregator.model import Holding, Work
from aggregator.query import FACETS, SearchQuery, SearchResult
from tests.support.engines import (
    PALANGKA,
    STATUS_KNOWN,
    WORKS,
    elasticsearch_pair,
    holding,
    tantivy_pair,
)

BACKENDS = [
    pytest.param(tantivy_pair, id="tantivy"),
    pytest.param(elasticsearch_pair, id="elasticsearch", marks=pytest.mark.skipif(
        not os.environ.get("ELASTICSEARCH_URL"), reason="ELASTICSEARCH_URL not set")),
]


@pytest.fixture(params=BACKENDS)
def engines(request, tmp_path):
    """(writer, reader) with the sample works indexed and committed."""
    with request.param(tmp_path) as (writer, reader):
        writer.upsert(WORKS)
        writer.commit()
        yield writer, reader


@pytest.fixture
def engine(engines):
    """The reader side: a separate engine that sees the writer's commits."""
    return engines[1]


def ids(result) -> list[str]:
    """Work ids of a result page, in order."""
    return [hit.work.id for hit in result.hits]


def searched(pair, tmp_path, titles: dict[str, str], *texts: str) -> list[SearchResult]:
    """Index one work per (id, title), each held by one library, and run each of ``texts``
    (a page of 50) on a fresh index of that backend."""
    works = [Work(id=work_id, title=title, holdings=[holding("kota", PALANGKA)])
             for work_id, title in titles.items()]
    with pair(tmp_path) as (writer, reader):
        writer.upsert(works)
        writer.commit()
        return [reader.search(SearchQuery(text=text, size=50)) for text in texts]


def test_stemming_finds_root_and_affixed_forms(engine):
    assert set(ids(engine.search(SearchQuery(text="membaca")))) == {"w-baca", "w-sejarah"}
    assert "w-sejarah" in ids(engine.search(SearchQuery(text="baca")))
    assert ids(engine.search(SearchQuery(text="sekolah"))) == ["w-laskar"]
    assert len(ids(engine.search(SearchQuery(text="pendidik")))) == 3, "pendidikan → didik"
    assert ids(engine.search(SearchQuery(text="kalimantanisasi"))) == []


def test_all_words_rank_first_then_most_words_and_stopwords_are_ignored(engine):
    result = engine.search(SearchQuery(text="andrea hirata pelangi"))
    assert ids(result) == ["w-laskar", "w-hirata"], "all three words first, then two of them"
    assert result.matching == "most"
    assert ids(engine.search(SearchQuery(text="laskar yang pelangi"))) == ["w-laskar"]


@pytest.mark.parametrize("pair", BACKENDS)
def test_three_words_settle_on_works_with_all_but_one_before_works_with_one(pair, tmp_path):
    """Ten works or more with two of three words answer alone: the works with only one of
    them are in neither the page, nor the total, nor the facets."""
    titles = {"w-all": "Kebun kopi rakyat",
              **{f"w-two-{n:02d}": f"Kebun kopi nusantara {n}" if n % 2
                 else f"Kopi rakyat pedalaman {n}" for n in range(12)},
              **{f"w-one-{n:02d}": f"Kebun bunga {n}" for n in range(20)}}
    result, wider = searched(pair, tmp_path, titles, "kebun kopi rakyat",
                             "kebun kopi rakyat sawit")
    assert result.matching == "most" and result.all_words_total == 1
    assert result.total == 13 and ids(result)[0] == "w-all"
    assert sorted(ids(result)[1:]) == [f"w-two-{n:02d}" for n in range(12)]
    assert [(v.value, v.count) for v in result.facets["library"]] == [("kota", 13)]
    assert wider.matching == "some" and wider.total == 33, "three of four: too few, so any"


def test_a_query_never_finds_nothing_while_one_of_its_words_matches(engine):
    result = engine.search(SearchQuery(text="buku kalimantan"))
    assert ids(result) == ["w-sejarah"]
    assert result.matching == "some"
    assert engine.search(SearchQuery(text="zzzqx kalimantan")).total == 1
    assert engine.search(SearchQuery(text="zzzqx wwwqy")).total == 0


def test_a_typo_in_a_word_of_five_letters_or_more_still_finds_it(engine):
    result = engine.search(SearchQuery(text="laskar pelagi"))
    assert ids(result) == ["w-laskar"]
    assert result.matching == "similar"
    assert ids(engine.search(SearchQuery(text="pemrogramman pytohn"))) == ["w-ebook"]
    assert engine.search(SearchQuery(text="snag")).total == 0, "four letters: no typos"
    assert engine.search(SearchQuery(text="1959")).total == 0, "numbers never fuzzy"


@pytest.mark.parametrize("pair", BACKENDS)
def test_a_work_with_every_word_one_misspelt_ranks_above_works_with_fewer(pair, tmp_path):
    """When a search widens to some of its words, a word matched only through a typo still
    counts as matched: the one work with both words comes before the works with one."""
    titles = {"w-typo": "Metodologi penelitian kualitatif berbagi pengalaman dari lapangan "
                        "untuk mahasiswa peneliti dan dosen di perguruan tinggi",
              **{f"w-alam-{n:02d}": f"Pengalaman {n}" for n in range(12)},
              **{f"w-bagi-{n:02d}": f"Berbagi {n}" for n in range(30)}}
    [result] = searched(pair, tmp_path, titles, "berrbagi pengalaman")
    assert result.matching == "some" and result.total == 43
    assert ids(result)[0] == "w-typo"


def test_exact_and_stemmed_matches_rank_above_typo_matches(engine):
    # "pelangi" matches exactly; "pemimpi" is also one edit from "pemimpin"-like typos:
    # the typo "pemimpi" for itself must rank the exact title first.
    result = engine.search(SearchQuery(text="sang pemimpin"))
    assert ids(result)[0] == "w-hirata"
    assert result.matching == "similar"


def test_the_last_word_also_matches_as_a_prefix(engine):
    assert ids(engine.search(SearchQuery(text="pemrog"))) == ["w-ebook"]
    assert ids(engine.search(SearchQuery(text="sejarah kaliman"))) == ["w-sejarah"]
    assert engine.search(SearchQuery(text="pemrog ")).total == 0, \
        "a trailing space ends the word: no prefix"


def test_old_and_new_spelling_find_each_other(engine):
    assert ids(engine.search(SearchQuery(text="cilik riwut"))) == ["w-sejarah"]
    assert ids(engine.search(SearchQuery(text="sedjarah kalimantan"))) == ["w-sejarah"]
    assert engine.search(SearchQuery(text="cilik riwut")).matching == "all"


def test_an_isbn_in_any_printed_form_ranks_its_book_first(engine):
    for typed in ("9789793062792", "978-979-3062-79-2", "979-3062-79-7", "ISBN 979 3062 79 7",
                  "isbn:978-979-3062-79-2", "ISBN-13: 9789793062792"):
        result = engine.search(SearchQuery(text=typed))
        assert ids(result)[:1] == ["w-laskar"], typed
    assert ids(engine.search(SearchQuery(text="979-3062-79-7 sang pemimpi")))[0] == "w-laskar"


def test_honorifics_and_degrees_are_dropped_from_a_query(engine):
    result = engine.search(SearchQuery(text="Dr. Andrea Hirata, M.Pd."))
    assert set(ids(result)) == {"w-laskar", "w-hirata"}
    assert result.matching == "all"
    assert ids(engine.search(SearchQuery(text="Prof. Dr. H. Tjilik Riwut, S.Pd."))) \
        == ["w-sejarah"]


@pytest.mark.parametrize("typed", [
    '"laskar pelangi"', "title:laskar", "(laskar) AND [pelangi]", "laskar*", "pelangi~2",
    "-laskar", "+laskar -", "\\", "!!!???", "...", "yang dan di", "x" * 2048,
    " ".join(["laskar"] * 60), "la\u0301skar pelangi\u0308", "{\"q\": 1}", "%00 %27", "\u202e",
])
def test_no_text_makes_a_search_fail(engine, typed):
    result = engine.search(SearchQuery(text=typed))
    assert result.total >= 0 and isinstance(result.hits, list)


def test_available_now_keeps_works_with_a_copy_on_the_shelf(engine):
    shelf = engine.search(SearchQuery(available_only=True))
    assert "w-ebook" not in ids(shelf)
    assert set(ids(shelf)) == {"w-baca", "w-laskar", "w-sejarah", "w-hirata", "w-english"}


def test_diacritics_and_case_fold(engine):
    assert ids(engine.search(SearchQuery(text="LÁSKAR"))) == ["w-laskar"]


def test_title_outranks_creators_outranks_subjects_outranks_description(engine):
    result = engine.search(SearchQuery(text="pendidikan"))
    assert ids(result)[0] in {"w-baca", "w-laskar", "w-english"}
    hirata = ids(engine.search(SearchQuery(text="hirata")))
    assert set(hirata) == {"w-laskar", "w-hirata"}
    ranked = ids(engine.search(SearchQuery(text="anak")))
    assert ranked == ["w-baca", "w-laskar"], "title match first, description match last"


def test_filters_are_or_within_a_facet_and_and_across(engine):
    kotim = engine.search(SearchQuery(filters={"library": ("kotim",)}))
    assert set(ids(kotim)) == {"w-baca", "w-laskar", "w-ebook"}
    either = engine.search(SearchQuery(filters={"library": ("kota", "kotim")}))
    assert set(ids(either)) == {"w-baca", "w-laskar", "w-ebook", "w-hirata"}
    both = engine.search(SearchQuery(filters={"library": ("kotim",), "material_type": ("ebook",)}))
    assert ids(both) == ["w-ebook"]
    assert engine.search(SearchQuery(text="novel", filters={"language": ("eng",)})).total == 0


def test_a_series_is_a_filter_and_its_words_are_searchable(engine):
    assert ids(engine.search(SearchQuery(filters={"series": ("Seri Literasi Dini",)}))) == [
        "w-baca"]
    assert engine.search(SearchQuery(filters={"series": ("Seri Literasi",)})).total == 0
    assert ids(engine.search(SearchQuery(text="literasi"))) == ["w-baca"]
    assert "series" not in engine.search(SearchQuery()).facets, "a filter, not a facet"
    with pytest.raises(QueryError):
        engine.search(SearchQuery(facets=("series",)))


def test_facet_counts_cover_all_matches_not_just_the_page(engine):
    result = engine.search(SearchQuery(size=1))
    assert result.total == len(WORKS) and len(result.hits) == 1
    libraries = {v.value: v.count for v in result.facets["library"]}
    assert libraries == {"prov": 4, "kota": 2, "kotim": 3}
    assert {v.value: v.count for v in result.facets["district"]} == {
        "Kota Palangka Raya": 5, "Kabupaten Kotawaringin Timur": 3}
    assert result.facets["subject"][0].value == "Pendidikan"
    assert result.facets["subject"][0].count == 3
    decades = [(v.value, v.count) for v in result.facets["year"]]
    assert decades == [("2020-2029", 1), ("2010-2019", 1), ("2000-2009", 2),
                       ("1990-1999", 1), ("1950-1959", 1)]
    only = engine.search(SearchQuery(text="hirata", facets=("material_type",)))
    assert set(only.facets) == {"material_type"}
    assert only.facets["material_type"][0].count == 2


def _holdings(pick: random.Random) -> list[Holding]:
    """None to three libraries (one sometimes held twice), some districts shared, some
    libraries with no district: the shapes a facet column must count once per work."""
    libraries = pick.sample(range(40), pick.choice([0, 1, 1, 1, 2, 3]))
    held = [holding(f"lib{lib:02d}", "" if lib % 11 == 0 else f"Kabupaten {lib % 9}")
            for lib in libraries]
    return held + held[:1] if pick.random() < 0.1 else held


@pytest.mark.parametrize("pair", BACKENDS)
def test_each_facet_lists_its_top_values_with_exact_counts(pair, tmp_path):
    """More values than ``facet_size``, works written over several commits (segments):
    each facet lists its most frequent values (ties by value, decades newest first) with
    counts equal to those taken from the works themselves, over every work and over the
    works a word matches."""
    pick = random.Random(8)
    works = [Work(id=f"w-{n:03d}", title=f"Buku {pick.choice(['merah', 'biru'])} {n}",
                  year=pick.choice([None, *range(1900, 2026)]),
                  language=pick.choice(["ind", "eng", "jav", "ban", "min", ""]),
                  material_type=pick.choice(["book", "ebook", "map", "serial", ""]),
                  subjects=pick.sample([f"Subjek {s}" for s in range(30)], 2),
                  holdings=_holdings(pick))
             for n in range(240)]
    with pair(tmp_path) as (writer, reader):
        for start in range(0, len(works), 60):
            writer.upsert(works[start:start + 60])
            writer.commit()
        results = {text: reader.search(SearchQuery(text=text, size=0, facet_size=4))
                   for text in ("", "merah")}
    for text, result in results.items():
        expected: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
        for work in works:
            if text not in work.title:
                continue
            expected["library"].update({h.library_id for h in work.holdings})
            expected["district"].update({h.district for h in work.holdings if h.district})
            expected["language"].update([work.language] if work.language else [])
            expected["material_type"].update([work.material_type] if work.material_type else [])
            expected["subject"].update(work.subjects)
            expected["year"].update([year_bucket(work.year)] if work.year else [])
        assert result.total == sum(text in work.title for work in works)
        for facet in FACETS:
            shown = [(v.value, v.count) for v in result.facets[facet]]
            if facet == "year":
                assert shown == sorted(expected[facet].items(), reverse=True)[:4]
            else:
                assert shown == sorted(expected[facet].items(),
                                       key=lambda vc: (-vc[1], vc[0]))[:4], (text, facet)


def test_year_range_and_decade_filter(engine):
    assert set(ids(engine.search(SearchQuery(year_from=2005, year_to=2015)))) == {
        "w-baca", "w-laskar", "w-hirata"}
    assert set(ids(engine.search(SearchQuery(year_to=1993)))) == {"w-sejarah", "w-english"}
    decade = engine.search(SearchQuery(filters={"year": ("2000-2009", "1958")}))
    assert set(ids(decade)) == {"w-laskar", "w-hirata", "w-sejarah"}
    with pytest.raises(QueryError):
        engine.search(SearchQuery(filters={"year": ("soon",)}))
    with pytest.raises(QueryError):
        engine.search(SearchQuery(year_from=2000, year_to=1990))


def test_sorts(engine):
    newest = ids(engine.search(SearchQuery(sort="newest")))
    assert newest == ["w-ebook", "w-baca", "w-hirata", "w-laskar", "w-english", "w-sejarah"]
    titles = [h.work.title for h in engine.search(SearchQuery(sort="title")).hits]
    assert titles == sorted(titles, key=str.lower)


TWINS = [Work(id=f"w-twin-{n:02d}" if n % 3 else f"w-twin-long-alike-{n:02d}",
              title="Kumpulan Soal Ujian", year=2019 + n % 2,
              holdings=[holding("kota", PALANGKA)]) for n in range(40)]
"""Forty works every query scores alike: only a tie-break tells them apart (a third of
their ids alike in their first 16 bytes, where tantivy's id columns end)."""


@pytest.mark.parametrize(("sort", "text", "key"), [
    ("relevance", "kumpulan soal", lambda w: w.id),
    ("relevance", "", lambda w: w.id),
    ("newest", "soal", lambda w: (-w.year, w.id)),
    ("title", "", lambda w: w.id),
])
def test_equal_scores_and_keys_order_by_work_id_however_the_index_was_built(
        engines, sort, text, key):
    writer, reader = engines
    expected = [w.id for w in sorted(TWINS, key=key)]
    for order in (TWINS[::3] + TWINS[1::3] + TWINS[2::3], TWINS[::-1]):
        writer.delete(w.id for w in TWINS)
        writer.commit()
        for start in range(0, len(order), 9):  # several segments, in a shuffled order
            writer.upsert(order[start:start + 9])
            writer.commit()
        query = SearchQuery(text=text, sort=sort, size=7, filters={"library": ("kota",)})
        pages = [ids(reader.search(dataclasses.replace(query, page=page)))
                 for page in range(1, 8)]
        walked = [i for page in pages for i in page if i.startswith("w-twin")]
        assert walked == expected, (sort, text)


@pytest.mark.parametrize("sort", ["relevance", "newest", "title"])
def test_pages_and_search_after_walk_every_match_once(engine, sort):
    pages = [ids(engine.search(SearchQuery(sort=sort, page=p, size=2))) for p in (1, 2, 3, 4)]
    assert pages[3] == []
    walked = [i for page in pages for i in page]
    assert sorted(walked) == sorted(w.id for w in WORKS)
    cursor, after = None, []
    while True:
        result = engine.search(SearchQuery(sort=sort, size=2, search_after=cursor))
        if not result.hits:
            break
        after += ids(result)
        cursor = result.hits[-1].sort_key
    assert after == walked


def test_highlights_mark_original_words_and_escape_the_rest(engine):
    hit = engine.search(SearchQuery(text="membaca dayak")).hits[0]
    assert hit.work.id == "w-sejarah"
    description = hit.highlights["description"]
    assert "<mark>Dayak</mark>" in description and "<mark>membaca</mark>" in description
    assert "&lt;" in description and "&amp;" in description
    assert re.sub(r"</?mark>", "", description).count("<") == 0
    forest = engine.search(SearchQuery(text="forest")).hits[0]
    assert forest.highlights["title"] == "Reading the &lt;<mark>Forest</mark>&gt; &amp; Rivers"
    assert engine.search(SearchQuery(text="forest", highlight=False)).hits[0].highlights == {}


def test_did_you_mean_for_misspelled_words(engine):
    result = engine.search(SearchQuery(text="laskar pelangy"))
    assert result.total == 1 and result.matching == "similar"
    assert result.suggestion == "laskar pelangi"
    assert engine.search(SearchQuery(text="pelangi")).suggestion is None


@pytest.mark.parametrize("pair", BACKENDS)
def test_did_you_mean_prefers_the_word_one_typo_away(pair, tmp_path):
    """However many works hold a word two edits away, the one a single typo away wins."""
    titles = {**{f"w-far-{n:02d}": f"Pelangan {n}" for n in range(25)},
              "w-near": "Pelangi senja"}
    [result] = searched(pair, tmp_path, titles, "pelangy")
    assert result.suggestion == "pelangi"


def test_did_you_mean_only_offers_a_correction_that_finds_more(engine):
    # "pemimpi" is indexed; "pemimpin" is one edit away but finds nothing more.
    assert engine.search(SearchQuery(text="sang pemimpi")).suggestion is None
    assert engine.search(SearchQuery(text="qqqqqq")).suggestion is None


def test_autocomplete_titles_and_authors(engine):
    assert engine.suggest("lask") == ["Laskar Pelangi"]
    assert engine.suggest("Andrea") == ["Andrea Hirata"]
    assert set(engine.suggest("s")) >= {"Sejarah Kalimantan Tengah", "Sang Pemimpi",
                                         "Siti Rahmawati"}
    assert engine.suggest("zzz") == []


def test_get_count_and_totals(engine):
    work = engine.get("w-laskar")
    assert work is not None and work.title == "Laskar Pelangi"
    assert [h.library_id for h in work.holdings] == ["prov", "kota", "kotim"]
    assert [h.status_known for h in work.holdings] == [STATUS_KNOWN] * 3
    assert engine.get("nope") is None
    assert engine.count() == len(WORKS)
    totals = engine.totals()
    assert (totals.works, totals.holdings) == (6, 9)
    assert totals.copies == sum(w.total_copies for w in WORKS)


def test_upsert_replaces_delete_removes_and_readers_see_commits(engines):
    writer, reader = engines
    writer.upsert([Work(id="w-laskar", title="Laskar Pelangi (edisi baru)",
                        creators=["Andrea Hirata"], year=2020)])
    writer.delete(["w-sejarah", "not-there"])
    assert reader.count() == len(WORKS), "nothing visible before commit"
    writer.commit()
    assert reader.count() == len(WORKS) - 1
    assert reader.get("w-sejarah") is None
    assert reader.get("w-laskar").year == 2020
    assert ids(reader.search(SearchQuery(text="laskar"))) == ["w-laskar"]
    writer.clear()
    writer.commit()
    assert reader.count() == 0


def test_unknown_facets_are_query_errors(engine):
    with pytest.raises(QueryError):
        engine.search(SearchQuery(filters={"colour": ("red",)}))
    with pytest.raises(QueryError):
        engine.search(SearchQuery(facets=("colour",)))
