"""Picking the word a misspelt one was meant to be: the candidates and the choice."""

from __future__ import annotations

from aggregator.engine.spelling import closest_word, edit_distance, one_typo_away


def test_one_typo_away_holds_every_single_typo_and_nothing_else():
    near = one_typo_away("buku")
    assert {"bku", "ubku", "bukuu", "baku", "abuku"} <= near, "dropped, swapped, added, replaced"
    assert "buku" not in near and "kubu" not in near
    assert all(edit_distance("buku", w, 1) == 1 for w in near)
    assert len(near) <= 54 * len("buku") + 26


def test_closest_word_takes_fewest_edits_then_the_most_common():
    frequency = {"pelangi": 3, "pelangan": 40, "pelaing": 90}.get
    assert closest_word("pelangy", ["pelangan", "pelangi"], frequency) == "pelangi"
    assert closest_word("pelangy", ["pelangan"], frequency) == "pelangan"
    assert closest_word("pelangy", ["matahari"], frequency) is None


def test_two_letters_swapped_are_one_edit():
    assert edit_distance("kpoi", "kopi", 1) == 1
    assert edit_distance("kpio", "kopi", 2) == 2
    assert closest_word("kpoi", ["kopi", "kapi"], {"kopi": 5, "kapi": 1}.get) == "kopi"
