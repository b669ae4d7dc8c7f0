"""What search engines and browsers read: sitemaps, robots.txt, OpenSearch, JSON-LD, OpenGraph."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from aggregator.query import SearchQuery
from tests.search_ui.conftest import EBOOK_ID, HOSTILE_ID

BASE = "https://pustaka.example.id"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _xml(client: FlaskClient, url: str) -> etree._Element:
    """Fetch and parse an XML document safely."""
    response = client.get(url)
    assert response.status_code == 200, url
    return etree.fromstring(response.get_data(), PARSER)


def _jsonld(html: str) -> dict[str, Any]:
    """The page's JSON-LD block, parsed."""
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block, "no JSON-LD"
    return json.loads(block.group(1))


def test_sitemaps_list_every_work_exactly_once(client: FlaskClient, app: Flask) -> None:
    index = _xml(client, "/sitemap.xml")
    assert index.tag == f"{SITEMAP}sitemapindex"
    files = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert files[0] == f"{BASE}/sitemap-halaman.xml"
    with app.app_context():
        total = app.extensions["search_service"].search(SearchQuery(size=0, facets=())).total
    assert len(files) == 1 + -(-total // 100)
    works: list[str] = []
    for url in files[1:]:
        urlset = _xml(client, url.removeprefix(BASE))
        assert urlset.tag == f"{SITEMAP}urlset"
        entries = urlset.findall(f"{SITEMAP}url")
        assert 0 < len(entries) <= 100
        works += [e.findtext(f"{SITEMAP}loc") for e in entries]
        assert all(e.findtext(f"{SITEMAP}lastmod") for e in entries)
    assert len(works) == len(set(works)) == total
    assert f"{BASE}/karya/{HOSTILE_ID}" in works
    assert client.get(f"/sitemap-karya-{len(files)}.xml").status_code == 404
    assert client.get("/sitemap-karya-0.xml").status_code == 404


def test_site_pages_sitemap_lists_libraries(client: FlaskClient) -> None:
    locs = [loc.text for loc in _xml(client, "/sitemap-halaman.xml").iter(f"{SITEMAP}loc")]
    assert f"{BASE}/" in locs and f"{BASE}/perpustakaan" in locs
    assert f"{BASE}/perpustakaan/tbm-pelangi-katingan" in locs


def test_robots_points_at_the_sitemap(client: FlaskClient) -> None:
    text = client.get("/robots.txt").get_data(as_text=True)
    assert text.startswith("User-agent: *")
    assert f"Sitemap: {BASE}/sitemap.xml" in text
    assert "Disallow: /api/" in text and "Disallow: /karya" not in text
    assert "Disallow: /tbm/" in text and "Disallow: /dasbor/" in text


def test_browsers_are_told_not_to_sniff_types(client: FlaskClient) -> None:
    for path in ("/", "/robots.txt", "/api/v1/stats", "/no-such-page"):
        assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


def test_opensearch_description(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = etree.fromstring(response.get_data(), PARSER)
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert len(root.findtext(f"{ns}ShortName")) <= 16
    templates = {u.get("type"): u.get("template") for u in root.iter(f"{ns}Url")}
    assert templates["text/html"] == f"{BASE}/cari?q={{searchTerms}}"
    assert templates["application/x-suggestions+json"] == f"{BASE}/saran?q={{searchTerms}}"
    home = client.get("/").get_data(as_text=True)
    assert 'rel="search" type="application/opensearchdescription+xml"' in home


def test_work_jsonld_is_a_book_with_an_offer_per_holding(client: FlaskClient) -> None:
    html = client.get("/karya/seed-5").get_data(as_text=True)
    data = _jsonld(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Book"
    assert data["url"] == f"{BASE}/karya/seed-5"
    assert data["inLanguage"] in ("id", "en"), "BCP 47, not MARC's ind/eng"
    examples = data["workExample"]
    holdings = html.count('<th scope="row"')
    assert len(examples) == holdings >= 1
    for example in examples:
        offer = example["offers"]
        assert offer["@type"] == "Offer" and offer["price"] == "0"
        assert offer.get("availability", "https://schema.org/").startswith("https://schema.org/")
        assert offer["offeredBy"]["@type"] == "Library"
        assert offer["offeredBy"]["address"]["addressCountry"] == "ID"
    claimed = [e for e in examples if "availability" in e["offers"]]
    assert len(claimed) == html.count('class="as-of"') >= 1, "only dated statuses are claimed"


def test_ebook_jsonld_has_a_reading_link(client: FlaskClient) -> None:
    data = _jsonld(client.get(f"/karya/{EBOOK_ID}").get_data(as_text=True))
    formats = [e["bookFormat"] for e in data["workExample"]]
    assert formats.count("https://schema.org/EBook") == 2
    assert any(e.get("url") == "https://repository.example.id/dongeng.pdf"
               for e in data["workExample"])


def test_directory_jsonld_lists_libraries(client: FlaskClient) -> None:
    data = _jsonld(client.get("/perpustakaan").get_data(as_text=True))
    assert data["@type"] == "ItemList"
    libraries = [item["item"] for item in data["itemListElement"]]
    assert len(libraries) == 4 and {lib["@type"] for lib in libraries} == {"Library"}
    geo = libraries[0]["geo"]
    assert (geo["latitude"], geo["longitude"]) == (-2.2096, 113.9173)
    single = _jsonld(client.get("/perpustakaan/kota-palangka-raya").get_data(as_text=True))
    assert single["@type"] == "Library" and single["telephone"] == "+6281250001002"


def test_opengraph_and_canonical(client: FlaskClient) -> None:
    html = client.get("/karya/seed-5?lang=en").get_data(as_text=True)
    assert '<meta property="og:type" content="book">' in html
    assert f'<meta property="og:url" content="{BASE}/karya/seed-5?lang=en">' in html
    assert '<meta property="og:locale" content="en_US">' in html
    assert f'<link rel="canonical" href="{BASE}/karya/seed-5?lang=en">' in html, "own language"
    for code, url in (("id", "/karya/seed-5"), ("en", "/karya/seed-5?lang=en"),
                      ("x-default", "/karya/seed-5")):
        assert f'<link rel="alternate" hreflang="{code}" href="{BASE}{url}">' in html
    indonesian = client.get("/karya/seed-5?lang=id&utm_source=x").get_data(as_text=True)
    assert f'<link rel="canonical" href="{BASE}/karya/seed-5">' in indonesian
    directory = client.get("/perpustakaan?wilayah=Kota+Palangka+Raya").get_data(as_text=True)
    assert (f'hreflang="en" href="{BASE}/perpustakaan?wilayah=Kota+Palangka+Raya&amp;lang=en"'
            in directory), "absolute alternates keep the page's arguments"
    assert re.search(r'<meta property="og:title" content="[^"]+">', html)


def test_results_are_not_indexed_but_followed(client: FlaskClient) -> None:
    assert '<meta name="robots" content="noindex, follow">' in client.get(
        "/cari?q=buku").get_data(as_text=True)
