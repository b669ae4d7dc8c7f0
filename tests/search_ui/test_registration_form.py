"""The registration form as a newcomer meets it: template links, the province's districts,
what is public, what is kept after an error, and the choice following the file picked."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from config.province import KALIMANTAN_TENGAH
from tests.search_ui.staff_support import agency_app, agency_settings, csrf_token
from tests.support.browser import chromium
from tests.support.http import live_server

FORM = {"name": "Taman Baca Masyarakat Cahaya", "type": "taman-baca",
        "district": "Kabupaten Katingan", "address": "Desa Tumbang Samba",
        "contact_name": "Ibu Sari", "email": "sari@contoh.id", "whatsapp": "0812-3456-7890",
        "opening_hours": "Setiap hari 15.00–18.00"}


def test_the_form_links_both_templates_and_they_are_the_real_ones(tmp_path: Path):
    client = agency_app(agency_settings(tmp_path)).test_client()
    page = client.get("/daftar").get_data(as_text=True)
    assert 'href="/daftar/templat.csv"' in page and 'href="/daftar/templat.xlsx"' in page
    csv = client.get("/daftar/templat.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "judul" in csv.get_data(as_text=True).splitlines()[0].lower()
    xlsx = client.get("/daftar/templat.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert "judul" in " ".join(str(c.value) for c in sheet[1]).lower()


def test_district_is_chosen_from_the_province_list_and_free_text_is_refused(tmp_path: Path):
    client = agency_app(agency_settings(tmp_path)).test_client()
    page = client.get("/daftar").get_data(as_text=True)
    assert '<select id="district"' in page
    for code, name in KALIMANTAN_TENGAH:
        assert f'<option value="{name}">{name}</option>' in page, code
    token = csrf_token(client, "/daftar")
    sent = client.post("/daftar", data={**FORM, "district": "Kab. Kotawaringin Timur",
                                        "catalogue": "oai", "base_url": "",
                                        "csrf_token": token})
    assert sent.status_code == 400
    assert "Not a valid choice" in sent.get_data(as_text=True) \
        or "bukan pilihan" in sent.get_data(as_text=True).lower()


def test_after_an_error_the_form_keeps_what_was_typed_and_asks_for_the_file_again(
        tmp_path: Path):
    client = agency_app(agency_settings(tmp_path)).test_client()
    token = csrf_token(client, "/daftar")
    sent = client.post("/daftar", data={**FORM, "email": "bukan-surel", "catalogue": "upload",
                                        "csrf_token": token})
    page = sent.get_data(as_text=True)
    assert sent.status_code == 400
    assert 'value="Taman Baca Masyarakat Cahaya"' in page
    assert '<option selected value="Kabupaten Katingan">' in page
    assert "Desa Tumbang Samba</textarea>" in page
    assert '<input checked id="catalogue-1" name="catalogue" type="radio" value="upload">' \
        in page
    assert "pilih lagi berkas katalognya" in page
    assert "Nama narahubung dan alamat surel hanya dilihat dinas" in page


def test_picking_a_file_chooses_upload_in_a_real_browser(tmp_path: Path):
    app = agency_app(agency_settings(tmp_path))
    sample = tmp_path / "katalog.csv"
    sample.write_text("judul\nBuku\n", encoding="utf-8")
    with live_server(app) as server, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{server.url}/daftar")
        assert page.is_checked('input[name="catalogue"][value="oai"]')
        page.set_input_files("#upload", str(sample))
        assert page.is_checked('input[name="catalogue"][value="upload"]')
        page.fill("#base_url", "https://slims.contoh.id/oai2.php")
        assert page.is_checked('input[name="catalogue"][value="oai"]')
        page.set_viewport_size({"width": 360, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _closed_port() -> int:
    """A loopback port nobody listens on."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


def test_an_unreachable_address_is_explained_in_indonesian_and_fits_a_phone(tmp_path: Path):
    app = agency_app(agency_settings(tmp_path, allow_private_sources=True, check_timeout=2.0))
    address = f"http://127.0.0.1:{_closed_port()}/oai/{'panjang' * 20}"
    with live_server(app) as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 360, "height": 800})
        page.goto(f"{server.url}/daftar")
        for name in ("name", "address", "contact_name", "email", "whatsapp"):
            page.fill(f"#{name}", FORM[name])
        page.select_option("#district", "Kabupaten Katingan")
        page.fill("#base_url", address)
        page.click("button[type=submit]")
        text = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
        assert "Alamat ini tidak dapat kami jangkau" in text
        assert "TransportError" not in text  # only inside the closed technical details
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.input_value("#name") == FORM["name"]
