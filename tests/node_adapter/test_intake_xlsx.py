"""XLSX reading: the right sheet, row numbers, cell types, corrupt and empty workbooks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from node_adapter.intake import FileRejected
from node_adapter.intake.csv_xlsx import read_xlsx
from node_adapter.intake.messages import Message, Rejection
from node_adapter.intake.template_files import write_xlsx


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def _read(path: Path) -> tuple[list, list[str], list[Message]]:
    warnings: list[Message] = []
    items = list(read_xlsx(path, warnings))
    rows = [item for item in items if not isinstance(item, Rejection)]
    return rows, [str(item) for item in items if isinstance(item, Rejection)], warnings


def test_numbers_and_dates_become_the_text_librarians_typed(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "k.xlsx", {"Sheet1": [
        ["Title", "ISBN", "Year", "Copies"],
        ["Negeri 5 Menara", 9789792248616, datetime(2009, 7, 1), 2.0],
    ]})
    rows, _, _ = _read(path)
    assert rows == [(2, {"title": "Negeri 5 Menara", "isbn": "9789792248616", "year": "2009",
                         "copies": "2"})]


def test_row_numbers_count_empty_rows_and_the_header(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "k.xlsx", {"Katalog": [
        ["judul", "pengarang"], ["A", "x"], [None, None], ["B", "y"], ["C", "z", "lebih"],
    ]})
    rows, rejected, _ = _read(path)
    assert [line for line, _ in rows] == [2, 4]
    assert rejected[0].startswith("baris 5: terlalu banyak kolom")


def test_the_catalogue_sheet_is_found_by_name_or_by_its_title_column(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "k.xlsx", {
        "Petunjuk": [["Isi lembar Katalog"]], "Data": [["judul"], ["Dari lembar Data"]]})
    assert _read(path)[0] == [(2, {"title": "Dari lembar Data"})]
    template = tmp_path / "template.xlsx"
    write_xlsx(template)
    assert openpyxl.load_workbook(template).sheetnames == ["Katalog", "Petunjuk"]
    assert len(_read(template)[0]) == 3


def test_a_workbook_without_a_catalogue_sheet_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "k.xlsx", {"Anggota": [["nama", "alamat"], ["Budi", "Sampit"]]})
    with pytest.raises(FileRejected, match=r"no sheet has a title column.*Anggota"):
        _read(path)


def test_an_empty_workbook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="no sheet has a title column"):
        _read(_workbook(tmp_path / "k.xlsx", {"Katalog": []}))


def test_a_corrupt_workbook_is_refused(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "k.xlsx", {"Katalog": [["judul"], ["A"]]})
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[:600])
    not_zip = tmp_path / "text.xlsx"
    not_zip.write_text("judul\nA\n")
    for path in (truncated, not_zip):
        with pytest.raises(FileRejected, match="corrupt or not an XLSX"):
            _read(path)
