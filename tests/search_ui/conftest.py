"""A real tantivy index of seed books (plus hostile records) and the web app over it."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser

from aggregator.engine import open_engine
from aggregator.model import Holding, Work
from config.paths import SEED_DIR
from config.settings import Settings, load_settings
from search_ui.app import create_app
from tests.support.browser import chromium

ROOT = Path(__file__).resolve().parents[2]
SEED_BOOKS = 240
HOSTILE_ID = "hostile-1"
EBOOK_ID = "ebook-1"
SCRIPT = "<script>alert('x')</script>"
STATUS_KNOWN = "2024-06-01T08:00:00Z"
NOW = datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
"""The app's clock: the seed's statuses are two hours old, young enough to claim."""


def _sources_toml() -> str:
    """The demo registry's ``[[sources]]`` tables, copied from config/jala.toml."""
    text = (ROOT / "config" / "jala.toml").read_text(encoding="utf-8")
    return text[text.index("[[sources]]"):]


def _seed_works(libraries: list[dict[str, object]]) -> list[Work]:
    """Real book records from the seed file, spread over the libraries deterministically."""
    books = json.loads((SEED_DIR / "gramedia-books.json").read_text(encoding="utf-8"))
    works = []
    for n, book in enumerate(books[:SEED_BOOKS]):
        year = book.get("Tanggal Terbit", "").split()[-1:]
        held = [libraries[(n + k) % len(libraries)] for k in range(1 + n % 3)]
        holdings = [Holding(library_id=str(lib["id"]), record_id=f"{lib['id']}:{n}",
                            library_name=str(lib["name"]), district=str(lib["district"]),
                            library_type=str(lib["type"]), call_number=f"{n % 900:03d} BUK",
                            copies=1 + (n + k) % 3, available=(n + k) % 2,
                            copies_known=lib["type"] != "taman-baca",
                            status_known=STATUS_KNOWN if lib["type"] != "taman-baca" else "")
                    for k, lib in enumerate(held)]
        works.append(Work(
            id=f"seed-{n}", title=book["Title"], creators=[book["Author"]],
            publisher="Gramedia Pustaka Utama" if n % 2 else "",
            series="Seri Sastra Dunia" if n % 4 == 0 else "",
            year=int(year[0]) if year and year[0].isdigit() else None,
            isbns=[book["ISBN"]] if book["ISBN"].isdigit() else [],
            language="ind" if book.get("Bahasa") == "Indonesia" else "eng",
            subjects=[book["category"]], holdings=holdings,
            updated="2024-06-01T08:00:00Z"))
    return works


def _special_works(libraries: list[dict[str, object]]) -> list[Work]:
    """A record full of markup and bad links, and an e-book with a reading link."""
    lib = libraries[0]
    hostile = Work(
        id=HOSTILE_ID, title=f"Sejarah {SCRIPT} Kalimantan", subtitle='"><img src=x onerror=1>',
        creators=[f"{SCRIPT}Penulis"], publisher="<b>Penerbit</b>", year=2020,
        series=f"Seri {SCRIPT}",
        subjects=[f"sejarah{SCRIPT}"], description=f"Uraian {SCRIPT} & lainnya",
        links=["javascript:alert(1)"], language="ind",
        holdings=[Holding(library_id=str(lib["id"]), record_id="h:1",
                          library_name=str(lib["name"]), call_number=f"959.8 {SCRIPT}",
                          copies=2, available=1, url="javascript:alert(2)",
                          status_known=STATUS_KNOWN)],
        updated="2024-05-01T00:00:00Z")
    ebook = Work(
        id=EBOOK_ID, title="Dongeng Rakyat Dayak Ngaju", creators=["Tjilik Riwut"],
        year=2019, material_type="ebook", language="ind", subjects=["cerita rakyat"],
        links=["https://repository.example.id/dongeng.pdf"],
        holdings=[Holding(library_id=str(lib["id"]), record_id="e:1",
                          library_name=str(lib["name"]), copies=0, available=0,
                          copies_known=False)],
        updated="2024-05-02T00:00:00Z")
    return [hostile, ebook]


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings with the demo registry and a data directory holding a fresh index."""
    folder = tmp_path_factory.mktemp("web")
    config = folder / "jala.toml"
    config.write_text('[web]\nsecret_key = "test"\nbase_url = "https://pustaka.example.id"\n'
                      'sitemap_page_size = 100\n\n' + _sources_toml(), encoding="utf-8")
    settings = load_settings(config, data_dir=folder / "data", environ={})
    libraries = tomllib.loads(config.read_text(encoding="utf-8"))["sources"]
    engine = open_engine(settings, writer=True)
    try:
        engine.upsert([*_seed_works(libraries), *_special_works(libraries)])
        engine.commit()
    finally:
        engine.close()
    return settings


@pytest.fixture(scope="session")
def app(web_settings: Settings) -> Iterator[Flask]:
    """The central web app over the test index."""
    application = create_app({"SETTINGS": web_settings, "TESTING": True,
                              "JALA_CLOCK": lambda: NOW})
    yield application
    application.extensions["search_service"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A fresh test client (no language cookie yet)."""
    return app.test_client()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, shared by a module's browser tests."""
    with chromium() as launched:
        yield launched
