"""Hostile catalogue uploads: too large a request, a zip bomb posing as a workbook, an
XML entity bomb inside a workbook, a name that tries to leave the upload folder."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
from flask.testing import FlaskClient

from config.registrations import RegistrationStore
from config.settings import Settings
from tests.search_ui.staff_support import agency_app, agency_settings, csrf_token

FORM = {"name": "Taman Baca Uji", "type": "taman-baca", "district": "Kabupaten Katingan",
        "address": "Desa Tumbang Samba", "contact_name": "Ibu Sari", "email": "sari@contoh.id",
        "whatsapp": "081234567890", "catalogue": "upload"}
LAUGHS = ('<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">'
                    for n in range(8)) + "]>")


def _upload(client: FlaskClient, name: str, data: bytes) -> tuple[int, str]:
    """Send the form with ``data`` as the catalogue file called ``name``."""
    token = csrf_token(client, "/daftar")
    answer = client.post("/daftar", content_type="multipart/form-data", data={
        **FORM, "csrf_token": token, "upload": (io.BytesIO(data), name)})
    return answer.status_code, answer.get_data(as_text=True)


def _workbook(title: str = "Laskar Pelangi") -> bytes:
    """A real one-row catalogue workbook."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Katalog"
    sheet.append(["judul", "pengarang"])
    sheet.append([title, "Andrea Hirata"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewritten(workbook: bytes, change: dict[str, bytes]) -> bytes:
    """The workbook with some members replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name not in change:
                target.writestr(name, source.read(name))
        for name, data in change.items():
            target.writestr(name, data)
    return out.getvalue()


def _nothing_kept(settings: Settings) -> None:
    """No registration and no catalogue file stayed behind."""
    assert RegistrationStore.at(settings).by_status("pending") == []
    assert [p.name for p in (settings.data_dir / "hosted").iterdir()] == []


def test_a_request_larger_than_the_limit_is_a_413_page(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path, max_upload_mb=1)
    status, page = _upload(agency_app(settings).test_client(), "katalog.csv",
                           b"judul\n" + b"Buku\n" * 600_000)
    assert status == 413
    assert "paling besar 1 MB" in page
    assert RegistrationStore.at(settings).by_status("pending") == []


def test_a_zip_bomb_posing_as_a_workbook_is_refused_unopened(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path, max_upload_mb=1)
    bomb = _rewritten(_workbook(), {"xl/media/padding.bin": bytes(21 * 2**20)})
    assert len(bomb) < 2**20, "small on the wire"
    status, page = _upload(agency_app(settings).test_client(), "katalog.xlsx", bomb)
    assert status == 422
    assert "terlalu besar setelah dibuka" in page
    _nothing_kept(settings)


def test_an_entity_bomb_inside_a_workbook_is_refused(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    workbook = _workbook("PLACEHOLDER")
    sheet = zipfile.ZipFile(io.BytesIO(workbook)).read("xl/worksheets/sheet1.xml").decode()
    bomb = _rewritten(workbook, {"xl/worksheets/sheet1.xml": (
        LAUGHS + sheet.replace("PLACEHOLDER", "&i;")).encode()})
    status, page = _upload(agency_app(settings).test_client(), "katalog.xlsx", bomb)
    assert status == 422
    assert "Berkas tidak dapat dibaca" in page and "amplification" in page
    _nothing_kept(settings)


def test_an_honest_workbook_with_a_hostile_name_is_stored_under_our_name(
        tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    status, page = _upload(agency_app(settings).test_client(), "../../../etc/katalog.xlsx",
                           _workbook())
    assert status == 200, page
    registration = RegistrationStore.at(settings).by_status("pending")[0]
    assert [p.name for p in (settings.data_dir / "hosted").iterdir()] \
        == [f"{registration.source_id}.sqlite3"]
    assert not (tmp_path / "etc").exists()
