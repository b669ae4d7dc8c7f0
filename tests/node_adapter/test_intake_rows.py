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
    assert vocab.language("Klingon!") is None
    assert vocab.language("Inggris") == "eng"
    assert vocab.language("tha") == "tha"


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
        "language": "Bahasa Indonesia", "issn": "0317-8471"}, problems)
    assert problems == []
    assert record is not None
    assert record.title == "Laskar Pelangi" and record.creators == ["Andrea Hirata", "Tim"]
    assert record.isbn == ["9793062797"] and record.issn == ["0317-8471"] and record.year == 2005
    assert [(c.barcode, c.status, c.location) for c in record.copies] == [
        ("A1", "tersedia", "Rak 1"), ("A2", "dipinjam", "Rak 1")]
    assert record.local_id == "isbn-9789793062792"


def test_copy_count_numbers_the_copies() -> None:
    record = build_record({"local_id": "K9", "title": "T", "copies": "3"}, [])
    assert record is not None
    assert [c.barcode for c in record.copies] == ["K9-1", "K9-2", "K9-3"]


@pytest.mark.parametrize(("values", "expected"), [
    ({"title": ""}, "title is missing"),
    ({"title": "T", "isbn": "978-602-03-1234-0"}, "invalid ISBN"),
    ({"title": "T", "year": "dua ribu"}, "year is not a number"),
    ({"title": "T", "year": "1200"}, "outside"),
    ({"title": "T", "year": "3024"}, "outside"),
    ({"title": "T", "material_type": "piringan hitam"}, "unknown material type"),
    ({"title": "T", "copies": "2", "status": "dijual"}, "unknown copy status"),
    ({"title": "T", "copies": "dua"}, "invalid number of copies"),
    ({"title": "T", "barcodes": "a;b;c", "status": "tersedia;dipinjam"}, "2 statuses for 3"),
    ({"title": "T", "digital_url": "ftp://x"}, "invalid digital URL"),
    ({"title": "T", "local_id": "buku 1"}, "invalid id"),
    ({"title": "T", "issn": "1234-5678"}, "invalid ISSN"),
])
def test_each_problem_rejects_the_row(values: dict[str, str], expected: str) -> None:
    problems: list = []
    assert build_record(values, problems) is None
    assert any(expected in p.en for p in problems), problems
    assert all(p.id and p.id != p.en for p in problems)


def test_every_problem_of_a_row_is_reported_together() -> None:
    problems: list = []
    build_record({"title": "", "isbn": "9786020312340", "year": "x"}, problems)
    assert len(problems) == 3


def test_derived_ids_are_stable_and_isbn_form_independent() -> None:
    assert derived_id(["0306406152"], "A", [], None) == derived_id(["9780306406157"], "B", [], 1)
    by_text = derived_id([], "Sejarah Kalimantan", ["Tjilik Riwut"], 2003)
    assert by_text == derived_id([], "  SEJARAH kalimantan!", ["tjilik riwut"], 2003)
    assert by_text.startswith("t-") and len(by_text) == 18
    assert by_text != derived_id([], "Sejarah Kalimantan", ["Tjilik Riwut"], 2004)
