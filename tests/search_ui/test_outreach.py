"""The census of known libraries: the agency's list imported from CSV or XLSX (rows refused
or warned about with their line, nothing typed lost, a bad file replacing nothing),
matched against a real harvested node, a source never harvested and a pending
registration; the outreach worklist with WhatsApp invitations; exports equal to the page."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import lxml.html
import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregator.engine import open_engine
from aggregator.indexer import Indexer
from config.network import load_sources
from config.profiles import LibraryProfile, ProfileStore
from config.registrations import Registration, RegistrationStore
from config.settings import Settings
from harvester.pool import harvest_all
from search_ui.decisions import DecisionLog
from tests.search_ui.staff_support import (
    agency_settings,
    csrf_token,
    login,
    served_app,
    with_staff,
)
from tests.support.nodes import make_records, running_node

HOSTILE = "=HYPERLINK(\"http://contoh.invalid\") TBM"
KNOWN_CSV = (
    "Nama Perpustakaan;Jenis;NPP;Kab/Kota;Alamat;Narahubung;No HP;Provinsi\n"
    "Perpustakaan Daerah (nama lama);Perpustakaan Umum Kabupaten;6202012D1000001;"
    "Kab. Kotawaringin Timur;Sampit;Pak Budi;0812 1111 2222;Kalimantan Tengah\n"
    "PERPUSTAKAAN  kota-uji;umum;;Kota Palangka Raya;;;;Kalimantan Tengah\n"
    "TBM Anggrek;Taman Baca Masyarakat;;Kabupaten Kapuas;;Ibu Sari;;Kalimantan Tengah\n"
    "TBM Cahaya Desa;Taman Baca Masyarakat;62-09-012-D1-000009;Kabupaten Katingan;"
    "Tumbang Samba;Ibu Rina;0813 5555 1234;Kalimantan Tengah\n"
    ";Perpustakaan Sekolah;;Kabupaten Kapuas;;;;Kalimantan Tengah\n"
    "Perpustakaan Desa Lewu;perpustakaan desa;6301012D1000001;Kabupaten Antah;;;12;"
    "Kalimantan Tengah\n"
    f"\"{HOSTILE.replace(chr(34), chr(34) * 2)}\";;;;;;08129999000;Kalimantan Tengah\n")
EXPECTED = {"Perpustakaan Daerah (nama lama)": ("publishing", "kotim"),
            "PERPUSTAKAAN kota-uji": ("stale", "kota"),
            "TBM Anggrek": ("pending", ""),
            "TBM Cahaya Desa": ("not_joined", ""),
            "Perpustakaan Desa Lewu": ("not_joined", ""),
            HOSTILE: ("not_joined", "")}
STATE_WORDS = {"publishing": "di jaringan, menerbitkan",
               "stale": "di jaringan, tidak dipanen belakangan ini",
               "pending": "sudah mendaftar, menunggu persetujuan",
               "not_joined": "belum dijangkau"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A real node harvested over HTTP and indexed (``kotim``, its census row holding an
    NPP), a source never harvested (``kota``), a pending registration, two users."""
    folder = tmp_path_factory.mktemp("outreach")
    with running_node(folder / "kotim.sqlite3", page_size=5) as node:
        node.catalogue.upsert_many(make_records(6, prefix="kotim"))
        configured = agency_settings(
            folder,
            '[[sources]]\nid = "kotim"\nname = "Perpustakaan Umum Daerah Kotawaringin Timur"\n'
            f'type = "kabupaten"\ndistrict = "Kabupaten Kotawaringin Timur"\n'
            f'base_url = "{node.url}"\nenabled = false\n\n'
            '[[sources]]\nid = "kota"\nname = "Perpustakaan Kota Uji"\ntype = "kota"\n'
            'district = "Kota Palangka Raya"\nbase_url = "http://127.0.0.1:9/oai"\n'
            'enabled = false\n', allow_private_sources=True)
        kotim = [s for s in load_sources(configured) if s.id == "kotim"]
        assert [r.status for r in harvest_all(configured, kotim)] == ["ok"]
    with open_engine(configured, writer=True) as engine:
        Indexer.from_settings(configured, engine).rebuild()
    ProfileStore.at(configured).save(LibraryProfile("kotim", "umum-kabupaten-kota",
                                                    npp="6202012D1000001",
                                                    district_code="6202"))
    RegistrationStore.at(configured).add(Registration(
        "tbm-anggrek", "oai", "TBM Anggrek", "taman-baca", "Kabupaten Kapuas",
        base_url="http://93.184.215.14/oai"), set())
    yield with_staff(configured)


@pytest.fixture(scope="module")
def app(settings: Settings) -> Iterator[Flask]:
    """The central app, CSRF on."""
    yield from served_app(settings)


def _logged_in(app: Flask, name: str) -> FlaskClient:
    """A client logged in as ``name``."""
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _upload(client: FlaskClient, body: bytes, name: str) -> tuple[int, str]:
    """Post a list file to the outreach page; the status and the page."""
    token = csrf_token(client, "/dasbor/")
    answer = client.post("/dasbor/jangkauan", content_type="multipart/form-data",
                         data={"csrf_token": token, "daftar": (io.BytesIO(body), name)})
    return answer.status_code, answer.get_data(as_text=True)


def _rows(page: str, table_id: str) -> list[list[str]]:
    """A table's body rows as shown."""
    document = lxml.html.fromstring(page)
    return [[cell.text_content().strip() for cell in row.xpath("./th|./td")]
            for row in document.xpath(f'//table[@id="{table_id}"]/tbody/tr')]


def _stored(settings: Settings) -> list[tuple]:
    """The known list as web.sqlite3 holds it."""
    with sqlite3.connect(settings.data_dir / "web.sqlite3") as db:
        return db.execute("SELECT line, name, npp_text, npp, district_text, district_code, "
                          "whatsapp_text, whatsapp FROM known_libraries ORDER BY line").fetchall()


def test_a_known_list_is_imported_matched_and_worked_through(app: Flask,
                                                            settings: Settings) -> None:
    admin = _logged_in(app, "ani")
    status, page = _upload(admin, KNOWN_CSV.encode("utf-8"), "npp-perpusnas.csv")
    assert status == 200, page
    report = lxml.html.fromstring(page).get_element_by_id("import-report").text_content()
    assert "6 perpustakaan diimpor, 1 baris ditolak, 2 disimpan dengan peringatan" in report
    assert "jenis 'umum' tidak dikenal" in report
    assert "tanpa nama perpustakaan" in report
    assert "'Kabupaten Antah' tidak ada di provinsi" in report
    assert "NPP '6301012D1000001' milik provinsi lain" in report
    assert "nomor WhatsApp '12' tidak dapat dipakai" in report
    assert "kolom 'Provinsi' tidak dikenal" in report
    stored = {row[1]: row for row in _stored(settings)}
    assert set(stored) == set(EXPECTED), "every named row is kept, the nameless one refused"
    lewu = stored["Perpustakaan Desa Lewu"]
    assert lewu[2:] == ("6301012D1000001", "", "Kabupaten Antah", "", "12", ""), \
        "what the census cannot use is kept as typed"
    assert stored["TBM Cahaya Desa"][2:4] == ("62-09-012-D1-000009", "6209012D1000009")

    page = admin.get("/dasbor/jangkauan").get_data(as_text=True)
    table = {row[0]: row for row in _rows(page, "jangkauan")}
    for name, (state, source) in EXPECTED.items():
        assert table[name][2:4] == [STATE_WORDS[state], source or "–"], name
    counts = {item.get("data-state"): int(item.findtext("strong"))
              for item in lxml.html.fromstring(page).xpath('//ul[@id="outreach-counts"]/li')}
    assert counts == {"publishing": 1, "stale": 1, "pending": 1, "not_joined": 3,
                      "unlisted": 0}
    assert sum(counts.values()) == len(_stored(settings))
    worklist = _rows(page, "worklist")
    assert [row[0] for row in worklist] == ["TBM Cahaya Desa", "Perpustakaan Desa Lewu",
                                            HOSTILE]
    links = lxml.html.fromstring(page).xpath('//table[@id="worklist"]//a[@class="wa"]/@href')
    assert len(links) == 2, "no link for a number that cannot be used"
    invite = urlsplit(links[0])
    assert invite.netloc == "wa.me" and invite.path == "/6281355551234"
    text = parse_qs(invite.query)["text"][0]
    assert "TBM Cahaya Desa" in text and "Kalimantan Tengah" in text and "/daftar" in text
    decision = DecisionLog.at(settings).recent()[0]
    assert (decision.actor, decision.action, decision.note) == \
        ("ani", "known-import", "npp-perpusnas.csv: 6")
    assert "npp-perpusnas.csv: 6" in page

    shown = [[cell for cell in row] for row in _rows(page, "jangkauan")]
    exported = list(csv.reader(io.StringIO(
        admin.get("/dasbor/jangkauan.csv").get_data(as_text=True).lstrip("\ufeff"))))
    book = openpyxl.load_workbook(io.BytesIO(admin.get("/dasbor/jangkauan.xlsx").data))
    cells = [[c.value for c in row] for row in book.worksheets[0].iter_rows(min_row=2)]
    assert len(exported) - 1 == len(cells) == len(shown) == 6
    for csv_row, xlsx_row, page_row in zip(exported[1:], cells, shown, strict=True):
        assert [v.removeprefix("'") for v in csv_row] == \
            ["" if v is None else str(v) for v in xlsx_row] == \
            [("" if v == "–" else v) for v in page_row]
    hostile = next(row for row in book.worksheets[0].iter_rows() if row[0].value == HOSTILE)
    assert hostile[0].data_type == "s"
    assert next(r for r in exported if r[0].endswith("TBM"))[0] == "'" + HOSTILE


def test_a_list_that_cannot_be_used_replaces_nothing(app: Flask, settings: Settings) -> None:
    admin = _logged_in(app, "ani")
    book = openpyxl.Workbook()
    book.active.append(["Nama", "Kabupaten/Kota", "WhatsApp"])
    book.active.append(["TBM Bakung", "Kabupaten Kapuas", "081200001111"])
    xlsx = io.BytesIO()
    book.save(xlsx)
    assert _upload(admin, xlsx.getvalue(), "daftar.xlsx")[0] == 200
    assert [row[1] for row in _stored(settings)] == ["TBM Bakung"]
    before = _stored(settings)
    for body, name, problem in (
            (b"judul,pengarang\nBuku,Penulis\n", "salah.csv", "tidak ada kolom nama"),
            (b"PK\x03\x04 rusak", "rusak.xlsx", "berkas XLSX rusak"),
            (b"nama\n", "kosong.csv", "tidak ada baris dengan nama perpustakaan"),
            (b"nama\nTBM\n", "daftar.pdf", "pilih berkas CSV atau XLSX")):
        status, page = _upload(admin, body, name)
        assert status in (400, 422) and problem in page, name
        assert "daftar tetap seperti semula" in page
        assert _stored(settings) == before, f"{name} replaced the list"
    staff = _logged_in(app, "budi")
    assert staff.get("/dasbor/jangkauan").status_code == 200
    assert 'type="file"' not in staff.get("/dasbor/jangkauan").get_data(as_text=True)
    assert _upload(staff, b"nama\nTBM\n", "daftar.csv")[0] == 403
    assert app.test_client().get("/dasbor/jangkauan.csv").status_code == 302
