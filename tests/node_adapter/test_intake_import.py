"""``jala node import`` end to end on a real SQLite catalogue: counts, updates, replace,
rollback of refused files, exit codes and bilingual messages, and a 50,000-row file."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from pathlib import Path

import pymarc
import pytest
from click.testing import CliRunner, Result

from node_adapter.catalogue import Catalogue
from node_adapter.cli import node
from node_adapter.intake.config import intake_options
from node_adapter.intake.importer import import_files
from node_adapter.records import BibRecord, CatalogueEntry

HEADER_ID = ["id", "judul", "pengarang", "tahun", "isbn", "jenis", "eksemplar", "status"]
HEADER_EN = ["Local ID", "Title", "Author(s)", "Year", "ISBN", "Material Type", "Copies",
             "Status"]
ROWS = [
    ["B1", "Laskar Pelangi", "Andrea Hirata", "2005", "979-3062-79-7", "Buku", "2", "tersedia"],
    ["B2", "Bumi Manusia", "Pramoedya Ananta Toer", "1980", "", "buku", "1", "dipinjam"],
    ["B3", "Majalah Bobo", "", "2023", "", "Majalah", "1", ""],
]


def _csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(node, ["import", *map(str, args)])


def test_import_reports_counts_and_exits_zero(tmp_path: Path) -> None:
    db = tmp_path / "node.sqlite3"
    result = _run("--db", db, _csv(tmp_path / "k.csv", HEADER_ID, ROWS))
    assert result.exit_code == 0, result.output
    assert "3 kept (0 with warnings, 0 merged), 0 refused" in result.output
    assert "ditambah/added 3, diperbarui/updated 0" in result.output
    with Catalogue(db) as catalogue:
        assert catalogue.count() == 3
        entry = catalogue.get("B2")
        assert entry is not None and entry.record is not None
        assert [c.status for c in entry.record.copies] == ["dipinjam"]
        majalah = catalogue.get("B3")
        assert majalah is not None and majalah.record.material_type == "majalah"


def test_indonesian_and_english_headers_store_the_same_records(tmp_path: Path) -> None:
    stored = []
    for name, header, delimiter in (("id", HEADER_ID, ";"), ("en", HEADER_EN, "\t")):
        db = tmp_path / f"{name}.sqlite3"
        assert _run("--db", db, _csv(tmp_path / f"{name}.csv", header, ROWS, delimiter)
                    ).exit_code == 0
        with Catalogue(db) as catalogue:
            stored.append([_without_status_times(catalogue.get(i).record)
                           for i in ("B1", "B2", "B3")])
    assert stored[0] == stored[1]


def _without_status_times(record: BibRecord) -> BibRecord:
    """The record with each copy's status time checked and blanked: two imports a second
    apart stamp different times."""
    for copy in record.copies:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", copy.status_known)
    return dataclasses.replace(record, copies=[
        dataclasses.replace(copy, status_known="") for copy in record.copies])


FLAWED = [["B5", "Salah ISBN", "Y", "2001", "978-602-03-1234-0", "", "", ""],
          ["B6", "Tahun", "Z", "duaribu", "", "", "", ""],
          ["B7", "Jenis", "Z", "2001", "", "piringan hitam", "", ""],
          ["B8", "Status", "Z", "2001", "", "", "1", "dijual"],
          ["B1", "Duplikat", "Z", "2001", "", "", "", ""]]


def test_flawed_rows_are_kept_with_warnings_in_both_languages_and_exit_four(
        tmp_path: Path) -> None:
    db = tmp_path / "node.sqlite3"
    result = _run("--db", db, _csv(tmp_path / "k.csv", HEADER_ID, [*ROWS, *FLAWED]))
    assert result.exit_code == 4, result.output
    warned = result.output.split("Kept with warnings:")[1]
    for expected in (
        "line 5: invalid ISBN: '978-602-03-1234-0' (checksum fails); kept aside",
        "baris 6: tahun bukan angka: 'duaribu'",
        "line 6: year is not a number: 'duaribu'; year left empty",
        "line 7: unknown material type: 'piringan hitam'; recorded as 'lainnya'",
        "line 8: unknown copy status: 'dijual'",
        "line 9: id 'B1' is already used by line 2 for another title; this record gets id 't-",
    ):
        assert warned.count(expected) == 1, expected
    assert "Refused" not in result.output and "ditolak/refused 0" in result.output
    with Catalogue(db) as catalogue:
        assert catalogue.count() == 8
        assert catalogue.get("B1").record.title == "Laskar Pelangi"
        assert catalogue.get("B5").record.invalid_isbn == ["978-602-03-1234-0"]


def test_untitled_rows_are_refused_apart_from_warnings_and_exit_one(tmp_path: Path) -> None:
    rows = [*ROWS, ["B4", "", "X", "2001", "", "", "", ""], *FLAWED]
    result = _run("--db", tmp_path / "n.sqlite3", _csv(tmp_path / "k.csv", HEADER_ID, rows))
    assert result.exit_code == 1
    refused, warned = result.output.split("Refused (not imported):")[1].split("Kept with")
    assert refused.split("\n")[1].strip() == "baris 5: judul kosong / line 5: title is missing"
    assert refused.count("line ") == 1
    assert warned.count("\n  baris ") == 5 and "ditolak/refused 1" in result.output


def test_json_report(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", HEADER_ID, [*ROWS, ["B4", "", "", "", "", "", "", ""]])
    result = _run("--db", tmp_path / "n.sqlite3", "--json", path)
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert report["summary"] == {"added": 3, "updated": 0, "unchanged": 0, "deleted": 0,
                                 "merged": 0, "rejected": 1, "with_warnings": 0}
    assert report["files"][0]["rejections"] == [
        {"line": 5, "id": "judul kosong", "en": "title is missing"}]


def test_reimport_updates_in_place_and_bumps_updated(tmp_path: Path) -> None:
    db = tmp_path / "node.sqlite3"
    _run("--db", db, _csv(tmp_path / "a.csv", HEADER_ID, ROWS))
    with Catalogue(db) as catalogue:
        before = {i: catalogue.get(i) for i in ("B1", "B2")}
    changed = [list(row) for row in ROWS]
    changed[1][7] = "tersedia"
    result = _run("--db", db, _csv(tmp_path / "b.csv", HEADER_ID, changed))
    assert "ditambah/added 0, diperbarui/updated 1, tetap/unchanged 2" in result.output
    with Catalogue(db) as catalogue:
        after = {i: catalogue.get(i) for i in ("B1", "B2")}
        assert catalogue.count() == 3
    assert after["B2"].updated > before["B2"].updated
    assert after["B2"].created == before["B2"].created
    assert after["B2"].record.copies[0].status == "tersedia"
    assert after["B1"].updated == before["B1"].updated


def test_import_dates_the_statuses_it_brings_and_keeps_those_it_finds(tmp_path: Path) -> None:
    db = tmp_path / "node.sqlite3"
    _run("--db", db, _csv(tmp_path / "a.csv", HEADER_ID, ROWS))
    with Catalogue(db) as catalogue:
        first = catalogue.get("B1")
    returned = [list(row) for row in ROWS]
    returned[1][7] = "tersedia"
    _run("--db", db, _csv(tmp_path / "b.csv", HEADER_ID, returned))
    with Catalogue(db) as catalogue:
        kept, lent = catalogue.get("B1"), catalogue.get("B2")

    def second(entry: CatalogueEntry) -> str:
        return entry.updated.strftime("%Y-%m-%dT%H:%M:%SZ")

    assert [c.status_known for c in kept.record.copies] == [second(first)] * 2
    assert lent.record.copies[0].status_known == second(lent)
    assert lent.updated > first.updated


def test_replace_tombstones_records_absent_from_the_files(tmp_path: Path) -> None:
    db = tmp_path / "node.sqlite3"
    _run("--db", db, _csv(tmp_path / "a.csv", HEADER_ID, ROWS))
    result = _run("--db", db, "--replace", _csv(tmp_path / "b.csv", HEADER_ID, ROWS[:1]),
                  _csv(tmp_path / "c.csv", HEADER_ID, ROWS[2:]))
    assert result.exit_code == 0
    assert "dihapus/deleted 1" in result.output
    with Catalogue(db) as catalogue:
        assert catalogue.count() == 2 and catalogue.count(include_deleted=True) == 3
        assert catalogue.get("B2").deleted


def _truncated_marc(tmp_path: Path) -> Path:
    """Two good MARC records changing B1 and B2, then a record cut short."""
    path = tmp_path / "cut.mrc"
    chunks = []
    for control, title in (("B1", "Laskar Pelangi (edisi baru)"), ("B2", "Bumi"), ("B9", "X")):
        record = pymarc.Record()
        record.add_field(pymarc.Field(tag="001", data=control))
        record.add_field(pymarc.Field("245", pymarc.Indicators("0", "0"),
                                      [pymarc.Subfield("a", title)]))
        chunks.append(record.as_marc())
    path.write_bytes(b"".join(chunks)[:-20])
    return path


def test_a_file_refused_midway_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "node.sqlite3"
    _run("--db", db, _csv(tmp_path / "a.csv", HEADER_ID, ROWS))
    with Catalogue(db) as catalogue:
        before = [catalogue.get(i) for i in ("B1", "B2", "B3")]
    result = _run("--db", db, _truncated_marc(tmp_path),
                  _csv(tmp_path / "new.csv", HEADER_ID, [["B4", "Baru", "", "", "", "", "", ""]]))
    assert result.exit_code == 3
    assert "FILE REFUSED: berkas MARC terpotong" in result.output
    assert "MARC file truncated or corrupt at record 3" in result.output
    with Catalogue(db) as catalogue:
        assert [catalogue.get(i) for i in ("B1", "B2", "B3")] == before
        assert catalogue.get("B4") is not None


def test_a_refused_file_cancels_a_whole_replace(tmp_path: Path) -> None:
    db = tmp_path / "node.sqlite3"
    _run("--db", db, _csv(tmp_path / "a.csv", HEADER_ID, ROWS))
    result = _run("--db", db, "--replace", _csv(tmp_path / "b.csv", HEADER_ID, ROWS[:1]),
                  _truncated_marc(tmp_path))
    assert result.exit_code == 3
    assert "dihapus/deleted 0" in result.output
    with Catalogue(db) as catalogue:
        assert catalogue.count() == 3


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "k.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    result = _run("--db", tmp_path / "n.sqlite3", bad)
    assert result.exit_code == 3 and "corrupt or not an XLSX file" in result.output
    assert _run("--db", tmp_path / "n.sqlite3", tmp_path / "none.csv").exit_code == 2


@pytest.mark.slow
def test_fifty_thousand_rows(tmp_path: Path) -> None:
    path = tmp_path / "besar.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "judul", "pengarang", "tahun", "eksemplar", "lokasi"])
        for n in range(50_000):
            title = "" if n % 10_000 == 9_999 else f"Judul Buku Nomor {n}"
            writer.writerow([f"R{n}", title, f"Pengarang {n % 977}", str(1950 + n % 70),
                             str(1 + n % 3), "Rak Umum"])
    with Catalogue(tmp_path / "big.sqlite3") as catalogue:
        reports, summary = import_files(catalogue, [path], options=intake_options(None))
        assert summary.added == 49_995 and catalogue.count() == 49_995
        assert [r.number for r in reports[0].rejections] == [10_001 + 10_000 * k
                                                              for k in range(5)]
        entry = catalogue.get("R49997")
        assert entry is not None and len(entry.record.copies) == 3


def test_shipped_templates_are_current_and_import_cleanly(tmp_path: Path) -> None:
    templates = Path(__file__).resolve().parents[2] / "docs" / "templates"
    fresh = tmp_path / "katalog.csv"
    assert CliRunner().invoke(node, ["template", "--out", str(fresh)]).exit_code == 0
    assert fresh.read_bytes() == (templates / "katalog.csv").read_bytes()
    result = _run("--db", tmp_path / "n.sqlite3", templates / "katalog.csv",
                  templates / "katalog.xlsx")
    assert result.exit_code == 0, result.output
    assert "ditambah/added 3, diperbarui/updated 0, tetap/unchanged 3" in result.output


def test_the_report_lists_a_bounded_number_of_rows_and_counts_them_all(tmp_path: Path) -> None:
    rows = [[f"U{n}", "", "X", "2001", "", "", "", ""] for n in range(5_000)]
    rows += [[f"W{n}", f"Judul {n}", "X", "tahun?", "", "", "", ""] for n in range(3_000)]
    db = tmp_path / "n.sqlite3"
    reports, summary = import_files(Catalogue(db), [_csv(tmp_path / "k.csv", HEADER_ID, rows)],
                                    options=intake_options(None))
    report = reports[0]
    assert (report.rejected, len(report.rejections)) == (5_000, 1_000)
    assert (report.cautioned, len(report.cautions)) == (3_000, 1_000)
    assert summary.added == report.accepted == 3_000
    result = _run("--db", tmp_path / "m.sqlite3", tmp_path / "k.csv")
    assert "... dan 4000 lagi / and 4000 more" in result.output
    assert "... dan 2000 lagi / and 2000 more" in result.output


def test_a_marc_record_of_length_zero_refuses_its_file_and_the_others_are_imported(
        tmp_path: Path) -> None:
    zero = tmp_path / "nol.mrc"
    zero.write_bytes(b"00000nam a2200000 a 4500\x1e\x1d")
    db = tmp_path / "node.sqlite3"
    result = _run("--db", db, zero, _csv(tmp_path / "k.csv", HEADER_ID, ROWS))
    assert result.exit_code == 3, result.output
    assert "FILE REFUSED: " in result.output and "corrupt at record 1" in result.output
    assert "Traceback" not in result.output
    with Catalogue(db) as catalogue:
        assert catalogue.count() == 3
