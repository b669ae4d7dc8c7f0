"""Usage without personal data: work-page views and WhatsApp clicks counted on the server per
library and district, searches per day; the usage page equals counts taken straight from
the stores, and its downloads equal the page."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import lxml.html
import openpyxl
import pytest
from flask import Flask

from aggregator.engine import open_engine
from aggregator.model import Holding, Work
from aggregator.query import SearchQuery
from config.settings import Settings
from tests.search_ui.staff_support import agency_settings, login, served_app, with_staff

SOURCES = (
    '[[sources]]\nid = "kota"\nname = "Perpustakaan Kota Uji"\ntype = "kota"\n'
    'district = "Kota Palangka Raya"\nwhatsapp = "6281250001000"\n'
    'base_url = "http://127.0.0.1:9/oai"\nenabled = false\n\n'
    '[[sources]]\nid = "tbm"\nname = "TBM Uji"\ntype = "taman-baca"\n'
    'district = "Kabupaten Kapuas"\nbase_url = "http://127.0.0.1:9/oai"\nenabled = false\n')


def _work(work_id: str, title: str, libraries: list[tuple[str, str, str]]) -> Work:
    """A work held by ``libraries`` (id, name, district)."""
    return Work(id=work_id, title=title, creators=["Penulis Uji"], year=2020, language="ind",
                holdings=[Holding(library_id=lid, record_id=f"{lid}:{work_id}",
                                  library_name=name, district=district, copies=1, available=1)
                          for lid, name, district in libraries],
                updated="2026-01-01T00:00:00Z")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Two libraries (one with WhatsApp) and two works in a real tantivy index."""
    configured = agency_settings(tmp_path_factory.mktemp("usage"), SOURCES)
    kota = ("kota", "Perpustakaan Kota Uji", "Kota Palangka Raya")
    tbm = ("tbm", "TBM Uji", "Kabupaten Kapuas")
    with open_engine(configured, writer=True) as engine:
        engine.upsert([_work("w1", "Sejarah Kalimantan Tengah", [kota, tbm]),
                       _work("w2", "Dongeng Dayak Ngaju", [tbm])])
        engine.commit()
    return with_staff(configured)


@pytest.fixture(scope="module")
def app(settings: Settings) -> Iterator[Flask]:
    """The central app, CSRF on."""
    yield from served_app(settings)


def _rows(page: str, table_id: str) -> dict[str, list[str]]:
    """A table's body rows by their second cell (source id or code) or first (day)."""
    document = lxml.html.fromstring(page)
    rows = [[cell.text_content().strip() for cell in row.xpath("./th|./td")]
            for row in document.xpath(f'//table[@id="{table_id}"]/tbody/tr')]
    return {row[0] if table_id == "pencarian-harian" else row[1]: row for row in rows}


def _usage(settings: Settings) -> dict[tuple[str, str], int]:
    """(library, event) → count, straight from web.sqlite3."""
    with sqlite3.connect(settings.data_dir / "web.sqlite3") as db:
        return {(lib, event): n for lib, event, n in db.execute(
            "SELECT library, event, SUM(n) FROM usage GROUP BY library, event")}


def test_views_clicks_and_searches_are_counted_and_shown(app: Flask,
                                                         settings: Settings) -> None:
    patron = app.test_client()
    for _ in range(3):
        page = patron.get("/karya/w1").get_data(as_text=True)
    patron.get("/karya/w2")
    links = lxml.html.fromstring(page).xpath('//a[@class="wa" or @class="wa alt"]')
    assert [a.get("href") for a in links] == ["/karya/w1/wa/kota/tanya",
                                              "/karya/w1/wa/kota/perpanjang"]
    assert all("nofollow" in a.get("rel") for a in links)
    for path, times in (("/karya/w1/wa/kota/tanya", 2), ("/karya/w1/wa/kota/perpanjang", 1)):
        for _ in range(times):
            answer = patron.get(path)
            assert answer.status_code == 302 and answer.headers["Cache-Control"] == "no-store"
            assert urlsplit(answer.headers["Location"]).netloc == "wa.me"
            assert "Sejarah Kalimantan Tengah" in answer.headers["Location"].replace("%20", " ")
    for path in ("/karya/w1/wa/tbm/tanya", "/karya/w2/wa/kota/tanya", "/karya/nope/wa/kota/tanya",
                 "/karya/w1/wa/kota/hapus"):
        assert patron.get(path).status_code == 404, path
    service = app.extensions["search_service"]
    for words in ("sejarah kalimantan", "dongeng", "kamus bahasa ngaju"):
        service.search(SearchQuery(text=words))

    staff = app.test_client()
    assert login(staff, "budi").status_code == 302
    page = staff.get("/dasbor/pemakaian").get_data(as_text=True)
    stored = _usage(settings)
    assert stored == {("kota", "view"): 3, ("tbm", "view"): 4, ("kota", "ask"): 2,
                      ("kota", "extend"): 1}
    libraries = _rows(page, "pemakaian-perpustakaan")
    for library in ("kota", "tbm"):
        assert libraries[library][3:] == [str(stored.get((library, e), 0))
                                          for e in ("view", "ask", "extend")]
    districts = _rows(page, "pemakaian-kabupaten")
    assert districts["6271"][2:] == ["3", "2", "1"] and districts["6203"][2:] == ["4", "0", "0"]
    assert districts["6201"][2:] == ["0", "0", "0"]

    service.query_log.flush()
    with sqlite3.connect(settings.data_dir / "analytics.sqlite3") as db:
        total, zero = db.execute("SELECT COUNT(*), SUM(hits = 0) FROM queries "
                                 "WHERE channel = 'site'").fetchone()
    assert (total, zero) == (3, 1)
    today = (datetime.now(UTC) + timedelta(hours=7)).strftime("%Y-%m-%d")
    assert _rows(page, "pencarian-harian")[today][1:] == ["3", "1", "33%"], "days in WIB"
    assert "<svg" in page and "Pencarian per hari" in page

    for key, table_id in (("perpustakaan", "pemakaian-perpustakaan"),
                          ("kabupaten", "pemakaian-kabupaten"), ("harian", "pencarian-harian")):
        shown = list(_rows(page, table_id).values())
        exported = list(csv.reader(io.StringIO(staff.get(f"/dasbor/pemakaian/{key}.csv")
                                               .get_data(as_text=True).lstrip("\ufeff"))))[1:]
        book = openpyxl.load_workbook(io.BytesIO(staff.get(f"/dasbor/pemakaian/{key}.xlsx").data))
        cells = [[c.value for c in row] for row in book.worksheets[0].iter_rows(min_row=2)]
        assert len(exported) == len(cells) == len(shown)
        for csv_row, xlsx_row, page_row in zip(exported, cells, shown, strict=True):
            plain = 3 if key == "harian" else len(page_row)  # the share column is a ratio
            assert csv_row[:plain] == [str(v) for v in xlsx_row[:plain]] == page_row[:plain]
    assert staff.get("/dasbor/pemakaian/lain.csv").status_code == 404
    assert app.test_client().get("/dasbor/pemakaian").status_code == 302
