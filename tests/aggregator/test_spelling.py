"""Picking the word a misspelt one was meant to be: the candidates and the choice."""

from __future__ import annotations

from aggregator.engine.spelling import closest_word, edit_distance, one_typo_away


def test_one_typo_away_holds_every_single_typo_and_nothing_else():
    near = one_typo_away("buku")
    assert {"bku", "ubku", "bukuu", "baku", "abuku"} <= near, "dropped, swapped, added, replaced"
    assert "buku" not in near and "kubu" not in near
    assert all(edit_distance("buku", w, 2) <= 2 for w in near)
    assert len(near) <= 54 * len("buku") + 26


def test_closest_word_takes_fewest_edits_then_the_most_common():
    frequency = {"pelangi": 3, "pelangan": 40, "pelaing": 90}.get
    assert closest_word("pelangy", ["pelangan", "pelangi"], frequency) == "pelangi"
    assert closest_word("pelangy", ["pelangan"], frequency) == "pelangan"
    assert closest_word("pelangy", ["matahari"], frequency) is None
