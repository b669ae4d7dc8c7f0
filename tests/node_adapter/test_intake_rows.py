"""Row validation, controlled vocabularies, headers and derived ids, without any file."""

from __future__ import annotations

import pytest

from node_adapter.intake import FileRejected, vocab
from node_adapter.intake.identity import derived_id
from node_adapter.intake.rows import build_record
from node_adapter.intake.template import COLUMNS, map_headers, template_headers
from node_adapter.records import COPY_STATUSES, MATERIAL_TYPES


def test_synonym_tables_cover_exactly_the_shared_vocabularies() -> None:
    assert set(vocab.MATERIAL_SYNONYMS.values()) == set(MATERIAL_TYPES)
    assert set(vocab.STATUS_SYNONYMS.values()) == set(COPY_STATUSES)


@pytest.mark.parametrize(("typed", "canonical"), [
    ("Buku", "buku"), ("ebook", "e-book"), ("E-Book", "e-book"), ("Majalah", "majalah"),
    ("Skripsi", "skripsi"), ("CD/DVD", "audio-visual"), ("", "buku"), ("Koran", "surat-kabar"),
])
def test_material_type_synonyms(typed: str, canonical: str) -> None:
    assert vocab.material_type(typed) == canonical


@pytest.mark.parametrize(("typed", "canonical"), [
    ("Tersedia", "tersedia"), ("on loan", "dipinjam"), ("Dalam Proses", "dalam-proses"),
    ("", "tersedia"), ("HILANG", "hilang"),
])
def test_status_synonyms(typed: str, canonical: str) -> None:
    assert vocab.copy_status(typed) == canonical


def test_unknown_values_are_not_guessed() -> None:
    assert vocab.material_type("piringan hitam") is None
    assert vocab.copy_status("dijual") is None
    assert vocab.language("Bahasa Planet X") is None
    assert vocab.language("xyz") is None
    assert vocab.language("tha") == "tha"


@pytest.mark.parametrize(("typed", "code"), [
    ("Indonesia", "ind"), ("Bahasa Indonesia", "ind"), ("id", "ind"), ("in", "ind"),
    ("ind", "ind"), ("Inggris", "eng"), ("English", "eng"), ("en", "eng"), ("Jawa", "jav"),
    ("Sunda", "sun"), ("Melayu", "may"), ("msa", "may"), ("Arab", "ara"), ("Belanda", "dut"),
    ("nld", "dut"), ("Prancis", "fre"), ("Jerman", "ger"), ("Jepang", "jpn"), ("Korea", "kor"),
    ("Mandarin", "cmn"), ("Tionghoa", "chi"), ("Banjar", "bjn"), ("Bahasa Dayak Ngaju", "nij"),
    ("Bugis", "bug"), ("Bilingual", "mul"), ("", "ind"),
])
def test_languages_come_from_langcodes_in_the_words_librarians_type(typed: str, code: str) -> None:
    assert vocab.language(typed) == code


def test_indonesian_and_english_headers_map_to_the_same_fields() -> None:
    indonesian, _ = map_headers(["Judul", "Pengarang", "Kota Terbit", "No. Panggil", "Eksemplar"])
    english, _ = map_headers(["TITLE", "Author(s)", "place", "Call Number", "copies"])
    assert indonesian == english == ["title", "creators", "place", "call_number", "copies"]


def test_unknown_header_is_a_warning_and_missing_title_refuses() -> None:
    fields, warnings = map_headers(["judul", "harga"])
    assert fields == ["title", None]
    assert "harga" in warnings[0].id and "unknown column" in warnings[0].en
    with pytest.raises(FileRejected, match="no title column"):
        map_headers(["pengarang", "tahun"])
    with pytest.raises(FileRejected, match="mean the same"):
        map_headers(["judul", "title"])


def test_template_headers_are_all_recognised() -> None:
    fields, warnings = map_headers(template_headers())
    assert fields == [c.field for c in COLUMNS] and not warnings


def test_a_good_row_becomes_a_record_with_copies() -> None:
    problems: list = []
    record = build_record({
        "title": " Laskar  Pelangi ", "creators": "Andrea Hirata; Tim", "year": "[2005]",
        "isbn": "979-3062-79-7", "material_type": "Buku", "barcodes": "A1; A2",
        "status": "tersedia; dipinjam", "location": "Rak 1", "call_number": "899.2 HIR l",
        "language": "Bahasa Indonesia", "issn": "0317-8471"}, problems, warnings := [])
    assert problems == [] and warnings == []
    assert record is not None
    assert record.title == "Laskar Pelangi" and record.creators == ["Andrea Hirata", "Tim"]
    assert record.isbn == ["9793062797"] and record.issn == ["0317-8471"] and record.year == 2005
    assert [(c.barcode, c.status, c.location) for c in record.copies] == [
        ("A1", "tersedia", "Rak 1"), ("A2", "dipinjam", "Rak 1")]
    assert record.local_id == "isbn-9789793062792"


def test_copy_count_numbers_the_copies() -> None:
    record = build_record({"local_id": "K9", "title": "T", "copies": "3"}, [], [])
    assert record is not None
    assert [c.barcode for c in record.copies] == ["K9-1", "K9-2", "K9-3"]


def test_only_a_missing_title_refuses_the_row() -> None:
    problems: list = []
    assert build_record({"title": " ", "isbn": "9786020312340"}, problems, []) is None
    assert [p.en for p in problems] == ["title is missing"]


@pytest.mark.parametrize(("values", "expected", "kept"), [
    ({"isbn": "978-602-03-1234-1"}, "invalid ISBN: '978-602-03-1234-1'",
     {"isbn": [], "invalid_isbn": ["978-602-03-1234-1"]}),
    ({"isbn": "SCOOPG123456"}, "kept aside (MARC 020 $z)", {"invalid_isbn": ["SCOOPG123456"]}),
    ({"isbn": "9770317847001"}, "recorded as ISSN 0317-8471",
     {"isbn": [], "issn": ["0317-8471"], "invalid_isbn": []}),
    ({"year": "dua ribu"}, "year is not a number: 'dua ribu'", {"year": None}),
    ({"year": "1200"}, "outside", {"year": None}),
    ({"year": "3024"}, "outside", {"year": None}),
    ({"material_type": "piringan hitam"}, "unknown material type", {"material_type": "lainnya"}),
    ({"copies": "2", "status": "dijual"}, "unknown copy status", {}),
    ({"copies": "dua"}, "invalid number of copies", {"copies": []}),
    ({"barcodes": "a;b;c", "status": "tersedia;dipinjam"}, "2 statuses for 3", {}),
    ({"digital_url": "ftp://x"}, "invalid digital URL", {"digital_url": ""}),
    ({"local_id": "buku 1"}, "invalid id", {"local_id": derived_id([], "T", [], None)}),
    ({"issn": "1234-5678"}, "invalid ISSN", {"issn": [], "invalid_issn": ["1234-5678"]}),
    ({"language": "Bahasa Planet X"}, "unknown language", {"language": "und"}),
    ({"subtitle": "x" * 1500}, "field subtitle is too long (1500 characters); cut to 1000",
     {"subtitle": "x" * 1000}),
])
def test_a_flawed_field_is_a_warning_and_the_book_is_kept(
        values: dict[str, str], expected: str, kept: dict[str, object]) -> None:
    problems: list = []
    warnings: list = []
    record = build_record({"title": "T", **values}, problems, warnings)
    assert problems == [] and record is not None
    assert len(warnings) == 1 and expected in warnings[0].en, warnings
    assert all(w.id and w.id != w.en for w in warnings)
    for name, value in kept.items():
        assert getattr(record, name) == value, name


def test_dates_as_exports_write_them_give_the_year_and_placeholders_are_blank() -> None:
    warnings: list = []
    for typed in ("13 Feb 2024", "5 Des 2023", "2024-02-13", "13/02/2024"):
        record = build_record({"title": "T", "year": typed, "isbn": "-"}, [], warnings)
        assert record is not None and record.year in (2023, 2024)
    assert warnings == []


def test_an_issn_ean_in_the_issn_column_is_its_issn() -> None:
    warnings: list = []
    record = build_record({"title": "Bobo", "issn": "977-0317-847-00-1"}, [], warnings)
    assert record is not None and record.issn == ["0317-8471"] and warnings == []


def test_every_warning_of_a_row_is_reported_together() -> None:
    warnings: list = []
    record = build_record({"title": "T", "isbn": "9786020312341", "year": "x",
                           "language": "??"}, [], warnings)
    assert record is not None and len(warnings) == 3


def test_derived_ids_are_stable_and_isbn_form_independent() -> None:
    assert derived_id(["0306406152"], "A", [], None) == derived_id(["9780306406157"], "B", [], 1)
    by_text = derived_id([], "Sejarah Kalimantan", ["Tjilik Riwut"], 2003)
    assert by_text == derived_id([], "  SEJARAH kalimantan!", ["tjilik riwut"], 2003)
    assert by_text.startswith("t-") and len(by_text) == 18
    assert by_text != derived_id([], "Sejarah Kalimantan", ["Tjilik Riwut"], 2004)
