"""The dashboard: sources with their harvest status, runs, analytics, totals, decisions,
and "harvest now" jobs carried out by the worker role polling the job table."""

from __future__ import annotations

import io
import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html
import pytest
from babel.dates import format_datetime
from flask import Flask
from flask.testing import FlaskClient

from aggregator.engine import open_engine
from aggregator.indexer import Indexer
from aggregator.query import SearchQuery
from aggregator.worker import WorkerRole
from config.network import load_sources
from config.registrations import Registration, RegistrationStore
from config.settings import Settings
from harvester.jobs import JobQueue, run_pending
from harvester.pool import harvest_all
from harvester.store import RecordStore
from search_ui.admin.views import PREVIEW_RECORDS
from tests.search_ui.staff_support import (
    add_user,
    agency_app,
    agency_settings,
    csrf_token,
    login,
    served_app,
)
from tests.support.nodes import NodeHandle, make_records, running_node

PATIENCE = 60.0


@pytest.fixture
def node(tmp_path: Path) -> Iterator[NodeHandle]:
    """A real node adapter with twelve records on loopback."""
    with running_node(tmp_path / "node.sqlite3", page_size=5) as handle:
        handle.catalogue.upsert_many(make_records(12, prefix="kota"))
        yield handle


@pytest.fixture
def settings(tmp_path: Path, node: NodeHandle) -> Settings:
    """The node as a configured (disabled: harvested only on request) source, two users."""
    configured = agency_settings(
        tmp_path, f'[[sources]]\nid = "kota"\nname = "Perpustakaan Kota Uji"\n'
                  f'base_url = "{node.url}"\nenabled = false\n',
        job_poll_seconds=1, allow_private_sources=True)
    add_user(configured, "ani", "admin")
    add_user(configured, "budi", "staff")
    return configured


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The central app, CSRF on."""
    yield from served_app(settings)


def _table_rows(page: str, table_id: str) -> list[list[str]]:
    """A table's body rows as shown."""
    return [[cell.text_content().strip() for cell in row.xpath("./th|./td")]
            for row in lxml.html.fromstring(page).xpath(f'//table[@id="{table_id}"]/tbody/tr')]


def _client(app: Flask, name: str = "ani") -> FlaskClient:
    """A logged-in client."""
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def test_dashboard_shows_sources_runs_analytics_and_totals(app: Flask,
                                                          settings: Settings) -> None:
    run = harvest_all(settings, load_sources(settings))[0]
    assert run.status == "ok" and run.added == 12
    with open_engine(settings, writer=True) as engine:
        Indexer.from_settings(settings, engine).rebuild()
    service = app.extensions["search_service"]
    title = make_records(1, prefix="kota")[0].title.lower()
    for words in (title, title, "kamus dayak ngaju", title):
        service.search(SearchQuery(text=words))
    client = _client(app, "budi")
    page = client.get("/dasbor/").get_data(as_text=True)
    assert "Perpustakaan Kota Uji" in page and "<td>12</td>" in page
    assert not re.search(r"\d{4}-\d\d-\d\dT", page), "times are written for people"
    english = client.get("/dasbor/?lang=en").get_data(as_text=True)
    assert '<span class="st st-ok">complete</span>' in english
    started = datetime.fromisoformat(run.started.replace("Z", "+00:00"))
    local = started.astimezone(ZoneInfo("Asia/Jakarta"))
    shown = format_datetime(local, "medium", locale="id", tzinfo=local.tzinfo)
    assert f"<td>{shown} WIB</td>" in page, "times in the province's zone (WIB)"
    assert " UTC" not in page and " UTC" not in english
    assert '<span class="st st-ok">lengkap</span>' in page
    assert "<td><code>kota</code></td><td>semua</td>" in page, "a first harvest is full"
    most = page[page.index("Paling banyak dicari"):page.index("Dicari tetapi tidak ditemukan")]
    assert most.index(f"{title} <span") < most.index("kamus dayak ngaju")
    missing = page[page.index("Dicari tetapi tidak ditemukan"):]
    assert "kamus dayak ngaju" in missing and title not in missing
    assert "4 pencarian; 25% tidak menemukan apa pun" in page
    totals = page[page.index("Jumlah di seluruh jaringan"):page.index("Pendaftaran yang")]
    assert "<strong>12</strong> judul" in totals


def test_harvest_health_grid_shows_each_day_as_the_run_log_has_it(tmp_path: Path,
                                                                 node: NodeHandle) -> None:
    configured = agency_settings(
        tmp_path / "health",
        f'[[sources]]\nid = "kota"\nname = "Perpustakaan Kota Uji"\nbase_url = "{node.url}"\n'
        'enabled = false\n\n[[sources]]\nid = "mati"\nname = "Perpustakaan Mati"\n'
        'base_url = "http://127.0.0.1:9/oai"\nenabled = false\n', allow_private_sources=True)
    add_user(configured, "budi", "staff")
    runs = harvest_all(configured, load_sources(configured))
    assert [r.status for r in runs] == ["ok", "failed"]
    application = agency_app(configured)
    page = _client(application, "budi").get("/dasbor/").get_data(as_text=True)
    application.extensions["search_service"].close()
    with sqlite3.connect(configured.data_dir / "records.sqlite3") as db:
        logged = dict(db.execute("SELECT source, count(DISTINCT substr(started, 1, 10)) "
                                 "FROM runs GROUP BY source"))
    table = {row[0]: row[1:] for row in _table_rows(page, "health")}
    assert table["Perpustakaan Kota Uji"] == [str(logged["kota"]), "0", "0", "0",
                                              str(30 - logged["kota"])]
    assert table["Perpustakaan Mati"] == ["0", "0", "0", "1", "29"]
    section = page[page.index('id="health-title"'):]
    svg_text = section[section.index("<svg"):section.index("</svg>") + len("</svg>")]
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    svg = lxml.etree.fromstring(svg_text.encode(), parser)
    cells = svg.xpath('//s:rect[contains(@class, "cell")]',
                      namespaces={"s": "http://www.w3.org/2000/svg"})
    assert len(cells) == 2 * 30
    assert cells[29].get("class") == "cell ok" and cells[59].get("class") == "cell failed"
    assert cells[59].findtext("{http://www.w3.org/2000/svg}title").endswith(": gagal")


def test_harvest_now_queues_one_job_that_run_pending_carries_out(app: Flask,
                                                                 settings: Settings) -> None:
    client = _client(app, "budi")
    token = csrf_token(client, "/dasbor/")
    for _ in range(2):
        answer = client.post("/dasbor/sumber/kota/panen", data={"csrf_token": token},
                             follow_redirects=True)
        assert "Panen kota sudah diantrekan." in answer.get_data(as_text=True)
    jobs = JobQueue.at(settings).recent()
    assert [(j.source, j.status, j.requested_by) for j in jobs] == [("kota", "queued", "budi")]
    assert client.post("/dasbor/sumber/nowhere/panen",
                       data={"csrf_token": token}).status_code == 404
    assert run_pending(settings) == 1
    assert run_pending(settings) == 0
    job = JobQueue.at(settings).recent()[0]
    assert job.status == "done" and job.message.startswith("ok: +12")
    assert RecordStore.at(settings).count("kota") == 12
    page = client.get("/dasbor/").get_data(as_text=True)
    assert '<span class="st st-done">selesai</span>' in page
    assert "lengkap: 12 ditambahkan, 0 diperbarui, 0 dihapus" in page, "outcomes in words"
    assert "+12 ~0" not in page


def test_a_job_for_an_unknown_source_fails_without_stopping_the_queue(
        settings: Settings) -> None:
    queue = JobQueue.at(settings)
    queue.request("vanished", "ani")
    queue.request("kota", "ani", mode="full")
    assert run_pending(settings) == 2
    outcomes = {j.source: (j.status, j.message) for j in queue.recent()}
    assert outcomes["vanished"] == ("failed", "unknown source 'vanished'")
    assert outcomes["kota"][0] == "done"


def test_the_worker_role_polls_the_job_table(settings: Settings) -> None:
    queue = JobQueue.at(settings)
    abandoned = queue.request("kota", "ani")
    assert queue.claim() == queue.get(abandoned.id)  # a worker died while running it
    worker = WorkerRole(settings).start()
    try:
        deadline = time.monotonic() + PATIENCE
        while queue.get(abandoned.id).status in ("queued", "running"):
            assert time.monotonic() < deadline, "the worker never ran the job"
            time.sleep(0.2)
    finally:
        worker.stop()
    assert queue.get(abandoned.id).status == "done", queue.get(abandoned.id).message
    assert RecordStore.at(settings).count("kota") == 12


def test_rejecting_an_upload_deletes_its_catalogue_and_decisions_are_final(
        app: Flask, settings: Settings) -> None:
    public = app.test_client()
    token = csrf_token(public, "/daftar")
    public.post("/daftar", content_type="multipart/form-data", data={
        "name": "TBM Ditolak", "type": "taman-baca", "district": "Kabupaten Kapuas",
        "address": "Kuala Kapuas", "contact_name": "Pak Adi", "email": "adi@contoh.id",
        "whatsapp": "081298765432", "catalogue": "upload", "csrf_token": token,
        "upload": (io.BytesIO(b"judul,pengarang\nBuku Satu,Penulis\n"), "k.csv")})
    registration = RegistrationStore.at(settings).by_status("pending")[0]
    catalogue = settings.data_dir / "hosted" / f"{registration.source_id}.sqlite3"
    assert catalogue.exists()
    client = _client(app)
    token = csrf_token(client, "/dasbor/")
    answer = client.post(f"/dasbor/pendaftaran/{registration.id}/tolak",
                         data={"csrf_token": token, "note": "bukan perpustakaan"},
                         follow_redirects=True)
    assert "TBM Ditolak ditolak." in answer.get_data(as_text=True)
    assert not catalogue.exists()
    decided = RegistrationStore.at(settings).get(registration.id)
    assert (decided.status, decided.note, decided.decided_by) == \
        ("rejected", "bukan perpustakaan", "ani")
    again = client.post(f"/dasbor/pendaftaran/{registration.id}/setujui",
                        data={"csrf_token": token})
    assert again.status_code == 409
    assert registration.source_id not in {s.id for s in load_sources(settings)}


def test_approval_shows_a_preview_of_the_uploaded_records(app: Flask) -> None:
    public = app.test_client()
    token = csrf_token(public, "/daftar")
    books = "".join(f"Buku Contoh {n},Penulis {n},{2000 + n}\n" for n in range(8))
    public.post("/daftar", content_type="multipart/form-data", data={
        "name": "TBM Pratinjau", "type": "taman-baca", "district": "Kabupaten Kapuas",
        "address": "Kuala Kapuas", "contact_name": "Pak Adi", "email": "adi@contoh.id",
        "whatsapp": "081298765432", "catalogue": "upload", "csrf_token": token,
        "upload": (io.BytesIO(("judul,pengarang,tahun\n" + books).encode()), "k.csv")})
    page = _client(app).get("/dasbor/").get_data(as_text=True)
    preview = lxml.html.fromstring(page).xpath('//ul[@class="preview"]/li')
    assert len(preview) == PREVIEW_RECORDS
    uploaded = {f"Buku Contoh {n} · Penulis {n} · {2000 + n}" for n in range(8)}
    assert {li.text_content() for li in preview} < uploaded
    assert "Pratinjau 5 dari 8 cantuman" in page


def test_registrant_text_is_escaped_on_the_dashboard(app: Flask, settings: Settings) -> None:
    hostile = '<script>alert("x")</script>'
    RegistrationStore.at(settings).add(Registration(
        "tbm-jahat", "oai", f"TBM {hostile}", "taman-baca", f"Katingan {hostile}",
        address='"><img src=x onerror=alert(1)>', contact_name=hostile, email=f"a{hostile}@b.id",
        whatsapp="6281234567890", base_url=f"http://93.184.215.14/oai?{hostile}",
        report={"check": {"usable": True, "facts": {"repository": hostile},
                          "problems": [hostile]}}), set())
    client = _client(app)
    page = client.get("/dasbor/").get_data(as_text=True)
    assert "TBM &lt;script&gt;" in page and "<script>alert" not in page
    assert "<img src=x" not in page
    token = csrf_token(client, "/dasbor/")
    answer = client.post("/dasbor/pendaftaran/1/tolak", data={"csrf_token": token,
                                                              "note": hostile},
                         follow_redirects=True)
    flashed = answer.get_data(as_text=True)
    assert "TBM &lt;script&gt;" in flashed and "<script>alert" not in flashed
