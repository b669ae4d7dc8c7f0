"""Indonesian-aware matching keys: spellings, names, titles."""

from __future__ import annotations

import pytest

from aggregator.matching import (
    first_author_key,
    fold,
    name_key,
    names_match,
    subtitles_compatible,
    text_key,
    title_key,
    title_remainder,
)


@pytest.mark.parametrize(("old", "new"), [
    ("Oemoem", "Umum"), ("Djalan", "Jalan"), ("Tjerita", "Cerita"), ("jang", "yang"),
    ("Njanji", "Nyanyi"), ("Sjair", "Syair"), ("Chusus", "Khusus"), ("mendjadi", "menjadi"),
    ("Soekarno", "Sukarno"), ("Perdjoeangan", "Perjuangan"), ("Rakjat", "Rakyat"),
    ("Tjilik Riwut", "Cilik Riwut"), ("Djawa", "Jawa"),
])
def test_old_and_new_spelling_share_a_key(old: str, new: str) -> None:
    assert text_key(old) == text_key(new)


@pytest.mark.parametrize(("first", "second"), [
    ("cerita", "serita"), ("khas", "kas"), ("juta", "jata"), ("menjadi", "menyanyi"),
    ("cinta", "tinta"), ("dunia", "duka"),
])
def test_modern_words_stay_distinct(first: str, second: str) -> None:
    assert text_key(first) != text_key(second)


def test_j_and_y_collapse_by_design() -> None:
    assert text_key("jaman") == text_key("yaman")  # old j = new y, old dj = new j


def test_fold_drops_case_diacritics_and_punctuation() -> None:
    assert fold("  Café, Ñusantara!  ") == "cafe nusantara"
    assert fold("Al-Qur'an") == "al quran"


@pytest.mark.parametrize("variant", [
    "Pramoedya Ananta Toer", "Toer, Pramoedya Ananta", "TOER, PRAMOEDYA ANANTA.",
    "Dr. Pramoedya Ananta Toer, M.A.", "Prof. Dr. H. Pramoedya Ananta Toer, S.Pd., M.Pd.",
    "Pramoedya Ananta Toer, Ph.D.", "Ir. Pramoedya Ananta Toer, M.Si.",
    "Hj. Pramoedya Ananta Toer, S.E., S.H.", "Prof.Dr.Ir. Pramoedya Ananta Toer",
    "Drs. Pramoedya Ananta Toer",
])
def test_honorifics_degrees_order_and_case_do_not_change_a_name(variant: str) -> None:
    assert name_key(variant) == name_key("Pramoedya Ananta Toer") == "ananta pramudya tur"


def test_single_word_names_initials_and_old_spelling() -> None:
    assert names_match("Soekarno", "Ir. Sukarno")
    assert names_match("A. Tohari", "Ahmad Tohari")
    assert names_match("Tohari", "Tohari, Ahmad")
    assert not names_match("Ahmad Tohari", "Ahmad Fuadi")
    assert not names_match("", "Ahmad Tohari")
    assert name_key("H.B. Jassin") == name_key("Jassin, H. B.") == "yassin"


def test_first_author_falls_back_to_contributors() -> None:
    assert first_author_key([], ["Wulan, Sri"]) == "sri wulan"
    assert first_author_key(["Dr."], ["Wulan, Sri"]) == "sri wulan"
    assert first_author_key([], []) == ""


def test_title_key_drops_subtitle_article_and_punctuation() -> None:
    assert title_key("Laskar Pelangi : sebuah novel") == title_key("LASKAR PELANGI.")
    assert title_key("The Cathedral and the Bazaar", "eng") == "cathedral and the bazaar"
    assert title_key("Der Soldat", "deu") == "soldat"
    assert title_key("La Galigo", "ind") == "la galigo"  # a name, not an article
    assert title_key("Tjerita Rakjat") == title_key("Cerita Rakyat")
    assert title_key("Laskar Pelangi / Andrea Hirata") == title_key("Laskar Pelangi")
    assert title_key("Sejarah Indonesia 1") != title_key("Sejarah Indonesia 2")


def test_subtitles() -> None:
    assert title_remainder("Sarinah : kewajiban wanita / Soekarno") == "kewajiban wanita"
    assert title_remainder("Sarinah") == ""
    assert subtitles_compatible("", "jilid 1")
    assert subtitles_compatible("Sebuah novel", "sebuah novel.")
    assert subtitles_compatible("volume 1", "volume 1 : al-Fatihah")
    assert not subtitles_compatible("jilid 1", "jilid 2")
