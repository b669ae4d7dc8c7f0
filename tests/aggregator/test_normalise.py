"""Our own nodes' formats, end to end: BibRecord → node writer → stored XML → canonical record."""

from __future__ import annotations

import dataclasses

import pytest

from aggregator.normalise import (
    InvalidRecord,
    MalformedXml,
    UnsupportedFormat,
    normalise,
)
from aggregator.normalise.vocabulary import MATERIALS, language_code, material_type
from harvester.store import StoredRecord
from node_adapter.oai.formats import FORMATS, INSTITUTION_SLOT
from node_adapter.records import MATERIAL_TYPES, BibRecord, Copy


def book(**changes: object) -> BibRecord:
    """A fully described record as intake would store it."""
    values: dict[str, object] = dict(
        local_id="b-17", title="Laskar Pelangi", subtitle="sebuah novel",
        creators=["Hirata, Andrea", "Wulan, Sri"], contributors=["Santoso, Budi"],
        publisher="Bentang Pustaka", place="Yogyakarta", year=2005,
        isbn=["9789793062792"], language="ind", subjects=["Novel Indonesia", "Pendidikan"],
        classification="899.221", call_number="899.221 HIR l", material_type="buku",
        description="Kisah sepuluh anak Belitong.", series="Tetralogi Laskar Pelangi",
        digital_url="https://opac.example/b-17",
        copies=[Copy("B001", "Rak Fiksi", "899.221 HIR l", "tersedia"),
                Copy("B002", "Rak Fiksi", "899.221 HIR l c2", "dipinjam"),
                Copy("B003", "Gudang", "", "tersedia")])
    values.update(changes)
    return BibRecord(**values)  # type: ignore[arg-type]


def stored(record: BibRecord, prefix: str) -> StoredRecord:
    """The record as the harvester stores it from our node's OAI-PMH answer."""
    xml = FORMATS[prefix].render(record).replace(INSTITUTION_SLOT, "Perpustakaan Kota")
    return StoredRecord("kota", f"oai:kota:{record.local_id}", "2024-05-01T10:00:00Z", False,
                        prefix, xml)


def test_marc21_from_our_node_keeps_every_field_and_counts_copies() -> None:
    record = normalise(stored(book(), "marc21"))
    assert record.title == "Laskar Pelangi" and record.subtitle == "sebuah novel"
    assert record.creators == ["Hirata, Andrea", "Wulan, Sri"]
    assert record.contributors == ["Santoso, Budi"]
    assert (record.publisher, record.place, record.year) == ("Bentang Pustaka", "Yogyakarta", 2005)
    assert record.isbns == ["9789793062792"] and record.language == "ind"
    assert record.subjects == ["Novel Indonesia", "Pendidikan"]
    assert record.classification == "899.221" and record.call_number == "899.221 HIR l"
    assert record.material_type == "buku" and record.links == ["https://opac.example/b-17"]
    assert record.series == "Tetralogi Laskar Pelangi", "MARC 490"
    holding = record.holding
    assert (holding.library_id, holding.record_id) == ("kota", "oai:kota:b-17")
    assert (holding.copies, holding.available, holding.copies_known) == (3, 2, True)
    assert holding.statuses == ["tersedia", "dipinjam", "tersedia"]
    assert holding.location == "Rak Fiksi" and holding.call_number == "899.221 HIR l"


def test_a_holding_is_as_fresh_as_its_oldest_copy_status() -> None:
    dated = book(copies=[Copy("B001", status="tersedia", status_known="2026-12-03T07:00:00Z"),
                         Copy("B002", status="dipinjam", status_known="2026-12-02T23:15:00Z")])
    harvested = dataclasses.replace(stored(dated, "marc21"), harvested_at="2026-12-04T01:00:00Z")
    assert normalise(harvested).holding.status_known == "2026-12-02T23:15:00Z"


@pytest.mark.parametrize("stated", ["", "kemarin", "2026-13-40T99:00:00Z"])
def test_a_copy_its_source_did_not_date_is_known_from_the_harvest(stated: str) -> None:
    record = book(copies=[Copy("B001", status_known="2026-12-04T05:00:00Z"),
                          Copy("B002", status_known=stated)])
    harvested = dataclasses.replace(stored(record, "marc21"), harvested_at="2026-12-04T01:00:00Z")
    assert normalise(harvested).holding.status_known == "2026-12-04T01:00:00Z"


def test_a_record_without_copies_claims_no_status_time() -> None:
    harvested = dataclasses.replace(stored(book(), "oai_dc"), harvested_at="2026-12-04T01:00:00Z")
    assert normalise(harvested).holding.status_known == ""


def test_oai_dc_from_our_node_has_the_same_description_but_no_copy_counts() -> None:
    marc = normalise(stored(book(), "marc21"))
    dc = normalise(stored(book(), "oai_dc"))
    for name in ("title", "subtitle", "publisher", "place", "year", "isbns", "language",
                 "material_type", "classification", "call_number", "description", "links"):
        assert getattr(dc, name) == getattr(marc, name), name
    assert dc.creators == ["Hirata, Andrea", "Wulan, Sri"]
    assert dc.subjects == ["Novel Indonesia", "Pendidikan"]
    assert (dc.holding.copies, dc.holding.available, dc.holding.copies_known) == (0, 0, False)


@pytest.mark.parametrize("kind", MATERIAL_TYPES)
@pytest.mark.parametrize("prefix", ["oai_dc", "marc21"])
def test_every_material_type_survives_both_formats(kind: str, prefix: str) -> None:
    assert normalise(stored(book(material_type=kind), prefix)).material_type == kind


@pytest.mark.parametrize("prefix", ["oai_dc", "marc21"])
def test_isbn10_becomes_isbn13_and_invalid_identifiers_are_dropped(prefix: str) -> None:
    changes = {"isbn": ["979-3062-79-7", "9789793062793"], "issn": ["03178471", "1234-5678"]}
    record = normalise(stored(book(**changes), prefix))
    assert record.isbns == ["9789793062792"]
    assert record.issns == ["0317-8471"]


def test_record_without_copies_has_unknown_counts() -> None:
    record = normalise(stored(book(copies=[]), "marc21"))
    assert (record.holding.copies, record.holding.copies_known) == (0, False)
    assert record.holding.call_number == "899.221 HIR l"


def test_record_without_title_is_refused_with_a_reason() -> None:
    with pytest.raises(InvalidRecord, match="no title"):
        normalise(stored(book(title="", subtitle=""), "oai_dc"))


def test_unknown_prefix_broken_xml_and_entities_are_refused() -> None:
    mods = StoredRecord("s", "1", "2024-01-01T00:00:00Z", False, "mods",
                        '<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo/></mods>')
    with pytest.raises(UnsupportedFormat, match="'mods'"):
        normalise(mods)
    broken = StoredRecord("s", "2", "2024-01-01T00:00:00Z", False, "oai_dc", "<oai_dc:dc>")
    with pytest.raises(MalformedXml, match="broken XML"):
        normalise(broken)
    xxe = ('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&x;Judul</dc:title>'
           '</oai_dc:dc>')
    record = normalise(StoredRecord("s", "3", "2024-01-01T00:00:00Z", False, "oai_dc", xxe))
    assert "root" not in record.title and record.title.endswith("Judul")
    huge = stored(book(description="x" * 5000), "oai_dc")
    with pytest.raises(MalformedXml, match="limit"):
        normalise(huge, max_bytes=4000)


def test_prefix_that_contradicts_the_namespace_is_malformed() -> None:
    dc_as_marc = stored(book(), "oai_dc")
    wrong = StoredRecord(dc_as_marc.source, dc_as_marc.identifier, dc_as_marc.datestamp,
                         False, "marc21", dc_as_marc.metadata)
    with pytest.raises(MalformedXml, match="namespace"):
        normalise(wrong)


@pytest.mark.parametrize(("text", "code"), [
    ("Indonesia", "ind"), ("id", "ind"), ("in", "ind"), ("Bahasa Indonesia", "ind"),
    ("ind", "ind"), ("English", "eng"), ("en", "eng"), ("en-US", "eng"), ("ger", "deu"),
    ("Jawa", "jav"), ("", "und"), ("klingon", "und"), ("tgl", "tgl"),
])
def test_languages_become_iso_639_3(text: str, code: str) -> None:
    assert language_code(text) == code


def test_material_words_map_to_our_vocabulary() -> None:
    assert material_type(["Text"]) == "buku"
    assert material_type(["Text", "Skripsi"]) == "skripsi"
    assert material_type(["info:eu-repo/semantics/doctoralThesis"]) == "disertasi"
    assert material_type(["Working Paper"]) == "lainnya"
    assert material_type(["unheard-of"]) is None
    assert set(MATERIALS) == set(MATERIAL_TYPES)


@pytest.mark.parametrize("prefix", ["marc21", "oai_dc"])
def test_degree_pieces_split_off_by_commas_rejoin_their_author(prefix: str) -> None:
    split = ["Muhammad Darmawan Dewanto", "S", "Pd", "Evi Susanti", "S.Pd", "Wahid, Abdul"]
    record = normalise(stored(book(creators=split), prefix))
    assert record.creators == ["Muhammad Darmawan Dewanto, S.Pd", "Evi Susanti, S.Pd",
                               "Wahid, Abdul"]
