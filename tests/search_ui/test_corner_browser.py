"""In Debian's headless Chromium: an admin approves a hosted corner and passes on its
set-password link; on a 360 px phone the corner sets its password, logs in, uploads a new
spreadsheet with a new book, and the worker (real, over HTTP) makes that book findable in
the province-wide search; then it enters its census row. And a large registration upload
says that it is working and how far it got: the bytes sent, then the rows read. axe-core
checks each page."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from aggregator.worker import WorkerRole
from tests.search_ui.corner_support import corner_form, register_corner
from tests.search_ui.staff_support import add_user, agency_app, agency_settings, log_in_page
from tests.support.browser import assert_accessible
from tests.support.http import live_server

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
NEW_BOOK = "Hikayat Burung Enggang dari Katingan"
CORNER_PASSWORD = "enggang-terbang-tinggi"
LARGE_ROWS = 100_000
WATCH_STATE = """
document.addEventListener("DOMContentLoaded", () => {
  const state = document.getElementById("upload-state");
  if (!state) { return; }
  new MutationObserver(() => window.recordState(state.textContent))
    .observe(state, {childList: true, characterData: true, subtree: true});
});
"""


def _fits_a_phone(page: Page) -> None:
    """No page-wide sideways scrolling at 360 px, and no serious accessibility fault."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)


def test_a_corner_logs_in_uploads_a_new_spreadsheet_and_its_new_book_is_found(
        browser: Browser, tmp_path: Path, test_output_dir: Path) -> None:
    shots = test_output_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    settings = agency_settings(tmp_path)
    add_user(settings, "ani", "admin")
    app = agency_app(settings)
    registration = register_corner(app, "TBM Enggang")
    with live_server(app) as server:
        web = {**settings.raw["web"], "base_url": server.url}
        worker = WorkerRole(dataclasses.replace(settings, raw={**settings.raw, "web": web}))
        worker.start()
        try:
            admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
            desk = admin.new_page()
            log_in_page(desk, server.url, "ani")
            desk.wait_for_url("**/dasbor/")
            desk.get_by_role("button", name="Setujui TBM Enggang").click()
            link = desk.locator("#password-link code.secret").inner_text()
            assert link.startswith(server.url + "/pojok/sandi/")
            desk.screenshot(path=str(shots / "corner-1-approved.png"), full_page=True)
            assert_accessible(desk)
            admin.close()

            phone = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True)
            page = phone.new_page()
            page.goto(link)
            page.get_by_label("Kata sandi baru").fill(CORNER_PASSWORD)
            page.get_by_label("Kata sandi yang sama sekali lagi").fill(CORNER_PASSWORD)
            _fits_a_phone(page)
            page.get_by_role("button", name="Simpan kata sandi").click()
            page.wait_for_url("**/masuk")
            page.wait_for_selector(f"text=Masuklah dengan nama {registration.source_id}")
            log_in_page(page, server.url, registration.source_id, CORNER_PASSWORD)
            page.wait_for_url("**/pojok/")
            assert page.locator("#live-count").inner_text() == "3"
            page.screenshot(path=str(shots / "corner-2-catalogue.png"), full_page=True)
            _fits_a_phone(page)

            spreadsheet = tmp_path / "katalog-baru.csv"
            spreadsheet.write_text(f"id,judul,pengarang,tahun\nc9,{NEW_BOOK},Tjilik Riwut,2022\n",
                                   encoding="utf-8")
            page.get_by_role("link", name="Unggah lembar kerja baru").first.click()
            page.get_by_label("Berkas katalog").set_input_files(str(spreadsheet))
            assert page.get_by_label("Buku baru dan yang berubah: tambahkan, yang lain tetap") \
                .is_checked()
            _fits_a_phone(page)
            page.get_by_role("button", name="Unggah dan impor").click()
            page.wait_for_url("**/pojok/impor/**")
            page.wait_for_selector("text=Ditambah 1, diubah 0, dihapus 0.")
            page.screenshot(path=str(shots / "corner-3-report.png"), full_page=True)
            _fits_a_phone(page)

            deadline = time.monotonic() + 120
            page.goto(f"{server.url}/cari?q={NEW_BOOK}")
            while page.get_by_role("link", name=NEW_BOOK).count() == 0:
                assert time.monotonic() < deadline, "the new book never reached the search"
                time.sleep(1)
                page.reload()
            assert "TBM Enggang" in page.inner_text("main")
            page.screenshot(path=str(shots / "corner-4-found.png"), full_page=True)
            page.goto(server.url + "/pojok/")
            page.wait_for_selector("text=terbaru sejak")

            page.get_by_role("link", name="Data sensus kami").click()
            page.get_by_label("Kunjungan per bulan").fill("240")
            _fits_a_phone(page)
            page.get_by_role("button", name="Simpan data sensus").click()
            page.wait_for_selector("text=Data sensus TBM Enggang sudah disimpan.")
            page.screenshot(path=str(shots / "corner-5-census.png"), full_page=True)
            _fits_a_phone(page)
            phone.close()
        finally:
            worker.stop()
    app.extensions["search_service"].close()


def test_a_large_registration_upload_says_how_far_it_got(browser: Browser,
                                                         tmp_path: Path) -> None:
    settings = agency_settings(tmp_path, sources="[intake]\nupload_seconds = 900\n")
    app = agency_app(settings)
    large = tmp_path / "katalog-besar.csv"
    with large.open("w", encoding="utf-8") as out:
        out.write("id,judul,pengarang,tahun\n")
        for n in range(LARGE_ROWS):
            out.write(f"b{n},Cerita Rakyat Kalimantan Jilid {n},Penulis {n % 700},"
                      f"{1980 + n % 40}\n")
    states: list[str] = []
    with live_server(app) as server:
        context = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True)
        context.expose_function("recordState", lambda text: states.append(text))
        context.add_init_script(WATCH_STATE)
        page = context.new_page()
        slow = context.new_cdp_session(page)
        slow.send("Network.enable")
        slow.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1,
            "uploadThroughput": 1_500_000})
        page.goto(server.url + "/daftar")
        form = corner_form("TBM Buku Banyak")
        page.get_by_label("Nama perpustakaan atau taman baca").fill(form["name"])
        page.get_by_label("Kabupaten atau kota").select_option(form["district"])
        page.get_by_label("Alamat", exact=True).fill(form["address"])
        page.get_by_label("Narahubung").fill(form["contact_name"])
        page.get_by_label("Surel").fill(form["email"])
        page.get_by_label("Nomor WhatsApp").fill(form["whatsapp"])
        page.get_by_label("Berkas katalog").set_input_files(str(large))
        page.get_by_role("button", name="Kirim pendaftaran").click()
        page.wait_for_selector("text=Terima kasih: pendaftaran Anda sudah kami terima",
                               timeout=600_000)
        assert f"{LARGE_ROWS} rekaman diterima, 0 baris ditolak." in page.inner_text("main")
        _fits_a_phone(page)
        context.close()
    app.extensions["search_service"].close()
    sent = [int(m.group(1)) for s in states if (m := re.fullmatch(r"Mengirim berkas: (\d+)%", s))]
    assert any(0 < p < 100 for p in sent), f"no partial upload shown: {states[:5]}"
    read = [(int(m.group(1).replace(".", "")), int(m.group(2).replace(".", ""))) for s in states
            if (m := re.fullmatch(r"Membaca berkas: ([\d.]+) dari sekitar ([\d.]+) baris", s))]
    assert read, f"the import's progress was never shown: {states[-5:]}"
    assert {total for _done, total in read} == {LARGE_ROWS}, "the total is the file's rows"
    assert any(0 < done < LARGE_ROWS for done, _total in read), "rows read while it ran"
    assert [done for done, _total in read] == sorted(done for done, _total in read)
