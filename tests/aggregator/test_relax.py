"""The ladder's bookkeeping: which steps are completed, counted only, or run again."""

from __future__ import annotations

from aggregator.engine.analysis import shared_analyzer
from aggregator.engine.relax import FEW, relaxed_search
from aggregator.model import Work
from aggregator.query import FacetValue, Hit, SearchQuery, SearchResult
from aggregator.understand import understand


def ladder(totals: dict[str, int], text: str = "laskar pelangi"):
    """Run the ladder over steps finding ``totals`` works; return the result and the calls."""
    calls: list[tuple[str, bool]] = []

    def run(query: SearchQuery, phase: str, settles) -> SearchResult:
        total = totals[phase]
        complete = query.size > 0 and (settles is None or settles(total))
        calls.append((phase, complete))
        if not complete:
            return SearchResult(total=total, hits=[], facets={}, page=1, size=query.size)
        hits = [Hit(Work(id=f"{phase}-{n}", title="t"), 1.0, {}, ())
                for n in range(min(total, query.size))]
        return SearchResult(total=total, hits=hits, page=1, size=query.size,
                            facets={"library": [FacetValue("kota", total)]})

    query = SearchQuery(text=text, size=5, facets=("library",))
    understood = understand(text, shared_analyzer(1000))
    return relaxed_search(query, understood, run, lambda _text: None), calls


def test_a_strict_step_that_settles_is_the_only_search():
    result, calls = ladder({"all": FEW, "similar": 50, "some": 90})
    assert calls == [("all", True)] and result.matching == "all"


def test_a_strict_step_that_widens_is_only_counted():
    result, calls = ladder({"all": 2, "similar": 2, "some": 40})
    assert calls[0] == ("all", False), "no hits read, no facets counted"
    assert calls[-1] == ("some", True) and result.matching == "some"
    assert result.total == 40 and result.all_words_total == 2 and len(result.hits) == 5


def test_the_strict_step_is_completed_when_no_wider_step_finds_more():
    result, calls = ladder({"all": 3, "similar": 3, "some": 3})
    assert calls[0] == ("all", False) and calls[-1] == ("all", True)
    assert result.matching == "all" and len(result.hits) == 3
    assert result.facets == {"library": [FacetValue("kota", 3)]}


def test_a_middle_step_that_settles_is_run_once():
    result, calls = ladder({"all": 2, "similar": 30, "some": 90})
    assert calls == [("all", False), ("similar", True)] and result.matching == "similar"


def test_three_words_try_all_but_one_before_any():
    result, calls = ladder({"all": 1, "most": 12, "some": 90}, text="kopi teh susu")
    assert calls == [("all", False), ("most", True)] and result.matching == "most"
    result, calls = ladder({"all": 1, "most": 4, "some": 90}, text="kopi teh susu")
    assert calls == [("all", False), ("most", False), ("some", True)]
    assert result.matching == "some" and result.total == 90


def test_a_counted_step_that_answers_is_then_run_in_full():
    result, calls = ladder({"all": 1, "most": 6, "some": 6}, text="kopi teh susu")
    assert calls == [("all", False), ("most", False), ("some", True), ("most", True)]
    assert result.matching == "most" and len(result.hits) == 5


def test_a_word_typed_twice_is_one_word():
    """``buku buku sejarah`` asks for two words: no "all but one" step that would be the
    same as asking for any."""
    understood = understand("sejarah buku sejarah", shared_analyzer(1000))
    assert [w.word for w in understood.words] == ["buku", "sejarah"]
    assert understood.words[-1].prefix, "the word being typed is still the last"
    result, calls = ladder({"all": 1, "similar": 1, "most": 6, "some": 30},
                           text="buku buku sejarah")
    assert [phase for phase, _ in calls] == ["all", "similar", "some"]
    assert result.matching == "some"


def test_repeats_are_dropped_after_the_first_words_are_kept():
    """A pasted paragraph searches its first words, even where it repeats the first one."""
    filler = " ".join(f"kata{n}" for n in range(40))
    understood = understand(f"sejarah {filler} sejarah", shared_analyzer(1000))
    assert "sejarah" in [w.word for w in understood.words]
