"""The agency's census: indicators per district, census rows, data quality and exports, all
checked against counts taken straight from the stores after a real harvest and index."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import lxml.etree
import lxml.html
import openpyxl
import pytest
from babel.numbers import format_decimal
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser

from aggregator.engine import open_engine
from aggregator.indexer import Indexer
from config.network import load_sources
from config.profiles import ProfileStore
from config.settings import Settings
from harvester.pool import harvest_all
from harvester.store import RecordStore, StoredRecord
from search_ui.admin.census_views import RATIO
from tests.search_ui.staff_support import (
    add_user,
    agency_settings,
    browser_login,
    csrf_token,
    login,
    served_app,
)
from tests.support.browser import assert_accessible
from tests.support.http import live_server
from tests.support.nodes import make_records, running_node

HOSTILE_NAME = "=HYPERLINK(\"http://contoh.invalid\") Taman Baca"
POPULATION = {"6271": 305_000, "6202": 428_000}
CENSUS = (
    '[census]\npopulation_source = "BPS, Kalimantan Tengah dalam Angka"\n'
    'population_year = 2025\nnorm_copies_per_person = 0.5\n'
    'population = [{ district = "6271", people = 305000 }, '
    '{ district = "6202", people = 428000 }]\n\n')


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Two real nodes in two districts harvested over HTTP and indexed; one broken record
    written to the store as a harvest would; two agency users."""
    folder = tmp_path_factory.mktemp("census")
    kota_records = make_records(14, prefix="kota")
    kota_records[3] = replace(kota_records[3], isbn=[], subjects=[], year=None)
    kota_records.append(replace(kota_records[5], local_id="kota-again", isbn=[], copies=[]))
    with ExitStack() as nodes:
        kota = nodes.enter_context(running_node(folder / "kota.sqlite3", page_size=5))
        kota.catalogue.upsert_many(kota_records)
        tbm = nodes.enter_context(running_node(folder / "tbm.sqlite3", page_size=5))
        tbm.catalogue.upsert_many(make_records(5, prefix="tbm"))
        configured = agency_settings(
            folder, CENSUS +
            f'[[sources]]\nid = "kota"\nname = "Perpustakaan Kota Uji"\ntype = "kota"\n'
            f'district = "Kota Palangka Raya"\nbase_url = "{kota.url}"\nenabled = false\n\n'
            f'[[sources]]\nid = "tbm"\nname = {json.dumps(HOSTILE_NAME)}\n'
            f'type = "taman-baca"\ndistrict = "Kab. Kotawaringin Timur"\n'
            f'base_url = "{tbm.url}"\nenabled = false\n',
            allow_private_sources=True)
        runs = harvest_all(configured, load_sources(configured))
        assert [r.status for r in runs] == ["ok", "ok"]
    store = RecordStore.at(configured)
    with store.transaction() as db:
        store.write_records(db, [StoredRecord("kota", "oai:kota:broken", "2026-01-01",
                                              False, "oai_dc", "<oai_dc:dc>")])
    store.close()
    with open_engine(configured, writer=True) as engine:
        Indexer.from_settings(configured, engine).rebuild()
    add_user(configured, "ani", "admin")
    add_user(configured, "budi", "staff")
    yield configured


@pytest.fixture(scope="module")
def app(settings: Settings) -> Iterator[Flask]:
    """The central app, CSRF on."""
    yield from served_app(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Staff logged in."""
    logged = app.test_client()
    assert login(logged, "budi").status_code == 302
    return logged


def _from_store(settings: Settings, sql: str, *args: object) -> list[tuple]:
    """Rows of a query on works.sqlite3 itself: the counts the pages must equal."""
    with sqlite3.connect(settings.data_dir / "works.sqlite3") as db:
        return db.execute(sql, args).fetchall()


def _table(page: str, table_id: str) -> list[list[str]]:
    """A table's rows (header row first) as the page shows them."""
    document = lxml.html.fromstring(page)
    return [[cell.text_content().strip() for cell in row.xpath("./th|./td")]
            for row in document.xpath(f'//table[@id="{table_id}"]//tr')]


def _number(text: str) -> int:
    """An Indonesian-formatted whole number ("1.234")."""
    return int(text.replace(".", ""))


def _reads_as(shown: str, value: float) -> bool:
    """Whether a page's text is ``value`` as a count, a ratio or a percentage."""
    if shown.endswith("%"):
        return int(shown[:-1].replace(".", "")) == round(100 * value)
    return shown in (format_decimal(value, locale="id"),
                     format_decimal(value, RATIO, locale="id"))


def test_district_figures_equal_counts_taken_from_the_stores(client: FlaskClient,
                                                            settings: Settings) -> None:
    page = client.get("/dasbor/indikator").get_data(as_text=True)
    rows = {row[1]: row for row in _table(page, "kabupaten")[1:]}
    copies = dict(_from_store(settings, "SELECT source, sum(json_extract(data, "
                                        "'$.holding.copies')) FROM record_data GROUP BY source"))
    titles = dict(_from_store(settings, "SELECT source, count(DISTINCT work_id) FROM records "
                                        "GROUP BY source"))
    all_titles = _from_store(settings, "SELECT count(DISTINCT work_id) FROM records")[0][0]
    assert copies["kota"] > 0 and copies["tbm"] > 0
    for code, source in (("6271", "kota"), ("6202", "tbm")):
        row = rows[code]
        assert _number(row[2]) == POPULATION[code]
        assert _number(row[3]) == 1
        assert _number(row[4]) == titles[source]
        assert _number(row[5]) == copies[source]
        per_person = copies[source] / POPULATION[code]
        assert row[7] == format_decimal(per_person, RATIO, locale="id")
        collection = round(100 * per_person / 0.5)
        assert row[9] == f"{collection}%"
        assert row[10] == "–", "staff not reported is not zero"
    province = rows["62"]
    assert province[2] == "–", "12 districts have no figure, so the province has none"
    assert _number(province[4]) == all_titles
    assert _number(province[5]) == copies["kota"] + copies["tbm"]
    assert rows["6201"][2] == "–" and rows["6201"][7] == "–"
    assert "BPS, Kalimantan Tengah dalam Angka, 2025" in page


def test_a_census_row_is_checked_saved_and_counted(client: FlaskClient, settings: Settings,
                                                   app: Flask) -> None:
    path = "/dasbor/perpustakaan/kota/sensus"
    token = csrf_token(client, path)
    base = {"csrf_token": token, "national_type": "umum-kabupaten-kota",
            "district_code": "6271", "latitude": "-2,2096", "longitude": "113.9135",
            "staff": "6", "librarians": "2", "members": "1200", "visits_per_month": "900"}
    for changes, problem in (({"npp": "62710"}, "NPP terdiri atas 15 karakter"),
                             ({"npp": "6301012D1000001"}, "provinsi lain"),
                             ({"npp": "6202012D1000001"}, "kabupaten/kota lain"),
                             ({"librarians": "9"}, "termasuk dalam seluruh staf"),
                             ({"longitude": ""}, "lintang dan bujur")):
        answer = client.post(path, data={**base, **changes})
        assert answer.status_code == 400 and problem in answer.get_data(as_text=True)
    assert ProfileStore.at(settings).all() == {}, "a refused row stores nothing"
    saved = client.post(path, data={**base, "npp": "6271 012 D1 000001"})
    assert saved.status_code == 302
    stored = ProfileStore.at(settings).all()["kota"]
    assert (stored.npp, stored.staff, stored.updated_by) == ("6271012D1000001", 6, "budi")
    page = client.get("/dasbor/indikator").get_data(as_text=True)
    rows = {row[1]: row for row in _table(page, "kabupaten")[1:]}
    assert rows["6271"][10] == f"{round(100 * 6 * 2500 / POPULATION['6271'])}%"
    visits = 900 * 12 / 365 / (POPULATION["6271"] * 0.02)
    assert rows["6271"][11] == f"{round(100 * visits)}%"
    completeness = {row[0]: row for row in _table(page, "kelengkapan")[1:]}
    assert completeness["Kota Palangka Raya"][2:5] == ["100%", "100%", "100%"]
    assert completeness["Kabupaten Kotawaringin Timur"][2] == "0%"
    libraries = client.get("/dasbor/perpustakaan").get_data(as_text=True)
    assert _table(libraries, "perpustakaan")[1][3] == "6271012D1000001"
    with sqlite3.connect(ProfileStore.at(settings).path) as db:
        db.execute("DELETE FROM profiles")  # the other tests see no census row


def test_data_quality_lists_gaps_repeats_and_records_not_indexed(client: FlaskClient,
                                                                 settings: Settings) -> None:
    page = client.get("/dasbor/perpustakaan").get_data(as_text=True)
    rows = {row[1]: row for row in _table(page, "mutu")[1:]}
    records = dict(_from_store(settings, "SELECT source, count(*) FROM records GROUP BY source"))
    no_isbn = dict(_from_store(settings, "SELECT source, count(*) FROM record_data WHERE "
                                         "json_array_length(data, '$.isbns') = 0 GROUP BY source"))
    repeats = dict(_from_store(settings, "SELECT source, count(*) - count(DISTINCT work_id) "
                                         "FROM records GROUP BY source"))
    assert _number(rows["kota"][2]) == records["kota"]
    assert _number(rows["kota"][3]) == 1, "the broken record is counted"
    assert rows["kota"][4] == f"{round(100 * no_isbn['kota'] / records['kota'])}%"
    assert _number(rows["kota"][9]) == repeats["kota"] and repeats["kota"] >= 1
    assert rows["tbm"][4] == "0%"
    assert "broken XML" in page


def test_exports_reopen_equal_to_the_page_and_stay_text(client: FlaskClient) -> None:
    for key, path in (("kabupaten", "/dasbor/indikator"), ("perpustakaan", "/dasbor/perpustakaan"),
                      ("mutu", "/dasbor/perpustakaan")):
        shown = _table(client.get(path).get_data(as_text=True), key)
        answer = client.get(f"/dasbor/ekspor/{key}.csv")
        assert "attachment" in answer.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
        book = openpyxl.load_workbook(io.BytesIO(client.get(f"/dasbor/ekspor/{key}.xlsx").data))
        sheet = book.worksheets[0]
        cells = [[c.value for c in row] for row in sheet.iter_rows()]
        assert len(rows) == len(cells) == len(shown)
        assert rows[0] == cells[0] == shown[0]
        for csv_row, xlsx_row, page_row in zip(rows[1:], cells[1:], shown[1:], strict=True):
            for csv_value, xlsx_value, page_value in zip(csv_row, xlsx_row, page_row,
                                                         strict=True):
                if page_value == "–":
                    assert csv_value == "" and xlsx_value is None
                elif isinstance(xlsx_value, int | float):
                    assert float(csv_value) == pytest.approx(xlsx_value, rel=1e-12)
                    assert _reads_as(page_value, float(csv_value))
                else:
                    assert csv_value.removeprefix("'") == xlsx_value == page_value
        if key == "perpustakaan":
            hostile = next(row for row in sheet.iter_rows() if row[1].value == "tbm")[0]
            assert (hostile.value, hostile.data_type) == (HOSTILE_NAME, "s")
            assert next(r for r in rows if r[1] == "tbm")[0] == "'" + HOSTILE_NAME


def test_the_iplm_workbook_of_a_district(client: FlaskClient) -> None:
    answer = client.get("/dasbor/iplm/6202.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    summary, libraries, quality, notes = book.worksheets
    assert [row[1].value for row in summary.iter_rows(min_row=2)] == ["6202"]
    assert [row[1].value for row in libraries.iter_rows(min_row=2)] == ["tbm"]
    assert [row[1].value for row in quality.iter_rows(min_row=2)] == ["tbm"]
    documented = {row[0].value for row in notes.iter_rows(min_row=2)}
    assert {"Penduduk", "Kecukupan koleksi"} <= documented
    assert client.get("/dasbor/iplm/9999.xlsx").status_code == 404


def test_charts_are_well_formed_svg_with_a_title_and_description(client: FlaskClient) -> None:
    for path in ("/dasbor/indikator", "/dasbor/perpustakaan"):
        page = client.get(path).get_data(as_text=True)
        start, end = page.index("<svg"), page.index("</svg>") + len("</svg>")
        parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
        svg = lxml.etree.fromstring(page[start:end].encode(), parser)
        namespace = {"s": "http://www.w3.org/2000/svg"}
        assert svg.get("role") == "img"
        assert svg.xpath("s:title", namespaces=namespace)[0].text
        assert svg.xpath("s:desc", namespaces=namespace)[0].text
        assert "<script" not in page[start:end]


def test_records_over_time_per_district_equal_the_record_store(client: FlaskClient,
                                                               settings: Settings) -> None:
    page = client.get("/dasbor/indikator").get_data(as_text=True)
    rows = {row[0]: row for row in _table(page, "pertumbuhan")}
    months = rows["Kabupaten/kota"][1:]
    assert len(months) == 12 and months == sorted(months)
    with sqlite3.connect(settings.data_dir / "records.sqlite3") as db:
        stored = dict(db.execute("SELECT source, count(*) FROM records WHERE deleted = 0 "
                                 "AND substr(datestamp, 1, 7) <= ? GROUP BY source",
                                 (months[-1],)))
    assert _number(rows["Kota Palangka Raya"][-1]) == stored["kota"] > 0
    assert _number(rows["Kabupaten Kotawaringin Timur"][-1]) == stored["tbm"] > 0
    assert rows["Kabupaten Kapuas"][1:] == ["0"] * 12
    section = page[page.index('id="growth-chart-t"') - 200:]
    svg_text = section[section.index("<svg"):section.index("</svg>") + len("</svg>")]
    svg = lxml.etree.fromstring(svg_text.encode(), lxml.etree.XMLParser(
        resolve_entities=False, no_network=True))
    lines = svg.xpath("//s:polyline", namespaces={"s": "http://www.w3.org/2000/svg"})
    assert [line.findtext("{http://www.w3.org/2000/svg}title") for line in lines] == [
        f"Kabupaten Kotawaringin Timur: {stored['tbm']}", f"Kota Palangka Raya: {stored['kota']}"]


def test_census_pages_need_a_login(app: Flask) -> None:
    anonymous = app.test_client()
    for path in ("/dasbor/indikator", "/dasbor/perpustakaan", "/dasbor/ekspor/mutu.csv",
                 "/dasbor/iplm/6271.xlsx", "/dasbor/perpustakaan/kota/sensus"):
        assert anonymous.get(path).status_code == 302


AGENCY_PAGES = (("dashboard", "/dasbor/"), ("indicators", "/dasbor/indikator"),
                ("libraries", "/dasbor/perpustakaan"),
                ("census-row", "/dasbor/perpustakaan/kota/sensus"))


@pytest.mark.browser
def test_agency_pages_in_chromium_at_360_and_1280_px(browser: Browser, app: Flask,
                                                     test_output_dir: Path) -> None:
    shots = test_output_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    with live_server(app) as server:
        for width in (360, 1280):
            context = browser.new_context(viewport={"width": width, "height": 800},
                                          locale="id-ID")
            page = context.new_page()
            browser_login(page, server.url, "budi")
            for name, path in AGENCY_PAGES:
                page.goto(server.url + path)
                page.screenshot(path=str(shots / f"census-{name}-{width}.png"), full_page=True)
                overflow = page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= width, f"{path} is {overflow} px wide at {width} px"
                assert_accessible(page)
            context.close()
