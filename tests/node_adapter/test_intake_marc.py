"""MARC intake: ISO 2709 and MARCXML, holdings from 852, and hostile or broken files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pymarc
import pytest

from node_adapter.intake import FileRejected
from node_adapter.intake.marc import read_iso2709, read_marcxml
from node_adapter.intake.messages import Rejection
from node_adapter.oai.formats import FORMATS
from node_adapter.records import BibRecord, Copy

LIMIT = 2**30
SAMPLE = BibRecord(
    local_id="B1", title="Laskar Pelangi", subtitle="sebuah novel",
    creators=["Hirata, Andrea", "Tim Bentang"], contributors=["Penyunting, Satu"],
    publisher="Bentang", place="Yogyakarta", year=2005, isbn=["9793062797"],
    issn=["0317-8471"], subjects=["Fiksi Indonesia", "Pendidikan"], classification="899.2213",
    call_number="899.2213 HIR l", material_type="skripsi", collection="Umum",
    description="Novel tentang sekolah di Belitung.", digital_url="https://example.org/b1",
    series="Tetralogi Laskar Pelangi",
    copies=[Copy("C1", "Rak A", "899.2213 HIR l", "dipinjam"),
            Copy("C2", "Rak B", "899.2213 HIR l", "tersedia")])


def _marcxml(tmp_path: Path, *records: BibRecord, name: str = "k.xml") -> Path:
    body = "".join(FORMATS["marc21"].render(r) for r in records).replace("<<institution>>", "X")
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0"?><collection xmlns="http://www.loc.gov/MARC21/slim">'
                    f"{body}</collection>", encoding="utf-8")
    return path


def _iso(tmp_path: Path, records: list[pymarc.Record]) -> Path:
    path = tmp_path / "k.mrc"
    with path.open("wb") as fh:
        for record in records:
            fh.write(record.as_marc())
    return path


def _records(items: list) -> list[BibRecord]:
    return [item[1] for item in items if not isinstance(item, Rejection)]


def test_marcxml_written_by_our_provider_reads_back_identical(tmp_path: Path) -> None:
    assert list(read_marcxml(_marcxml(tmp_path, SAMPLE), LIMIT, [])) == [(1, SAMPLE, ())]


def test_iso2709_reads_back_identical(tmp_path: Path) -> None:
    xml = _marcxml(tmp_path, SAMPLE)
    records = pymarc.parse_xml_to_array(str(xml))
    assert _records(list(read_iso2709(_iso(tmp_path, records)))) == [SAMPLE]


def test_852_fields_become_copies_and_only_untitled_records_are_rejected(tmp_path: Path) -> None:
    def record(control: str, title: str, status: str, isbn: str = "") -> pymarc.Record:
        made = pymarc.Record()
        made.add_field(pymarc.Field(tag="001", data=control))
        if isbn:
            made.add_field(pymarc.Field("020", pymarc.Indicators(" ", " "),
                                        [pymarc.Subfield("a", f"{isbn} (pbk.)")]))
        made.add_field(pymarc.Field("245", pymarc.Indicators("0", "0"),
                                    [pymarc.Subfield("a", title)]))
        made.add_field(pymarc.Field("852", pymarc.Indicators(" ", " "), [
            pymarc.Subfield("b", "Sampit"), pymarc.Subfield("h", "297 ABC a"),
            pymarc.Subfield("p", f"{control}-X"), pymarc.Subfield("z", status)]))
        return made

    path = _iso(tmp_path, [record("1", "Satu /", "Available", "0306406152"),
                           record("2", "", "tersedia"), record("3", "Tiga", "dijual"),
                           record("4", "Empat", "tersedia", "0306406153")])
    items = list(read_iso2709(path))
    first, third, fourth = _records(items)
    assert first.title == "Satu" and first.isbn == ["0306406152"]
    assert first.copies == [Copy("1-X", "Sampit", "297 ABC a", "tersedia")]
    assert str(items[1]) == "rekaman 2: judul kosong / record 2: title is missing"
    assert [m.en for m in items[2][2]] == [
        "unknown copy status: 'dijual'; recorded as 'tersedia' (available)"]
    assert fourth.isbn == [] and fourth.invalid_isbn == ["0306406153"]
    assert [m.en for m in items[3][2]] == [
        "invalid ISBN: '0306406153' (checksum fails); kept aside (MARC 020 $z), "
        "not used for matching"]
    assert third.title == "Tiga"


def test_an_isbn_kept_aside_goes_out_as_020_z_and_reads_back(tmp_path: Path) -> None:
    flawed = BibRecord("Z1", "Buku Toko", isbn=[], invalid_isbn=["SCOOPG123"],
                       invalid_issn=["1234-5678"])
    xml = FORMATS["marc21"].render(flawed)
    assert '<marc:subfield code="z">SCOOPG123</marc:subfield>' in xml
    assert '<marc:subfield code="y">1234-5678</marc:subfield>' in xml
    assert "SCOOPG" not in FORMATS["oai_dc"].render(flawed)
    assert list(read_marcxml(_marcxml(tmp_path, flawed), LIMIT, [])) == [(1, flawed, ())]


def test_iso2709_record_length_zero_refuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nol.mrc"
    path.write_bytes(b"00000nam a2200000 a 4500" + b"\x1e\x1d")
    with pytest.raises(FileRejected, match="truncated or corrupt at record 1"):
        list(read_iso2709(path))


def test_truncated_iso2709_refuses_the_file(tmp_path: Path) -> None:
    records = pymarc.parse_xml_to_array(str(_marcxml(tmp_path, SAMPLE, SAMPLE)))
    path = _iso(tmp_path, records)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(FileRejected, match="truncated or corrupt at record 2"):
        list(read_iso2709(path))


def test_real_alma_marcxml_inside_an_oai_envelope(fixtures_dir: Path) -> None:
    records = _records(list(read_marcxml(fixtures_dir / "providers/alma/marc.xml", LIMIT, [])))
    assert len(records) == 100
    assert records[0].title == "Der Soldat, oder, Abhandlung vom Kriegs-Stand"
    assert records[0].language == "ger" and records[0].creators == ["Loen, Johann Michael von"]
    assert all(len(r.creators) == len(set(r.creators)) for r in records)


def test_marcxml_cut_short_keeps_its_records_and_says_so(tmp_path: Path) -> None:
    path = _marcxml(tmp_path, SAMPLE)
    path.write_text(path.read_text()[:-5])
    warnings: list = []
    assert _records(list(read_marcxml(path, LIMIT, warnings))) == [SAMPLE]
    assert [w.en.split(" (")[0] for w in warnings] == ["malformed XML on line 1"]


def test_forbidden_characters_are_dropped_and_reported(tmp_path: Path) -> None:
    records = [dataclasses.replace(SAMPLE, local_id=f"B{n}", title=f"Judul {n}")
               for n in range(1, 6)]
    path = _marcxml(tmp_path, *records)
    text = path.read_text().replace("Judul 4", "Judul\x1b 4").replace("Judul 5", "Judul &#x1F;5")
    path.write_text(text.replace("</marc:record>", "</marc:record>\n"))
    warnings: list = []
    kept = _records(list(read_marcxml(path, LIMIT, warnings)))
    assert [r.title for r in kept] == ["Judul 1", "Judul 2", "Judul 3", "Judul 4", "Judul 5"]
    assert [w.en for w in warnings] == [
        "2 characters XML 1.0 forbids (control characters) were dropped, on lines 4, 5"]


def test_a_broken_record_costs_only_itself(tmp_path: Path) -> None:
    records = [dataclasses.replace(SAMPLE, local_id=f"B{n}", title=f"Judul {n}")
               for n in range(1, 2001)]
    path = _marcxml(tmp_path, *records)
    path.write_text(path.read_text().replace("Judul 1500<", "Judul <b>1500<"))
    warnings: list = []
    items = list(read_marcxml(path, LIMIT, warnings))
    assert len(_records(items)) == 1999
    lost = [item for item in items if isinstance(item, Rejection)]
    assert [r.number for r in lost] == [1500] and "malformed record" in str(lost[0])
    assert [item.number if isinstance(item, Rejection) else item[0] for item in items] == \
        list(range(1, 2001))
    assert "malformed XML on line 1" in warnings[0].en


def test_entity_expansion_bomb_is_refused(tmp_path: Path) -> None:
    levels = ['<!ENTITY e0 "jalajalajalajalajalajalajalajala">']
    levels += [f'<!ENTITY e{n} "{f"&e{n - 1};" * 20}">' for n in range(1, 6)]
    path = tmp_path / "bomb.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE collection [{"".join(levels)}]>'
                    '<collection xmlns="http://www.loc.gov/MARC21/slim"><record>'
                    '<datafield tag="245" ind1="0" ind2="0"><subfield code="a">&e5;</subfield>'
                    "</datafield></record></collection>")
    warnings: list = []
    items = list(read_marcxml(path, LIMIT, warnings))
    assert len(items) == 1 and isinstance(items[0], Rejection) and "jala" not in str(items)
    assert "malformed XML" in warnings[0].en


def test_external_entity_is_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("RAHASIA")
    path = tmp_path / "xxe.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE collection [<!ENTITY x SYSTEM '
                    f'"file://{secret}"><!ENTITY w SYSTEM "http://127.0.0.1:9/x">]>'
                    '<collection xmlns="http://www.loc.gov/MARC21/slim"><record>'
                    '<datafield tag="245" ind1="0" ind2="0"><subfield code="a">A &x;&w;'
                    "</subfield></datafield></record></collection>")
    items = list(read_marcxml(path, LIMIT, []))
    assert [str(item) for item in items] == [
        "rekaman 1: entitas XML tidak diizinkan / record 1: XML entities are not allowed"]
    assert "RAHASIA" not in repr(items)


def test_oversized_xml_is_refused_before_parsing(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="larger than"):
        list(read_marcxml(_marcxml(tmp_path, SAMPLE), max_bytes=100, warnings=[]))
