"""Uploads on /daftar: warnings shown apart from refusals, a sheet claiming 16,384 columns
and a million rows read by its real cells, and an import that takes too long refused."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from config.registrations import RegistrationStore
from tests.search_ui.staff_support import agency_app, agency_settings
from tests.search_ui.test_uploads import _upload


def _workbook(rows: list[list[object]]) -> bytes:
    """A real catalogue workbook with these rows under the template's headers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Katalog"
    sheet.append(["judul", "pengarang", "isbn", "tahun", "bahasa"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _far_cell(workbook: bytes) -> bytes:
    """The workbook whose sheet declares A1:XFD1048576 and holds one cell at XFD1048576."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                text = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>',
                              data.decode("utf-8"))
                data = text.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" '
                                    't="inlineStr"><is><t>x</t></is></c></row></sheetData>'
                                    ).encode("utf-8")
            target.writestr(name, data)
    return out.getvalue()


def test_flawed_rows_are_kept_and_listed_apart_from_refused_ones(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    status, page = _upload(agency_app(settings).test_client(), "katalog.xlsx", _workbook([
        ["Laskar Pelangi", "Andrea Hirata", "SCOOPG12345", "2005", "Indonesia"],
        ["", "Tanpa Judul", "", "", ""],
        ["Bumi Manusia", "Pramoedya", "", "dua ribu", "Jawa"]]))
    assert status == 200, page
    refused, kept = page.split("Baris yang disimpan dengan nilai yang disisihkan")
    assert "judul kosong" in refused and "SCOOPG" not in refused
    assert "ISBN tidak sah: &#39;SCOOPG12345&#39;" in kept and "tahun bukan angka" in kept
    assert "2 rekaman disimpan dengan peringatan." in page
    report = RegistrationStore.at(settings).by_status("pending")[0].report["upload"]
    assert (report["accepted"], report["rejected"], report["cautioned"]) == (2, 1, 2)


@pytest.mark.timeout(300)
def test_a_sheet_declaring_every_cell_is_read_by_its_real_cells(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    upload = _far_cell(_workbook([["Laskar Pelangi", "Andrea Hirata", "", "2005", ""]]))
    assert len(upload) < 10_000
    status, page = _upload(agency_app(settings).test_client(), "katalog.xlsx", upload)
    assert status == 200, page
    report = RegistrationStore.at(settings).by_status("pending")[0].report["upload"]
    assert (report["accepted"], report["rejected"]) == (1, 0)


def test_an_import_past_its_deadline_is_refused_and_keeps_nothing(tmp_path: Path) -> None:
    settings = dataclasses.replace(agency_settings(tmp_path),
                                   environ={"JALA_INTAKE_UPLOAD_SECONDS": "0"})
    status, page = _upload(agency_app(settings).test_client(), "katalog.xlsx",
                           _workbook([["Laskar Pelangi", "Andrea Hirata", "", "", ""]]))
    assert status == 422 and "impor berkas terlalu lama" in page
    assert RegistrationStore.at(settings).by_status("pending") == []
    assert list((settings.data_dir / "hosted").iterdir()) == []
