"""Every page in both languages, bad parameters, escaping of hostile records, errors."""

from __future__ import annotations

import dataclasses
import gzip
import re
import socket
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config.settings import Settings
from search_ui.app import create_app
from tests.search_ui.conftest import EBOOK_ID, HOSTILE_ID

PAGES = ["/", "/cari?q=sejarah", "/cari", f"/karya/{HOSTILE_ID}", "/karya/seed-3",
         f"/karya/{EBOOK_ID}", "/perpustakaan", "/perpustakaan?wilayah=Kota+Palangka+Raya",
         "/perpustakaan/kota-palangka-raya", "/tentang", "/bantuan"]
WORDS = {"id": ("Langsung ke isi", "Perpustakaan", "Bantuan"),
         "en": ("Skip to content", "Libraries", "Help")}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_in_both_languages(client: FlaskClient, url: str, lang: str) -> None:
    sep = "&" if "?" in url else "?"
    response = client.get(f"{url}{sep}lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    for word in WORDS[lang]:
        assert word in html
    other = WORDS["en" if lang == "id" else "id"][0]
    assert other not in html
    assert '<main id="main"' in html and 'href="#main"' in html


def test_indonesian_is_the_default_and_english_choice_is_remembered(client: FlaskClient) -> None:
    assert "Langsung ke isi" in client.get("/").get_data(as_text=True)
    switched = client.get("/?lang=en")
    assert "lang=en" in switched.headers["Set-Cookie"]
    assert "Cookie" in switched.headers["Vary"]
    assert "Skip to content" in client.get("/bantuan").get_data(as_text=True)
    client.get("/?lang=id")
    assert "Langsung ke isi" in client.get("/bantuan").get_data(as_text=True)


def test_unknown_language_falls_back_to_indonesian(client: FlaskClient) -> None:
    response = client.get("/?lang=xx")
    assert response.status_code == 200
    assert '<html lang="id">' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_results_show_holdings_summary_facets_and_highlights(client: FlaskClient) -> None:
    html = client.get("/cari?q=agama").get_data(as_text=True)
    assert re.search(r"Tersedia di \d perpustakaan · \d+ eksemplar · \d+ tersedia", html)
    assert "<mark>" in html.lower()
    for facet in ("Perpustakaan", "Kabupaten/kota", "Jenis bahan", "Bahasa", "Tahun", "Subjek"):
        assert f"<h3>{facet}</h3>" in html
    assert 'href="/cari?q=agama&amp;f=library:dispursip-kalteng"' in html


def test_facet_filter_narrows_and_is_removable(client: FlaskClient) -> None:
    everything = client.get("/cari?q=agama").get_data(as_text=True)
    narrowed = client.get("/cari?q=agama&f=library:tbm-pelangi-katingan").get_data(as_text=True)
    total = int(re.search(r"<h1>\s*([\d.]+) hasil", everything).group(1).replace(".", ""))
    fewer = int(re.search(r"<h1>\s*([\d.]+) hasil", narrowed).group(1).replace(".", ""))
    assert 0 < fewer < total
    assert "Hapus saringan Perpustakaan: Taman Baca Masyarakat Pelangi" in narrowed
    assert 'href="/cari?q=agama"' in narrowed


def test_sort_and_pagination_links(client: FlaskClient) -> None:
    html = client.get("/cari?urut=title&hal=2").get_data(as_text=True)
    assert 'aria-current="page">2<' in html
    assert 'href="/cari?urut=title&amp;hal=3"' in html
    assert 'href="/cari?urut=newest"' in html
    first = re.findall(r'<ol class="hits-list" start="(\d+)"', html)
    assert first == ["21"]


def test_empty_results_page(client: FlaskClient) -> None:
    response = client.get("/cari?q=qxzvkwpjj")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tidak ada buku yang cocok" in html
    assert '<li class="hit">' not in html


def test_did_you_mean(client: FlaskClient) -> None:
    html = client.get("/cari?q=sejarha").get_data(as_text=True)
    assert "Mungkin maksud Anda:" in html


@pytest.mark.parametrize("query", ["hal=-1", "hal=abc", "dari=abc", "sampai=99999",
                                   "f=colour:red", "f=library", "urut=cheapest",
                                   "hal=100000", "n=-5", "f=year:abc", "f=year:-1",
                                   "f=year:1.5", "f=year:99999999999999999999",
                                   "f=year:2020-2010", "hal=%C2%B2", "dari=%D9%A1%D9%A2"])
def test_bad_parameters_get_a_400_page(client: FlaskClient, query: str) -> None:
    response = client.get(f"/cari?q=buku&{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Permintaan ini tidak dapat dijawab" in html
    assert 'role="search"' in html
    assert 'name="q" type="search" value="buku"' in html, "the 400 page keeps the query"


def test_huge_page_size_is_capped(client: FlaskClient, app: Flask) -> None:
    response = client.get(f"/cari?n={10**9}")
    assert response.status_code == 200
    hits = response.get_data(as_text=True).count('<li class="hit">')
    assert hits == app.config["JALA_WEB"]["max_page_size"]


def test_page_past_the_end_is_a_friendly_page(client: FlaskClient) -> None:
    response = client.get("/cari?q=sejarah&hal=400")
    assert response.status_code == 200
    assert "Tidak ada hasil di halaman ini" in response.get_data(as_text=True)


def test_hostile_record_is_escaped_everywhere(client: FlaskClient) -> None:
    for url in (f"/karya/{HOSTILE_ID}", "/cari?q=sejarah+kalimantan",
                "/cari?f=subject:sejarah<script>alert('x')</script>",
                "/cari?q=<script>alert('x')</script>", "/cari?q=\"><script>alert(1)</script>"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html and "<b>Penerbit" not in html
        assert "javascript:" not in html
    page = client.get(f"/karya/{HOSTILE_ID}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in page
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in ld


def test_work_page_has_holdings_whatsapp_map_and_citation(client: FlaskClient) -> None:
    html = client.get("/karya/seed-4").get_data(as_text=True)
    buttons = re.findall(r'class="wa(?: alt)?" href="([^"]+)"', html)
    assert len(buttons) >= 2, "ask or reserve, and extend, through the counting redirect"
    for path in buttons:
        assert client.get(path).headers["Location"].startswith("https://wa.me/62812500010")
    assert "https://www.openstreetmap.org/?mlat=-2.20960&amp;mlon=113.91730" in html
    assert "Kutip buku ini (APA)" in html and 'id="citation"' in html
    assert "Senin–Jumat 08.00–15.30" in html
    assert "<i>" in html.split('id="citation"')[1].split("</p>")[0]


def test_ebook_has_read_online_and_unknown_copies(client: FlaskClient) -> None:
    html = client.get(f"/karya/{EBOOK_ID}").get_data(as_text=True)
    assert 'href="https://repository.example.id/dongeng.pdf"' in html
    assert "Baca online" in html
    assert "Tanyakan ke perpustakaan" in html
    assert "Tersedia di 1 perpustakaan</p>" in html


def test_unknown_work_and_library_are_404_pages(client: FlaskClient) -> None:
    for url in ("/karya/no-such-work", "/perpustakaan/nowhere", "/perpustakaan?wilayah=Mars",
                "/no/such/page"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_api_errors_stay_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]["status"] == 404


def test_bugs_become_a_500_page_or_json(web_settings: object) -> None:
    app = create_app({"SETTINGS": web_settings})

    def boom() -> str:
        raise RuntimeError("secret detail")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/boom", "api_boom", boom)
    try:
        client = app.test_client()
        page = client.get("/boom")
        assert page.status_code == 500
        assert "Terjadi kesalahan" in page.get_data(as_text=True)
        assert "secret detail" not in page.get_data(as_text=True)
        api = client.get("/api/boom")
        assert api.status_code == 500 and api.get_json()["error"]["status"] == 500
    finally:
        app.extensions["search_service"].close()


def test_a_search_backend_that_is_down_is_a_503_page_or_json(web_settings: Settings,
                                                             tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port where no Elasticsearch listens
        sock.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{sock.getsockname()[1]}"
    aggregator = {"engine": "elasticsearch", "elasticsearch_url": down,
                  "elasticsearch_timeout": 2.0}
    settings = dataclasses.replace(web_settings, data_dir=tmp_path,
                                   raw={**web_settings.raw, "aggregator": aggregator})
    app = create_app({"SETTINGS": settings})
    try:
        client = app.test_client()
        for url in ("/", "/cari?q=sejarah", "/karya/seed-3", "/perpustakaan"):
            page = client.get(url)
            assert page.status_code == 503, url
            assert page.headers["Retry-After"].isdigit()
            assert "Sementara tidak tersedia" in page.get_data(as_text=True)
        api = client.get("/api/v1/search?q=sejarah")
        assert api.status_code == 503 and api.get_json()["error"]["status"] == 503
    finally:
        app.extensions["search_service"].close()


def test_suggestions_are_opensearch_json(client: FlaskClient) -> None:
    response = client.get("/saran?q=sej")
    typed, completions = response.get_json()
    assert typed == "sej"
    assert completions and all(isinstance(c, str) for c in completions)
    assert client.get("/saran?q=").get_json() == ["", []]


def test_a_search_that_widens_says_so_in_both_languages(client: FlaskClient) -> None:
    html = client.get("/cari?q=sejarah+qqqzzx").get_data(as_text=True)
    assert "Tidak ada judul yang memuat semua kata Anda" in html
    assert "results for some of your words" in client.get(
        "/cari?q=sejarah+qqqzzx&lang=en").get_data(as_text=True)
    assert "Termasuk ejaan yang mirip" in client.get("/cari?q=ngajuu&lang=id"
                                                     ).get_data(as_text=True)


def test_available_now_is_a_filter_that_keeps_works_on_the_shelf(client: FlaskClient) -> None:
    everything = client.get("/cari?q=sejarah").get_data(as_text=True)
    assert 'href="/cari?q=sejarah&amp;ada=1"' in everything
    shelf = client.get("/cari?q=sejarah&ada=1").get_data(as_text=True)
    assert 'aria-current="true">✓ Tersedia sekarang' in shelf
    assert "Tidak diketahui" not in shelf and shelf.count('class="held yes"') == \
        shelf.count('<li class="hit">')


def test_pager_has_first_previous_next_and_last(client: FlaskClient) -> None:
    html = client.get("/cari?urut=title&hal=2").get_data(as_text=True)
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert 'aria-label="Halaman pertama">«' in html and "Halaman terakhir" in html
    first = client.get("/cari?urut=title").get_data(as_text=True)
    assert 'rel="prev"' not in first and 'rel="next"' in first


def test_a_library_scope_survives_the_next_query(client: FlaskClient) -> None:
    html = client.get("/cari?f=library:kota-palangka-raya").get_data(as_text=True)
    form = html[html.index('role="search"'):html.index("</form>")]
    assert 'name="f" value="library:kota-palangka-raya" checked' in form
    assert "Hanya di Perpustakaan Kota Palangka Raya" in form


def test_authors_and_publishers_are_links_and_more_by_the_author(client: FlaskClient) -> None:
    html = client.get("/karya/seed-1").get_data(as_text=True)
    assert '<p class="by"><a href="/cari?q=' in html
    assert '<a href="/cari?q=Gramedia+Pustaka+Utama">Gramedia Pustaka Utama</a>' in html
    ebook = client.get(f"/karya/{EBOOK_ID}").get_data(as_text=True)
    assert "Karya lain Tjilik Riwut" not in ebook, "no other work of his in the index"


def test_a_series_is_a_link_to_its_other_books(client: FlaskClient) -> None:
    html = client.get("/karya/seed-4").get_data(as_text=True)
    link = '<a href="/cari?f=series:Seri+Sastra+Dunia">Seri Sastra Dunia</a>'
    assert "<dt>Seri</dt><dd>" + link in html
    assert '"isPartOf": {"@type": "BookSeries", "name": "Seri Sastra Dunia"}' in html
    listed = client.get("/cari?f=series:Seri+Sastra+Dunia").get_data(as_text=True)
    found = set(re.findall(r'href="/karya/(seed-\d+)"', listed))
    assert found and all(int(work_id.split("-")[1]) % 4 == 0 for work_id in found)
    assert "Seri: Seri Sastra Dunia" in listed, "the filter in force is shown, removable"
    assert "Seri</h" not in listed, "a series is a filter, not a facet of the sidebar"
    assert client.get("/cari?f=series:").status_code == 400


def test_favicon_and_a_compressed_script(client: FlaskClient) -> None:
    assert client.get("/favicon.ico").status_code == 200
    html = client.get("/").get_data(as_text=True)
    assert 'rel="icon" type="image/svg+xml"' in html
    script = re.search(r'src="(/static/site\.js[^"]*)"', html).group(1).replace("&amp;", "&")
    answer = client.get(script, headers={"Accept-Encoding": "gzip"})
    assert answer.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(answer.data).startswith(b"/* Progressive")
