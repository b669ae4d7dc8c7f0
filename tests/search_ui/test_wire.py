"""Bytes on the wire: gzip, page weight, conditional GETs with ETag and Last-Modified."""

from __future__ import annotations

import gzip
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.http import live_server

RESULTS_BUDGET = 60 * 1024


def _raw_get(url: str) -> bytes:
    """Everything the server sends for one gzip-accepting GET: status, headers, body."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                     "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_results_page_weight_on_the_wire(app: Flask, test_output_dir: Path) -> None:
    lines = []
    with live_server(app) as server:
        for query, hits in (("", 20), ("n=50", 50), ("q=agama", 1)):
            raw = _raw_get(f"{server.url}/cari?{query}")
            head, body = raw.split(b"\r\n\r\n", 1)
            assert b"Content-Encoding: gzip" in head
            html = gzip.decompress(body)
            assert html.count(b'<li class="hit">') >= hits
            assert b'<link rel="stylesheet"' not in html
            assert len(raw) <= RESULTS_BUDGET, (query, len(raw))
            lines.append(f"/cari?{query}: {len(raw)} bytes on the wire, {len(html)} bytes html")
    (test_output_dir / "page-weight.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_text_responses_are_gzipped_only_when_asked(client: FlaskClient) -> None:
    zipped = client.get("/cari?q=sejarah", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    plain = client.get("/cari?q=sejarah")
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    refused = client.get("/cari?q=sejarah", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_streamed_sitemap_is_gzipped(client: FlaskClient) -> None:
    zipped = client.get("/sitemap-karya-1.xml", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == client.get("/sitemap-karya-1.xml").get_data()


def test_static_script_is_cached_long(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    src = page.split('<script src="')[1].split('"')[0]
    assert "?v=" in src
    response = client.get(src)
    assert response.status_code == 200
    assert response.cache_control.max_age >= 3600


@pytest.mark.parametrize("url", ["/karya/seed-7", "/perpustakaan",
                                 "/perpustakaan/dispursip-kalteng"])
def test_etag_revalidation_answers_304(client: FlaskClient, url: str) -> None:
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.get_data() == b""
    english = client.get(f"{url}{'&' if '?' in url else '?'}lang=en",
                         headers={"If-None-Match": etag})
    assert english.status_code == 200 and english.headers["ETag"] != etag


def test_work_page_last_modified(client: FlaskClient) -> None:
    first = client.get("/karya/seed-7")
    assert first.headers["Last-Modified"] == "Sat, 01 Jun 2024 08:00:00 GMT"
    assert first.cache_control.max_age and first.cache_control.public
    stamp = first.headers["Last-Modified"]
    assert client.get("/karya/seed-7", headers={"If-Modified-Since": stamp}).status_code == 304
    older = client.get("/karya/seed-7",
                       headers={"If-Modified-Since": "Sat, 01 Jun 2024 07:00:00 GMT"})
    assert older.status_code == 200
