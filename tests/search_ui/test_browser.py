"""End to end in Debian's headless Chromium: search, filter, open a work, switch language,
open the directory; axe-core checks each page; screenshots land in test-output/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser

from tests.support.browser import assert_accessible
from tests.support.http import LiveServer, live_server

pytestmark = pytest.mark.browser
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}



@pytest.fixture(scope="module")
def server(app: Flask) -> Iterator[LiveServer]:
    """The app on a real loopback port."""
    with live_server(app) as running:
        yield running


@pytest.fixture
def shots(test_output_dir: Path) -> Path:
    """Where screenshots go."""
    folder = test_output_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_patron_journey(browser: Browser, server: LiveServer, shots: Path, viewport: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[viewport],
                                  java_script_enabled=True, locale="id-ID")
    page = context.new_page()
    page.goto(server.url + "/")
    assert page.locator("h1").inner_text().startswith("Temukan buku")
    page.screenshot(path=str(shots / f"{viewport}-1-home.png"), full_page=True)
    assert_accessible(page)

    page.get_by_label("Cari judul, pengarang, subjek, atau ISBN").fill("agama")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.wait_for_url("**/cari?q=agama")
    assert page.locator("li.hit").count() > 0
    assert page.locator("li.hit mark").count() > 0
    page.screenshot(path=str(shots / f"{viewport}-2-results.png"), full_page=True)
    assert_accessible(page)

    before = page.locator("li.hit").count()
    page.locator("#saring .facet").first.locator("a").last.click()
    page.wait_for_url("**f=library*")
    assert page.locator(".active a").count() >= 2
    assert 0 < page.locator("li.hit").count() <= before
    page.screenshot(path=str(shots / f"{viewport}-3-filtered.png"), full_page=True)

    page.locator("li.hit h2 a").first.click()
    page.wait_for_url("**/karya/**")
    assert page.locator("table.holdings tbody tr").count() >= 1
    assert page.locator("a.wa").first.get_attribute("href").endswith("/tanya")
    assert page.locator("button.copy").count() == 1
    page.screenshot(path=str(shots / f"{viewport}-4-work.png"), full_page=True)
    assert_accessible(page)

    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Where to find it").count() == 1
    page.screenshot(path=str(shots / f"{viewport}-5-work-en.png"), full_page=True)

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Libraries").click()
    page.wait_for_url("**/perpustakaan")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".card").count() == 4
    page.select_option("#wilayah", "Kota Palangka Raya")
    page.get_by_role("button", name="Show").click()
    assert page.locator(".card").count() == 2
    page.screenshot(path=str(shots / f"{viewport}-6-directory-en.png"), full_page=True)
    assert_accessible(page)
    context.close()


def test_site_works_without_javascript(browser: Browser, server: LiveServer, shots: Path) -> None:
    context = browser.new_context(viewport=VIEWPORTS["phone"],
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/")
    page.locator("#q").fill("sejarah")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/cari?q=sejarah")
    page.locator("li.hit h2 a").first.click()
    page.wait_for_url("**/karya/**")
    assert page.locator("#citation").inner_text()
    assert page.locator("button.copy").count() == 0
    page.screenshot(path=str(shots / "phone-7-work-no-js.png"), full_page=True)
    context.close()


def test_autocomplete_suggests_and_keyboard_picks(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.goto(server.url + "/")
    page.locator("#q").press_sequentially("sej", delay=30)
    page.locator("#q-suggest li").first.wait_for()
    assert page.locator("#q").get_attribute("aria-expanded") == "true"
    page.locator("#q").press("ArrowDown")
    chosen = page.locator("#q-suggest li").first.inner_text()
    page.locator("#q").press("Enter")
    page.wait_for_url("**/cari?q=*")
    assert page.locator("#q").input_value() == chosen
    context.close()
