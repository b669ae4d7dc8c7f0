"""Copy statuses dated end to end: a node import, a harvest over HTTP, the index, the work page.

The node imports a catalogue at a set time (14.00 WIB on 3 December); the province harvests
it over loopback HTTP, indexes it into tantivy and shows it. The web app's clock is
injected, so "two hours later" and "a day and an hour later" need no sleeping.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser

from aggregator.engine import open_engine
from aggregator.indexer import Indexer
from aggregator.query import SearchQuery
from config.network import load_sources
from config.settings import Settings
from harvester.pool import harvest_all
from node_adapter.catalogue import Catalogue
from node_adapter.intake.config import intake_options
from node_adapter.intake.importer import import_files
from search_ui.app import create_app
from tests.support.http import live_server
from tests.support.nodes import running_node

IMPORTED = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
"""14.00 WIB (Asia/Jakarta, the default province's zone)."""
FRESH = IMPORTED + timedelta(hours=2)
OLD = IMPORTED + timedelta(hours=25)
ROWS = [["id", "judul", "pengarang", "tahun", "eksemplar", "status"],
        ["B1", "Laskar Pelangi", "Andrea Hirata", "2005", "2", "tersedia"],
        ["B2", "Bumi Manusia", "Pramoedya Ananta Toer", "1980", "1", "dipinjam"]]
SOURCE = {"id": "kota", "name": "Perpustakaan Kota Palangka Raya", "type": "kota",
          "district": "Kota Palangka Raya"}
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def province_settings(data_dir: Path, base_url: str, **web: Any) -> Settings:
    """The province of one library node, with ``[web]`` keys as given."""
    return Settings(raw={"sources": [{**SOURCE, "base_url": base_url}],
                         "web": {"secret_key": "test", **web}}, data_dir=data_dir)


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The node's import at ``IMPORTED``, harvested and indexed: (data dir, node URL)."""
    folder = tmp_path_factory.mktemp("availability")
    table = folder / "katalog.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(ROWS)
    node_db = folder / "node" / "katalog.sqlite3"
    with Catalogue(node_db) as catalogue:
        reports, summary = import_files(catalogue, [table], options=intake_options(None),
                                        now=IMPORTED)
    assert summary.added == 2 and not reports[0].failure
    with running_node(node_db, repository_identifier="kota.example.id") as node:
        settings = province_settings(folder / "data", node.url)
        [run] = harvest_all(settings, load_sources(settings))
    assert (run.status, run.added) == ("ok", 2)
    with open_engine(settings, writer=True) as engine:
        Indexer.from_settings(settings, engine).run_incremental()
    return folder / "data", node.url


def web_app(harvested: tuple[Path, str], clock: datetime, **web: Any) -> Flask:
    """The patron site over the harvested index, its clock stopped at ``clock``."""
    return create_app({"SETTINGS": province_settings(*harvested, **web), "TESTING": True,
                       "JALA_CLOCK": lambda: clock})


@pytest.fixture
def fresh_app(harvested: tuple[Path, str]) -> Iterator[Flask]:
    """The site two hours after the import."""
    app = web_app(harvested, FRESH)
    yield app
    app.extensions["search_service"].close()


def work_page(client: FlaskClient, title: str, lang: str = "id") -> str:
    """The work page of the one work with this title."""
    service = client.application.extensions["search_service"]
    [hit] = [h for h in service.search(SearchQuery(text=title)).hits if h.work.title == title]
    return client.get(f"/karya/{hit.work.id}?lang={lang}").get_data(as_text=True)


def offers(html: str) -> list[dict[str, Any]]:
    """The schema.org offers of a work page's JSON-LD, one per holding library."""
    [data] = [json.loads(block) for block in JSONLD.findall(html)
              if json.loads(block).get("@type") == "Book"]
    return [example["offers"] for example in data["workExample"] if "offers" in example]


def test_the_work_page_says_when_the_import_knew_each_status(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    for title in ("Laskar Pelangi", "Bumi Manusia"):
        html = work_page(client, title)
        assert re.findall(r'<small class="as-of">([^<]*)</small>', html) == [
            "status per 3 Des 14.00 WIB"]
        assert "status as of Dec 3 14:00 WIB" in work_page(client, title, lang="en")


def test_a_status_from_another_year_says_the_year(harvested: tuple[Path, str]) -> None:
    app = web_app(harvested, datetime(2027, 1, 5, 1, 0, tzinfo=UTC))
    try:
        assert "status per 3 Des 2026 14.00 WIB" in work_page(app.test_client(), "Laskar Pelangi")
    finally:
        app.extensions["search_service"].close()


def test_jsonld_claims_availability_only_while_the_status_is_young(
        harvested: tuple[Path, str], fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    [on_shelf] = offers(work_page(client, "Laskar Pelangi"))
    assert on_shelf["availability"] == "https://schema.org/InStock"
    assert on_shelf["inventoryLevel"]["value"] == 2
    [lent] = offers(work_page(client, "Bumi Manusia"))
    assert lent["availability"] == "https://schema.org/OutOfStock"
    old = web_app(harvested, OLD)
    patient = web_app(harvested, OLD, availability_max_age_hours=48)
    try:
        html = work_page(old.test_client(), "Laskar Pelangi")
        [stale] = offers(html)
        assert "availability" not in stale and "inventoryLevel" not in stale
        assert stale["offeredBy"]["name"] == SOURCE["name"]
        assert "status per 3 Des 14.00 WIB" in html  # the page still says what it knows
        [claimed] = offers(work_page(patient.test_client(), "Laskar Pelangi"))
        assert claimed["availability"] == "https://schema.org/InStock"
    finally:
        old.extensions["search_service"].close()
        patient.extensions["search_service"].close()


@pytest.mark.browser
def test_chromium_shows_the_status_time(fresh_app: Flask, browser: Browser) -> None:
    service = fresh_app.extensions["search_service"]
    work_id = service.search(SearchQuery(text="Laskar Pelangi")).hits[0].work.id
    with live_server(fresh_app) as server:
        page = browser.new_page(locale="id-ID")
        page.goto(f"{server.url}/karya/{work_id}")
        status = page.locator("td[data-label='Status']")
        assert status.inner_text().splitlines() == ["Ada di rak",
                                                    "status per 3 Des 14.00 WIB"]
        page.close()
