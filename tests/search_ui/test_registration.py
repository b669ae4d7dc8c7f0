"""Registration of reading corners: the private-address guard, the provider check, an OAI
node registered, approved and harvested, and an uploaded catalogue hosted and harvested."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from flask import Flask, redirect

from config.network import load_sources
from config.registrations import Registration, RegistrationStore
from config.settings import Settings
from harvester.check import check_provider
from harvester.config import harvester_config
from harvester.jobs import JobQueue, run_pending
from harvester.netguard import AddressPolicy, AddressRefused, UnsafeURL, check_url
from harvester.pool import harvest_all
from harvester.store import RecordStore
from harvester.transport import Transport
from search_ui.registration.probe import probe
from tests.search_ui.staff_support import (
    add_user,
    agency_app,
    agency_settings,
    csrf_token,
    login,
)
from tests.support.http import live_server
from tests.support.nodes import make_records, running_node

HOSTILE = [
    "http://127.0.0.1/oai", "http://localhost/oai", "http://127.1/", "http://2130706433/",
    "http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://0x7f000001/", "http://[::1]/oai",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[2002:7f00:1::]/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://10.0.0.5/", "http://172.16.3.4/",
    "http://192.168.1.1:8080/oai", "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/", "http://[fc00::1]/", "http://224.0.0.251/", "http://[ff02::1]/",
    "http://0.0.0.0/", "http://[::]/", "http://100.64.0.1/", "http://240.0.0.1/",
    "http://255.255.255.255/", "http://192.0.2.10/", "http://user:pw@127.0.0.1/",
    "https://127.0.0.1:443/oai",
]
NOT_HTTP = ["ftp://93.184.215.14/", "file:///etc/passwd", "gopher://127.0.0.1/",
            "javascript:alert(1)", "//93.184.215.14/oai", "http:///oai", "http://[::1/"]
FORM = {"name": "Taman Baca Masyarakat Cahaya", "type": "taman-baca",
        "district": "Kabupaten Katingan", "address": "Desa Tumbang Samba",
        "contact_name": "Ibu Sari", "email": "sari@contoh.id", "whatsapp": "0812-3456-7890",
        "opening_hours": "Setiap hari 15.00–18.00"}


@pytest.mark.parametrize("url", HOSTILE)
def test_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(AddressRefused):
        check_url(url, AddressPolicy())


@pytest.mark.parametrize("url", NOT_HTTP)
def test_only_http_urls_with_a_host_are_accepted(url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url(url, AddressPolicy())


def test_public_literals_pass_and_allowed_networks_are_exceptions() -> None:
    assert [str(a) for a in check_url("https://93.184.215.14/oai", AddressPolicy())] \
        == ["93.184.215.14"]
    assert check_url("http://[2606:4700::6810:84e5]/", AddressPolicy())
    intranet = AddressPolicy.from_cidrs(["10.20.0.0/16"])
    assert check_url("http://10.20.3.4/oai", intranet)
    with pytest.raises(AddressRefused):
        check_url("http://10.21.3.4/oai", intranet)


def _redirector(target: str) -> Flask:
    """A provider that sends every request elsewhere."""
    app = Flask("redirector")
    app.add_url_rule("/oai", "oai", lambda: redirect(target, 302))
    return app


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/oai", "http://[::1]:{port}/oai",
                                    "http://169.254.169.254/latest/meta-data/",
                                    "http://2130706434:{port}/oai"])
def test_redirects_to_private_addresses_are_refused(tmp_path: Path, target: str) -> None:
    only_this_host = AddressPolicy.from_cidrs(["127.0.0.1/32"])
    settings = agency_settings(tmp_path)
    options = {**harvester_config(settings), "retries": 0}
    with live_server(_redirector("placeholder")) as server:
        server_target = target.format(port=server.port)
        with live_server(_redirector(server_target)) as bouncer:
            transport = Transport(options, policy=only_this_host)
            with pytest.raises(AddressRefused, match="not a public address"):
                transport.fetch(f"{bouncer.url}/oai", {"verb": "Identify"})
            transport.close()
            web = {"allow_private_sources": False, "allowed_source_networks": ["127.0.0.1/32"],
                   "check_timeout": 5.0, "check_deadline": 15.0}
            report = probe(f"{bouncer.url}/oai", settings, web)
    assert not report.usable
    assert "not a public address" in report.problems[0]


def test_the_guard_still_reaches_permitted_providers(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    with running_node(tmp_path / "node.sqlite3", page_size=5) as node:
        node.catalogue.upsert_many(make_records(7, prefix="tbm"))
        report = check_provider(node.url, harvester_config(settings),
                                AddressPolicy.from_cidrs(["127.0.0.1/32"]))
        refused = check_provider(node.url, harvester_config(settings), AddressPolicy())
    assert report.usable and report.facts["sample_records"] == 5
    assert not refused.usable and "not a public address" in refused.problems[0]


def test_a_private_address_is_refused_on_the_form(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    client = agency_app(settings).test_client()
    token = csrf_token(client, "/daftar")
    answer = client.post("/daftar", data={**FORM, "catalogue": "oai", "csrf_token": token,
                                          "base_url": "http://169.254.169.254/oai"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Katalog ini belum dapat kami panen." in page and "not a public address" in page
    assert RegistrationStore.at(settings).by_status("pending") == []


def test_form_errors_are_shown_per_field_in_both_languages(tmp_path: Path) -> None:
    client = agency_app(agency_settings(tmp_path)).test_client()
    assert "Daftarkan perpustakaan atau taman baca Anda" in client.get("/daftar").get_data(
        as_text=True)
    token = csrf_token(client, "/daftar?lang=en")
    answer = client.post("/daftar?lang=en", data={**FORM, "whatsapp": "12", "email": "x@",
                                                  "catalogue": "oai", "csrf_token": token})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Register your library or reading corner" in page
    assert "Write a mobile number such as 0812 3456 7890." in page
    assert "Write an e-mail address such as nama@contoh.id." in page
    assert "Write the OAI-PMH address, or choose to upload a file." in page
    assert 'aria-invalid="true"' in page


def test_registrations_are_limited_per_address(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path, registrations_per_address=2)
    client = agency_app(settings).test_client()
    token = csrf_token(client, "/daftar")
    spam = {**FORM, "catalogue": "oai", "csrf_token": token,
            "base_url": "http://169.254.169.254/oai"}
    elsewhere = {"REMOTE_ADDR": "198.51.100.7"}
    assert [client.post("/daftar", data=spam).status_code for _ in range(2)] == [422, 422]
    refused = client.post("/daftar", data=spam)
    assert refused.status_code == 429
    assert "Terlalu banyak pendaftaran" in refused.get_data(as_text=True)
    assert "not a public address" not in refused.get_data(as_text=True), "no check was run"
    incomplete = client.post("/daftar", data={**spam, "email": ""})
    assert incomplete.status_code == 400, "a form with errors is answered, not counted"
    assert client.post("/daftar", data=spam, environ_base=elsewhere).status_code == 422


def test_registrations_behind_a_trusted_proxy_count_per_client(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path, registrations_per_address=1, trusted_proxies=1)
    client = agency_app(settings).test_client()
    token = csrf_token(client, "/daftar")
    spam = {**FORM, "catalogue": "oai", "csrf_token": token,
            "base_url": "http://169.254.169.254/oai"}

    def send(client_address: str) -> int:
        environ = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": client_address}
        return client.post("/daftar", data=spam, environ_base=environ).status_code

    assert [send("203.0.113.5"), send("203.0.113.5")] == [422, 429]
    assert send("203.0.113.9") == 422, "another client behind the same proxy"


def _approve(app: Flask, settings: Settings) -> Registration:
    """Log in as an admin and approve the only pending registration on the dashboard."""
    add_user(settings, "ani", "admin")
    client = app.test_client()
    login(client, "ani")
    pending = RegistrationStore.at(settings).by_status("pending")
    assert len(pending) == 1
    assert pending[0].name in client.get("/dasbor/").get_data(as_text=True)
    token = csrf_token(client, "/dasbor/")
    answer = client.post(f"/dasbor/pendaftaran/{pending[0].id}/setujui",
                         data={"csrf_token": token}, follow_redirects=True)
    assert "disetujui" in answer.get_data(as_text=True)
    return RegistrationStore.at(settings).get(pending[0].id)


def test_an_oai_node_is_registered_approved_and_harvested(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path, allow_private_sources=True)
    app = agency_app(settings)
    client = app.test_client()
    with running_node(tmp_path / "node.sqlite3", page_size=10,
                      repository_identifier="tbm-cahaya.example.id") as node:
        node.catalogue.upsert_many(make_records(25, prefix="cahaya"))
        token = csrf_token(client, "/daftar")
        answer = client.post("/daftar", data={**FORM, "catalogue": "oai", "base_url": node.url,
                                              "csrf_token": token})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200, page
        assert "Katalog ini dapat kami panen." in page
        assert "tbm-cahaya" not in {s.id for s in load_sources(settings)}, "pending: no source"

        registration = _approve(app, settings)
        assert registration.status == "approved" and registration.decided_by == "ani"
        source = {s.id: s for s in load_sources(settings)}[registration.source_id]
        assert source.base_url == node.url and source.whatsapp == "6281234567890"
        assert not source.public_only, "allow_private_sources = true"
        assert [j.source for j in JobQueue.at(settings).recent()] == [registration.source_id]
        assert run_pending(settings) == 1
    job = JobQueue.at(settings).recent()[0]
    assert job.status == "done", job.message
    store = RecordStore.at(settings)
    assert store.count(registration.source_id) == 25
    assert registration.source_id in {lib.id for lib in
                                      app.extensions["search_service"].libraries()}


def test_a_registered_address_is_guarded_when_harvested(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    with running_node(tmp_path / "node.sqlite3") as node:
        node.catalogue.upsert_many(make_records(3, prefix="x"))
        store = RegistrationStore.at(settings)
        added = store.add(Registration("tbm-x", "oai", "TBM X", "taman-baca", "Kota Palangka Raya",
                                       base_url=node.url), set())
        store.decide(added.id, True, "ani")
        source = next(s for s in load_sources(settings) if s.id == "tbm-x")
        assert source.public_only
        run = harvest_all(settings, [source])[0]
    assert run.status == "failed" and "not a public address" in (run.last_error or "")
    assert RecordStore.at(settings).count("tbm-x") == 0


def test_a_configured_id_wins_over_a_registration(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path, sources='[[sources]]\nid = "tbm-x"\nname = "X"\n'
                                                 'base_url = "http://127.0.0.1:9/oai"\n')
    store = RegistrationStore.at(settings)
    added = store.add(Registration("tbm-x", "oai", "TBM X", "taman-baca", "Katingan",
                                   base_url="http://93.184.215.14/oai"),
                      {s.id for s in load_sources(settings)})
    assert added.source_id == "tbm-x-2", "a new registration never takes a configured id"
    store.decide(added.id, True, "ani")
    assert [s.id for s in load_sources(settings)] == ["tbm-x", "tbm-x-2"]


CSV = ("id,judul,pengarang,tahun,isbn\n"
       "c1,Laskar Pelangi,Andrea Hirata,2005,979-3062-79-7\n"
       "c2,,Tanpa Judul,2001,\n"
       "c3,Bumi Manusia,Pramoedya Ananta Toer,1980,\n"
       "c4,Buku Rusak,Penulis,dua ribu,\n"
       "c5,Sejarah Kalimantan Tengah,Tjilik Riwut,2003,978-0-00-000000-1\n"
       "c6,Dongeng Dayak,Tjilik Riwut,2019,\n")


def test_an_uploaded_catalogue_reports_bad_rows_and_is_hosted_and_harvested(
        tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    app = agency_app(settings)
    client = app.test_client()
    token = csrf_token(client, "/daftar")
    answer = client.post("/daftar", content_type="multipart/form-data", data={
        **FORM, "catalogue": "upload", "csrf_token": token,
        "upload": (io.BytesIO(CSV.encode("utf-8")), "katalog.csv")})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200, page
    assert "5 rekaman diterima, 1 baris ditolak." in page
    assert "2 rekaman disimpan dengan peringatan." in page
    for line, reason in (("3", "judul kosong"), ("5", "tahun bukan angka"), ("6", "ISBN")):
        assert f"<tr><td>{line}</td><td>{reason}" in page
    registration = RegistrationStore.at(settings).by_status("pending")[0]
    assert registration.kind == "hosted" and registration.report["upload"]["accepted"] == 5
    assert client.get(f"/tbm/{registration.source_id}/oai?verb=Identify").status_code == 404

    _approve(app, settings)
    with live_server(app) as server:
        web = {**settings.raw["web"], "base_url": server.url}
        reachable = dataclasses.replace(settings, raw={**settings.raw, "web": web})
        source = next(s for s in load_sources(reachable) if s.id == registration.source_id)
        assert source.base_url == f"{server.url}/tbm/{registration.source_id}/oai"
        run = harvest_all(reachable, [source])[0]
    assert run.status == "ok", run.last_error
    assert RecordStore.at(settings).count(registration.source_id) == 5


def test_an_unreadable_upload_keeps_nothing(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    client = agency_app(settings).test_client()
    token = csrf_token(client, "/daftar")
    answer = client.post("/daftar", content_type="multipart/form-data", data={
        **FORM, "catalogue": "upload", "csrf_token": token,
        "upload": (io.BytesIO(b"nama,alamat\nx,y\n"), "katalog.csv")})
    assert answer.status_code == 422
    assert "Berkas tidak dapat dibaca:" in answer.get_data(as_text=True)
    assert RegistrationStore.at(settings).by_status("pending") == []
    assert [p.name for p in (settings.data_dir / "hosted").iterdir()] == []
