"""What only the embedded engine promises: one writer across processes, readers that follow."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
import textwrap

import pytest

from aggregator.engine import tantivy_facets
from aggregator.engine.analysis import Analyzer, fold, shared_analyzer, split, words
from aggregator.engine.base import EngineError, IndexLockedError
from aggregator.engine.highlight import _candidates, _matches, _matching_spans, highlight_work
from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.model import Work
from aggregator.query import SearchQuery
from tests.support.engines import WORKS
from tests.support.relevance import seed_works

HOLD_LOCK = textwrap.dedent("""
    import sys
    from aggregator.engine.tantivy_engine import TantivyEngine
    engine = TantivyEngine(sys.argv[1], writer=True, heap_mb=50, threads=1)
    print("locked", flush=True)
    sys.stdin.readline()
    engine.close()
""")
WRITE_ONE = textwrap.dedent("""
    import sys
    from aggregator.engine.tantivy_engine import TantivyEngine
    from aggregator.model import Work
    with TantivyEngine(sys.argv[1], writer=True, heap_mb=50, threads=1) as engine:
        engine.upsert([Work(id="w-other", title="Hikayat Banjar", creators=["Ras"])])
        engine.commit()
""")


def test_a_second_writer_in_another_process_is_refused(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path / "index")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexLockedError, match=str(holder.pid)):
            TantivyEngine(tmp_path / "index", writer=True)
        reader = TantivyEngine(tmp_path / "index")
        assert reader.count() == 0, "readers are never blocked by the writer"
        reader.close()
    finally:
        holder.communicate("\n", timeout=30)
    TantivyEngine(tmp_path / "index", writer=True, heap_mb=50, threads=1).close()


def test_a_second_writer_in_the_same_process_is_refused(tmp_path):
    with (TantivyEngine(tmp_path / "index", writer=True, heap_mb=50, threads=1),
          pytest.raises(IndexLockedError)):
        TantivyEngine(tmp_path / "index", writer=True)


def test_a_reader_sees_what_another_process_committed(tmp_path):
    with TantivyEngine(tmp_path / "index", writer=True, heap_mb=50, threads=1) as writer:
        writer.upsert(WORKS)
        writer.commit()
    reader = TantivyEngine(tmp_path / "index")
    assert reader.get("w-other") is None
    subprocess.run([sys.executable, "-c", WRITE_ONE, str(tmp_path / "index")], check=True,
                   timeout=60)
    assert reader.get("w-other").title == "Hikayat Banjar"
    assert reader.count() == len(WORKS) + 1
    reader.close()


def test_readers_cannot_write(tmp_path):
    reader = TantivyEngine(tmp_path / "index")
    with pytest.raises(EngineError, match="read-only"):
        reader.upsert(WORKS)


def test_analysis_folds_drops_stopwords_and_stems():
    analyzer = Analyzer(cache_size=100)
    assert fold("Pérpustakaan ÄCEH") == "perpustakaan aceh"
    assert analyzer.terms("Membaca buku-buku yang menyenangkan di Perpustakaan") == [
        "baca", "buku", "buku", "senang", "pustaka"]
    assert analyzer.terms("Harry Potter and the Goblet of Fire 2019") == [
        "harry", "potter", "goblet", "fire", "2019"]
    assert analyzer.query_words("yang") == [("yang", "yang")]
    assert split("Dr. Setiawan Djody") == ["dr", "setiawan", "djody"]


def test_stem_cache_stays_bounded_keeps_hot_words_and_skips_numbers():
    analyzer = Analyzer(cache_size=100)
    distinct = ["mem" + "".join(p) + "kan" for p in itertools.product("bcdfg", repeat=4)][:400]
    for word in distinct:
        analyzer.terms_of([word, "membaca"])
        assert analyzer.cache_info().size <= 100
    for number in range(1000):
        analyzer.stem(f"978602{number:07d}")
    stats = analyzer.cache_info()
    assert stats.size <= 100 and stats.maxsize == 100
    assert stats.misses == 401, "each distinct word stemmed once, numbers never"
    assert analyzer.stem("membaca") == "baca" and analyzer.cache_info().misses == 401
    assert stats.lookups == 1800 and stats.hit_rate == 1 - 401 / 1800


def test_highlight_marks_stems_and_names_and_escapes():
    analyzer = Analyzer()
    work = Work(id="x", title="<b>Membaca</b> & menulis", creators=["Setiawan"],
                description="Awal. " + "kata " * 100 + "pembacaan buku. " + "akhir " * 100)
    marked = highlight_work(work, {"baca", "setiawan"}, analyzer)
    assert marked["title"] == "&lt;b&gt;<mark>Membaca</mark>&lt;/b&gt; &amp; menulis"
    assert marked["creators"] == "<mark>Setiawan</mark>"
    assert marked["description"].startswith("…") and marked["description"].endswith("…")
    assert "<mark>pembacaan</mark>" in marked["description"]
    assert len(marked["description"]) < 300


def test_highlight_finds_the_same_words_as_reading_word_by_word():
    """ASCII text is scanned for candidate words by one regular expression: on every
    seed title and description it marks exactly the words a word-by-word reading does."""
    analyzer = shared_analyzer()
    pick = random.Random(4)
    compared = 0
    for work in seed_works():
        for text in (work.title, work.description):
            vocabulary = split(text)
            if not text.isascii() or not vocabulary:
                continue
            chosen = [*pick.sample(vocabulary, min(2, len(vocabulary))), "baca"]
            terms = frozenset(t for word in chosen for t in (word, analyzer.stem(word)))
            by_word = [(start, end) for word, start, end in words(text)
                       if _matches(word, terms, analyzer)]
            if _candidates(terms) is not None:
                assert list(_matching_spans(text, terms, analyzer)) == by_word, text
                compared += 1
            with_every_word = terms | {"_"}  # a one-letter term: read word by word
            assert _candidates(with_every_word) is None
            assert list(_matching_spans(text, with_every_word, analyzer)) == [
                (start, end) for word, start, end in words(text)
                if _matches(word, with_every_word, analyzer)]
    assert compared > 5000


def test_deep_pages_and_a_stale_cursor(tmp_path):
    works = [Work(id=f"w{i:03d}", title=f"Buku {i}", year=1900 + i) for i in range(150)]
    with TantivyEngine(tmp_path / "index", writer=True, heap_mb=50, threads=1) as writer:
        writer.upsert(works)
        writer.commit()
        reader = TantivyEngine(tmp_path / "index")
        first = reader.search(SearchQuery(sort="newest", size=100))
        writer.delete(["w149", "w148"])
        writer.commit()
        after = reader.search(SearchQuery(sort="newest", size=10,
                                          search_after=first.hits[-1].sort_key))
        assert [h.work.id for h in after.hits][:2] == ["w049", "w048"], \
            "the cursor's work is found again after the index changed under it"
        reader.close()


def test_repeated_upserts_before_a_commit_keep_one_copy(tmp_path):
    with TantivyEngine(tmp_path / "index", writer=True, heap_mb=50, threads=1) as writer:
        writer.upsert(WORKS)
        writer.commit()
        writer.upsert([Work(id="w-baca", title="Baca Lagi")])
        writer.upsert([Work(id="w-baca", title="Baca Lagi Lagi")])
        writer.commit()
        assert writer.count() == len(WORKS)
        assert writer.get("w-baca").title == "Baca Lagi Lagi"
        writer.clear()
        writer.upsert(WORKS[:2])
        writer.upsert(WORKS[:1])
        writer.commit()
        assert writer.count() == 2


def test_the_total_is_counted_apart_when_the_shared_facets_overflow(tmp_path, monkeypatch):
    """The total adds up the material-type buckets of the shared column; where that column
    had more values than were asked for, a bucket may be cut, so the total is counted on
    its own."""
    works = [Work(id=f"w{n:02d}", title=f"Buku {n}", material_type=f"jenis{n % 7}",
                  language=f"bahasa{n}") for n in range(30)]
    with TantivyEngine(tmp_path / "index", writer=True, heap_mb=50, threads=1) as engine:
        engine.upsert(works)
        engine.commit()
        assert engine.search(SearchQuery(text="buku")).total == 30
        monkeypatch.setattr(tantivy_facets, "SHARED_LIMIT", 5)
        assert engine.search(SearchQuery(text="buku")).total == 30
        assert engine.search(SearchQuery()).total == 30
