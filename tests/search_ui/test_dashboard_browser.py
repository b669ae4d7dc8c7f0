"""In Debian's headless Chromium: a reading corner registers, an admin logs in, approves it,
asks for a harvest, logs out; axe-core checks each page; screenshots in test-output/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from config.registrations import RegistrationStore
from harvester.jobs import JobQueue
from tests.search_ui.staff_support import PASSWORD, add_user, agency_app, agency_settings
from tests.support.browser import assert_accessible
from tests.support.http import live_server
from tests.support.nodes import make_records, running_node

pytestmark = pytest.mark.browser


def test_register_then_approve_in_the_dashboard(browser: Browser, tmp_path: Path,
                                                test_output_dir: Path) -> None:
    shots = test_output_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    settings = agency_settings(tmp_path, allow_private_sources=True)
    add_user(settings, "ani", "admin")
    app = agency_app(settings)
    with running_node(tmp_path / "node.sqlite3", page_size=10) as node, \
            live_server(app) as server:
        node.catalogue.upsert_many(make_records(8, prefix="pelita"))
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      locale="id-ID")
        page = context.new_page()
        page.goto(server.url + "/daftar")
        page.get_by_label("Nama perpustakaan atau taman baca").fill("TBM Pelita Hati")
        page.get_by_label("Jenis perpustakaan").select_option("taman-baca")
        page.get_by_label("Kabupaten atau kota").select_option("Kabupaten Pulang Pisau")
        page.get_by_label("Alamat", exact=True).fill("Jl. Trans Kalimantan, Pulang Pisau")
        page.get_by_label("Narahubung").fill("Ibu Rina")
        page.get_by_label("Surel").fill("rina@contoh.id")
        page.get_by_label("Nomor WhatsApp").fill("0813 5555 1234")
        page.get_by_role("textbox", name="Alamat OAI-PMH").fill(node.url)
        page.screenshot(path=str(shots / "agency-1-register.png"), full_page=True)
        assert_accessible(page)
        page.get_by_role("button", name="Kirim pendaftaran").click()
        page.wait_for_selector("text=Katalog ini dapat kami panen.")
        page.screenshot(path=str(shots / "agency-2-registered.png"), full_page=True)
        assert_accessible(page)

        page.goto(server.url + "/dasbor/")
        page.wait_for_url("**/masuk?next=**")
        page.get_by_label("Nama pengguna").fill("ani")
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.screenshot(path=str(shots / "agency-3-login.png"), full_page=True)
        assert_accessible(page)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url("**/dasbor/")
        assert page.get_by_role("heading", name="TBM Pelita Hati").count() == 1
        page.screenshot(path=str(shots / "agency-4-dashboard.png"), full_page=True)
        assert_accessible(page)

        page.get_by_role("button", name="Setujui TBM Pelita Hati").click()
        page.wait_for_selector("text=TBM Pelita Hati disetujui")
        registration = RegistrationStore.at(settings).find("tbm-pelita-hati")
        assert registration is not None and registration.status == "approved"
        sources = page.get_by_role("region", name="Sumber", exact=True)
        assert sources.get_by_role("row", name="TBM Pelita Hati").count() == 1
        decisions = page.locator("#decisions")
        assert decisions.get_by_role("row", name="TBM Pelita Hati").count() == 1
        page.get_by_role("button", name="Panen TBM Pelita Hati sekarang").click()
        page.wait_for_selector("text=Panen tbm-pelita-hati sudah diantrekan.")
        assert [j.source for j in JobQueue.at(settings).recent()] == ["tbm-pelita-hati"]
        page.screenshot(path=str(shots / "agency-5-approved.png"), full_page=True)
        assert_accessible(page)

        page.get_by_role("button", name="Keluar").click()
        page.wait_for_url(server.url + "/")
        page.goto(server.url + "/dasbor/")
        page.wait_for_url("**/masuk?next=**")
        context.close()
    app.extensions["search_service"].close()
