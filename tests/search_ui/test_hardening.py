"""The patron site under hostile requests: wrong methods, forged hosts, framing."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregator.engine import open_engine
from aggregator.model import Holding, Work
from config.settings import load_settings
from search_ui.app import create_app
from tests.search_ui.staff_support import agency_app, agency_settings


def test_wrong_method_on_a_page_is_405_with_allow(client: FlaskClient) -> None:
    response = client.post("/cari")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "text/html" in response.content_type


def test_wrong_method_on_the_api_is_405_json_with_allow(client: FlaskClient) -> None:
    response = client.delete("/api/v1/stats")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["status"] == 405


HOSTILE_SITES = {"skrip": "javascript:alert(document.cookie)", "data": "data:text/html,<b>x</b>",
                 "berkas": "file:///etc/passwd", "spasi": " javascript:alert(1)",
                 "tab": "java\tscript:alert(1)", "kosong": "https://"}
FORGED = "evil.example"


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app without ``[web] base_url``, over libraries whose websites are hostile and one
    work held by each."""
    folder = tmp_path_factory.mktemp("hostile-sites")
    tables = "".join(f'[[sources]]\nid = "{key}"\nname = "Perpustakaan {key}"\n'
                     f'base_url = "http://127.0.0.1:9/oai"\nwebsite = "{toml_escape(url)}"\n\n'
                     for key, url in HOSTILE_SITES.items())
    tables += ('[[sources]]\nid = "baik"\nname = "Perpustakaan Baik"\n'
               'base_url = "http://127.0.0.1:9/oai"\nwebsite = "https://pustaka.example.id/"\n')
    config = folder / "jala.toml"
    config.write_text('[web]\nsecret_key = "test"\n\n' + tables, encoding="utf-8")
    settings = load_settings(config, data_dir=folder / "data", environ={})
    engine = open_engine(settings, writer=True)
    try:
        engine.upsert([Work(id="w-1", title="Sejarah Kalimantan", year=2020,
                            holdings=[Holding(library_id=key, record_id=f"{key}:1",
                                              library_name=f"Perpustakaan {key}")
                                      for key in [*HOSTILE_SITES, "baik"]])])
        engine.commit()
    finally:
        engine.close()
    application = create_app({"SETTINGS": settings, "TESTING": True})
    yield application
    application.extensions["search_service"].close()


def toml_escape(text: str) -> str:
    """A string safe inside TOML double quotes."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")


def _json_ld(page: str) -> list[Any]:
    """Every JSON-LD block of a page, parsed."""
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a parsed JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize("path", ["/perpustakaan", "/perpustakaan/skrip", "/karya/w-1",
                                  "/api/v1/libraries", "/api/v1/libraries/data"])
def test_a_hostile_website_never_becomes_a_link(plain_app: Flask, path: str) -> None:
    answer = plain_app.test_client().get(path)
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    found = list(_strings(answer.get_json())) if answer.is_json else list(
        _strings(_json_ld(text)))
    for hostile in HOSTILE_SITES.values():
        if hostile != "https://":
            assert hostile.strip() not in text.replace("\\t", "\t")
        assert hostile not in found
    assert not [s for s in found if s.lower().startswith(("javascript", "data:", "file:"))]
    if path in ("/perpustakaan", "/karya/w-1", "/api/v1/libraries"):
        assert "https://pustaka.example.id/" in (found if answer.is_json else text)


@pytest.mark.parametrize("path", ["/", "/karya/w-1", "/perpustakaan", "/perpustakaan/baik",
                                  "/cari?q=sejarah", "/robots.txt", "/tentang"])
def test_a_forged_host_reaches_no_link_without_base_url(plain_app: Flask, path: str) -> None:
    answer = plain_app.test_client().get(path, headers={"Host": FORGED})
    assert answer.status_code == 200
    assert FORGED not in answer.get_data(as_text=True)


def test_without_base_url_pages_link_by_path_and_sitemaps_are_refused(plain_app: Flask) -> None:
    client = plain_app.test_client()
    page = client.get("/karya/w-1", headers={"Host": FORGED}).get_data(as_text=True)
    assert '<link rel="canonical" href="/karya/w-1">' in page
    assert _json_ld(page)[0]["@id"] == "/karya/w-1"
    for path in ("/sitemap.xml", "/sitemap-halaman.xml", "/sitemap-karya-1.xml",
                 "/opensearch.xml"):
        refused = client.get(path, headers={"Host": FORGED})
        assert refused.status_code == 404, path
        text = refused.get_data(as_text=True)
        assert "[web] base_url" in text and FORGED not in text
    assert "Sitemap:" not in client.get("/robots.txt").get_data(as_text=True)


def test_allowed_hosts_vouch_for_the_host_and_refuse_others(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path, allowed_hosts=["pustaka.example.id"])
    client = agency_app(settings).test_client()
    assert client.get("/sitemap.xml", headers={"Host": FORGED}).status_code == 400
    assert client.get("/", headers={"Host": FORGED}).status_code == 400
    sitemap = client.get("/sitemap.xml", headers={"Host": "pustaka.example.id"})
    assert sitemap.status_code == 200
    assert "<loc>http://pustaka.example.id/sitemap-halaman.xml</loc>" in sitemap.get_data(
        as_text=True)


@pytest.mark.parametrize("path", ["/", "/cari?q=buku", "/karya/seed-1", "/perpustakaan",
                                  "/masuk", "/daftar", "/tidak-ada", "/api/v1/stats"])
def test_every_answer_has_a_content_security_policy(client: FlaskClient, path: str) -> None:
    answer = client.get(path)
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert answer.headers["X-Frame-Options"] == "DENY"
    for style in re.findall(r"<style>(.*?)</style>", answer.get_data(as_text=True), re.S):
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy, "each inline style sheet is allowed by its hash"
