"""The forgiving search in Debian's headless Chromium, at 360 and 1280 px: an ISBN as
printed, a typo, a word still being typed, old spelling, the widened-search notice, the
available-now filter, a kept library scope, Escape in the suggestions, and an author link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser

from tests.support.browser import assert_accessible
from tests.support.http import LiveServer, live_server

pytestmark = pytest.mark.browser
WIDTHS = {"360": {"width": 360, "height": 780}, "1280": {"width": 1280, "height": 900}}
SEARCH_BOX = "Cari judul, pengarang, subjek, atau ISBN"


@pytest.fixture(scope="module")
def server(app: Flask) -> Iterator[LiveServer]:
    with live_server(app) as running:
        yield running


@pytest.mark.parametrize("width", list(WIDTHS))
def test_patron_finds_the_book_however_they_type_it(browser: Browser, server: LiveServer,
                                                    test_output_dir: Path, width: str) -> None:
    shots = test_output_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(viewport=WIDTHS[width], locale="id-ID")
    page = context.new_page()

    def search(text: str) -> None:
        page.goto(server.url + "/")
        page.get_by_label(SEARCH_BOX).fill(text)
        page.get_by_role("button", name="Cari", exact=True).click()
        page.wait_for_load_state()

    search("ISBN 978-623-16-4608-8")
    first = page.locator("li.hit h2").first.inner_text()
    page.screenshot(path=str(shots / f"forgive-{width}-1-isbn.png"), full_page=True)
    assert first == "Kumpulan Khotbah Jumat Terbaik untuk Setahun"

    search("dongeng rakyat dayak ngajuu")
    assert "Dongeng Rakyat Dayak Ngaju" in page.locator("li.hit h2").first.inner_text()
    page.screenshot(path=str(shots / f"forgive-{width}-2-typo.png"), full_page=True)
    assert_accessible(page)

    search("dongeng tjilik")
    assert "Dongeng Rakyat Dayak Ngaju" in page.locator("li.hit h2").first.inner_text()

    search("sejarah qqqzzx")
    assert "Tidak ada judul yang memuat semua kata Anda" in page.locator(".relaxed").inner_text()
    page.screenshot(path=str(shots / f"forgive-{width}-3-some-words.png"), full_page=True)
    page.get_by_role("link", name="Tersedia sekarang").click()
    page.wait_for_url("**ada=1*")
    held = page.locator("li.hit .held")
    assert held.count() > 0 and held.count() == page.locator("li.hit .held.yes").count()

    page.goto(server.url + "/cari?f=library:kota-palangka-raya")
    page.get_by_label(SEARCH_BOX).fill("sejarah")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.wait_for_url("**q=sejarah*")
    assert "library%3Akota-palangka-raya" in page.url or "library:kota-palangka-raya" in page.url
    page.screenshot(path=str(shots / f"forgive-{width}-4-scope.png"), full_page=True)
    assert_accessible(page)
    width_px = page.evaluate("document.documentElement.scrollWidth")
    assert width_px <= WIDTHS[width]["width"], "no page-wide overflow"

    page.goto(server.url + "/")
    box = page.get_by_label(SEARCH_BOX)
    box.press_sequentially("sej", delay=30)
    page.locator("#q-suggest li").first.wait_for()
    box.press("Escape")
    assert page.locator("#q-suggest").is_hidden() and box.input_value() == "sej"

    page.goto(server.url + "/karya/ebook-1")
    page.locator("p.by a").first.click()
    page.wait_for_url("**/cari?q=*")
    assert page.locator("li.hit").count() >= 1
    context.close()
