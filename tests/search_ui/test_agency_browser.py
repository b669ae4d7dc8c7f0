"""Every agency page, and the directory pages an officer checks, in Debian's Chromium at a
360 px phone and a 1280 px desktop: a screenshot each, no page-wide overflow, and axe-core
finds no serious or critical violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser

from config.registrations import Registration, RegistrationStore
from config.settings import Settings
from search_ui.admin.known import KnownLibrary, KnownStore
from tests.search_ui.staff_support import add_user, agency_settings, browser_login, served_app
from tests.support.browser import assert_accessible
from tests.support.http import live_server

pytestmark = pytest.mark.browser

LONG_EMAIL = "perpustakaan.umum.daerah.kabupaten.kotawaringin.timur@contoh-sangat-panjang.go.id"
SOURCE = ('[[sources]]\nid = "kotim"\nname = "Perpustakaan Umum Daerah Kotawaringin Timur"\n'
          'type = "kabupaten"\ndistrict = "Kabupaten Kotawaringin Timur"\n'
          f'email = "{LONG_EMAIL}"\nwhatsapp = "6281234567890"\n'
          'address = "Jl. Jenderal Sudirman Km 2, Sampit"\nlatitude = -2.53\nlongitude = 112.95\n'
          'base_url = "http://127.0.0.1:9/oai"\nenabled = false\n')
PAGES = (("login", "/masuk"), ("register", "/daftar"), ("dashboard", "/dasbor/"),
         ("indicators", "/dasbor/indikator"), ("libraries", "/dasbor/perpustakaan"),
         ("census-row", "/dasbor/perpustakaan/kotim/sensus"), ("push", "/dasbor/kirim/"),
         ("outreach", "/dasbor/jangkauan"), ("usage", "/dasbor/pemakaian"),
         ("confirm-reject", "/dasbor/pendaftaran/1/tolak"),
         ("directory", "/perpustakaan"), ("library", "/perpustakaan/kotim"))


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A configured library with a long e-mail address, a pending registration with a
    check report, a list of known libraries, and an admin."""
    configured = agency_settings(tmp_path_factory.mktemp("agency"), SOURCE)
    RegistrationStore.at(configured).add(Registration(
        "tbm-cahaya", "oai", "TBM Cahaya Literasi Desa Tumbang Samba", "taman-baca",
        "Kabupaten Katingan", address="Desa Tumbang Samba RT 03", contact_name="Ibu Rina",
        email=LONG_EMAIL, whatsapp="6281355551234",
        base_url="https://tbm-cahaya-literasi.contoh.id/slims/index.php?p=oai&verb=Identify",
        report={"check": {"usable": True, "facts": {"repository": "SLiMS 9 Bulian"},
                          "problems": []}}), set())
    KnownStore.at(configured).replace([
        KnownLibrary(2, "Perpustakaan Umum Daerah Kotawaringin Timur", district_code="6202"),
        KnownLibrary(3, "Taman Bacaan Masyarakat Pelangi Harapan Desa Tumbang Manjul",
                     district_text="Kabupaten Seruyan", district_code="6208",
                     contact="Bapak Yohanes Kristianus", whatsapp_text="0813 4444 5555",
                     whatsapp="6281344445555", email=LONG_EMAIL)])
    add_user(configured, "ani", "admin")
    return configured


@pytest.fixture(scope="module")
def app(settings: Settings) -> Iterator[Flask]:
    """The central app, CSRF on."""
    yield from served_app(settings)


@pytest.mark.parametrize("width", [360, 1280])
def test_every_agency_page_fits_and_passes_axe(browser: Browser, app: Flask, width: int,
                                               test_output_dir: Path) -> None:
    shots = test_output_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    too_wide = []
    with live_server(app) as server:
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="id-ID")
        page = context.new_page()
        for name, path in PAGES:
            if name == "dashboard":
                browser_login(page, server.url, "ani")
            page.goto(server.url + path)
            page.screenshot(path=str(shots / f"agency-{name}-{width}.png"), full_page=True)
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                too_wide.append(f"{path}: {wide} px")
            assert_accessible(page)
        context.close()
    assert not too_wide, f"wider than {width} px: {too_wide}"
