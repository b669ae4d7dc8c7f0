"""Hosted reading corners keep their catalogue: the account an approval opens, its one-time
set-password link (hashed, single-use, expiring), pages scoped to the corner's own source,
CSRF on every form, uploads that update in place or replace with tombstones, the harvest
that follows by itself over real HTTP, the corner's own details and census row, and a
census-only account for any member library."""

from __future__ import annotations

import dataclasses
import io
import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from config.network import load_sources
from config.profiles import ProfileStore
from config.registrations import RegistrationStore
from config.settings import Settings
from config.webdb import web_db_path
from harvester.jobs import JobQueue, run_pending
from harvester.store import RecordStore
from jala.cli import cli
from node_adapter.catalogue import Catalogue
from search_ui.accounts import Accounts
from search_ui.registration.hosting import hosted_dir
from tests.search_ui.corner_support import approve, link_in, register_corner, set_password
from tests.search_ui.staff_support import (
    agency_app,
    agency_settings,
    csrf_token,
    login,
)
from tests.support.http import live_server

NEW_PASSWORD = "pelangi-di-tumbang-samba"
SECOND_CSV = ("id,judul,pengarang,tahun\n"
              "c2,Bumi Manusia,Pramoedya Ananta Toer,1980\n"
              "c3,Dongeng Dayak,Tjilik Riwut,2019\n"
              "c4,Kisah Sungai Katingan,Tjilik Riwut,2021\n"
              "c5,,Tanpa Judul,2001\n"
              "c6,Buku Tahun Aneh,Penulis,dua ribu\n")


def _corner(tmp_path: Path, name: str = "TBM Pelangi") -> tuple[Settings, Flask, Any]:
    """A corner registered, approved, with its password set: settings, app and approval."""
    settings = agency_settings(tmp_path)
    app = agency_app(settings)
    approved = approve(app, settings, register_corner(app, name))
    answer = set_password(app.test_client(), approved.link, NEW_PASSWORD)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return settings, app, approved


def _corner_client(app: Flask, name: str) -> FlaskClient:
    """A client logged in as the corner's account."""
    client = app.test_client()
    assert login(client, name, NEW_PASSWORD).status_code == 302
    return client


def _upload(client: FlaskClient, csv_text: str, mode: str = "update") -> Any:
    """Send a spreadsheet on the upload page; the answer after its redirect."""
    token = csrf_token(client, "/pojok/unggah")
    return client.post("/pojok/unggah", content_type="multipart/form-data",
                       follow_redirects=True, data={
                           "csrf_token": token, "mode": mode, "progress_id": "a" * 22,
                           "upload": (io.BytesIO(csv_text.encode("utf-8")), "baru.csv")})


def test_approval_opens_a_library_account_with_a_one_time_link(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    app = agency_app(settings)
    approved = approve(app, settings, register_corner(app, "TBM Pelangi"))
    source = approved.registration.source_id
    account = app.extensions["jala_accounts"].get(source)
    assert (account.role, account.source) == ("library", source)
    assert "https://wa.me/6281234567890?text=" in approved.page
    token = approved.link.rsplit("/", 1)[1]
    stored = sqlite3.connect(web_db_path(settings)).execute(
        "SELECT token_hash FROM password_links").fetchall()
    assert len(stored) == 1 and token not in stored[0][0], "only a hash is kept"

    visitor = app.test_client()
    assert login(visitor, source, NEW_PASSWORD).status_code == 401, "no password yet"
    path = approved.link[approved.link.index("/pojok/"):]
    shown = visitor.get(path)
    assert shown.status_code == 200 and source in shown.get_data(as_text=True)
    assert shown.headers["Referrer-Policy"] == "no-referrer"
    token_field = csrf_token(visitor, path)
    differ = visitor.post(path, data={"password": NEW_PASSWORD, "confirm": "something-else",
                                      "csrf_token": token_field})
    assert differ.status_code == 400 and "Kedua kata sandi berbeda." in differ.get_data(
        as_text=True)
    assert set_password(visitor, approved.link, NEW_PASSWORD).status_code == 302
    assert visitor.get(path).status_code == 410
    again = visitor.post(path, data={"password": "another-pass-1", "confirm": "another-pass-1",
                                     "csrf_token": csrf_token(visitor, "/masuk")})
    assert again.status_code == 410 and "sudah dipakai" in again.get_data(as_text=True)

    welcomed = login(visitor, source, NEW_PASSWORD)
    assert welcomed.status_code == 302 and welcomed.headers["Location"] == "/pojok/"
    assert login(app.test_client(), source, "another-pass-1").status_code == 401


def test_an_expired_or_replaced_link_sets_nothing(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    app = agency_app(settings)
    approved = approve(app, settings, register_corner(app, "TBM Pelangi"))
    with sqlite3.connect(web_db_path(settings)) as db:
        db.execute("UPDATE password_links SET expires='2000-01-01T00:00:00.000000Z'")
    path = approved.link[approved.link.index("/pojok/"):]
    expired = app.test_client().get(path)
    assert expired.status_code == 410 and "kedaluwarsa" in expired.get_data(as_text=True)

    admin = app.test_client()
    login(admin, "ani")
    source = approved.registration.source_id
    dashboard = admin.get("/dasbor/").get_data(as_text=True)
    assert f'action="/dasbor/pojok/{source}/tautan"' in dashboard
    token = csrf_token(admin, "/dasbor/")
    fresh = admin.post(f"/dasbor/pojok/{source}/tautan", data={"csrf_token": token})
    newer = fresh.get_data(as_text=True)
    assert fresh.status_code == 200
    newest = admin.post(f"/dasbor/pojok/{source}/tautan", data={"csrf_token": token})
    link = link_in(newest.get_data(as_text=True))
    older = link_in(newer)
    assert app.test_client().get(older[older.index("/pojok/"):]).status_code == 410, "replaced"
    assert set_password(app.test_client(), link, NEW_PASSWORD).status_code == 302
    assert login(app.test_client(), source, NEW_PASSWORD).status_code == 302
    assert app.test_client().get("/pojok/sandi/not-a-token").status_code == 410


def test_a_corner_reaches_only_its_own_pages(tmp_path: Path) -> None:
    settings, app, approved = _corner(tmp_path)
    other = approve(app, settings, register_corner(app, "TBM Lain"))
    source, other_source = approved.registration.source_id, other.registration.source_id
    assert set_password(app.test_client(), other.link, NEW_PASSWORD).status_code == 302
    theirs = _corner_client(app, other_source)
    assert _upload(theirs, SECOND_CSV).status_code == 200
    run_id = "a" * 22

    mine = _corner_client(app, source)
    for path in ("/dasbor/", "/dasbor/kirim/", "/dasbor/indikator", "/dasbor/perpustakaan"):
        assert mine.get(path).status_code == 403, path
    token = csrf_token(mine, "/pojok/")
    assert mine.post(f"/dasbor/pojok/{other_source}/tautan",
                     data={"csrf_token": token}).status_code == 403
    assert mine.post(f"/dasbor/sumber/{other_source}/panen",
                     data={"csrf_token": token}).status_code == 403
    assert mine.get(f"/pojok/impor/{run_id}").status_code == 404, "the other corner's run"
    assert mine.get(f"/impor/{run_id}.json").status_code == 404
    assert theirs.get(f"/impor/{run_id}.json").get_json()["status"] == "done"
    page = mine.get("/pojok/").get_data(as_text=True)
    assert "TBM Pelangi" in page and "TBM Lain" not in page

    admin = app.test_client()
    login(admin, "ani")
    assert admin.get("/pojok/").status_code == 403, "staff roles are not a corner"
    anonymous = app.test_client().get("/pojok/unggah")
    assert anonymous.status_code == 302 and "/masuk" in anonymous.headers["Location"]


def test_every_corner_form_needs_its_csrf_token(tmp_path: Path) -> None:
    settings, app, approved = _corner(tmp_path)
    source = approved.registration.source_id
    client = _corner_client(app, source)
    before = Catalogue(hosted_dir(settings) / f"{source}.sqlite3")
    count = before.count()
    before.close()
    stranger = app.test_client()
    foreign = csrf_token(stranger, "/masuk")
    for token in (None, "forged", foreign):
        data: dict[str, Any] = {"mode": "update",
                                "upload": (io.BytesIO(SECOND_CSV.encode()), "baru.csv")}
        if token:
            data["csrf_token"] = token
        refused = client.post("/pojok/unggah", content_type="multipart/form-data", data=data)
        assert refused.status_code == 400, token
        details = {"address": "x", "contact_name": "x", "email": "a@b.id",
                   "whatsapp": "081234567890", **({"csrf_token": token} if token else {})}
        assert client.post("/pojok/profil", data=details).status_code == 400
    with Catalogue(hosted_dir(settings) / f"{source}.sqlite3") as after:
        assert after.count() == count, "nothing imported"
    assert RegistrationStore.at(settings).find(source).address == "Desa Tumbang Samba"
    other = approve(app, settings, register_corner(app, "TBM Lain"))
    path = other.link[other.link.index("/pojok/"):]
    refused = app.test_client().post(path, data={"password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert refused.status_code == 400
    assert app.test_client().get(path).status_code == 200, "the link is still usable"


def test_uploads_update_in_place_or_replace_with_tombstones_and_are_harvested(
        tmp_path: Path) -> None:
    settings, app, approved = _corner(tmp_path)
    source = approved.registration.source_id
    client = _corner_client(app, source)
    with live_server(app) as server:
        web = {**settings.raw["web"], "base_url": server.url}
        reachable = dataclasses.replace(settings, raw={**settings.raw, "web": web})
        assert run_pending(reachable) == 1, "the approval's first harvest"
        store = RecordStore.at(settings)
        assert store.count(source) == 3

        report = _upload(client, SECOND_CSV)
        page = report.get_data(as_text=True)
        assert report.status_code == 200, page
        assert "4 rekaman diterima, 1 baris ditolak." in page
        assert "<tr><td>5</td><td>judul kosong" in page, "a refusal with its line"
        assert "<tr><td>6</td><td>tahun bukan angka" in page, "a warning, apart"
        assert "Ditambah 2, diubah 0, dihapus 0." in page, "c4 and c6"
        assert JobQueue.at(settings).latest(source).status == "queued", "no admin needed"
        assert run_pending(reachable) == 1
        assert store.count(source) == 5, "c1 kept: an update keeps what the file lacks"

        replaced = _upload(client, SECOND_CSV, mode="replace").get_data(as_text=True)
        assert "dihapus 1." in replaced, replaced
        assert run_pending(reachable) == 1
        deleted = {r.identifier for r in store.iter_records(source, include_deleted=True)
                   if r.deleted}
        store.close()
    assert [identifier.rsplit(":", 1)[1] for identifier in deleted] == ["c1"]
    catalogue = client.get("/pojok/").get_data(as_text=True)
    assert '<dd id="live-count">4</dd>' in catalogue, "c2, c3, c4, the one without a year"
    assert "Buku yang dihapus</dt><dd>1</dd>" in catalogue
    assert "dihapus 1." in catalogue, "the last import"
    assert "<tr><td>5</td><td>judul kosong" in catalogue, "its refused rows, with line"


def test_an_unreadable_upload_changes_nothing_and_says_why(tmp_path: Path) -> None:
    settings, app, approved = _corner(tmp_path)
    source = approved.registration.source_id
    client = _corner_client(app, source)
    answer = _upload(client, "nama,alamat\nx,y\n", mode="replace")
    assert "Berkas tidak dapat dibaca:" in answer.get_data(as_text=True)
    with Catalogue(hosted_dir(settings) / f"{source}.sqlite3") as catalogue:
        assert catalogue.count() == 3 and catalogue.count(include_deleted=True) == 3
    assert JobQueue.at(settings).latest(source).requested_by == "ani", "no harvest asked"


def test_a_corner_keeps_its_details_current(tmp_path: Path) -> None:
    settings, app, approved = _corner(tmp_path)
    source = approved.registration.source_id
    client = _corner_client(app, source)
    form = {"address": "Jl. Tjilik Riwut km 5", "opening_hours": "Senin–Sabtu 14.00–17.00",
            "contact_name": "Pak Budi", "email": "budi@contoh.id", "whatsapp": "0813 1111 2222",
            "latitude": "-1.8123", "longitude": "113.2456"}
    for wrong, message in (({"latitude": "40"}, "Lintang di Indonesia"),
                           ({"longitude": ""}, "Isi lintang dan bujur sekaligus"),
                           ({"whatsapp": "12"}, "0812 3456 7890")):
        token = csrf_token(client, "/pojok/profil")
        refused = client.post("/pojok/profil", data={**form, **wrong, "csrf_token": token})
        assert refused.status_code == 400 and message in refused.get_data(as_text=True)
    token = csrf_token(client, "/pojok/profil")
    saved = client.post("/pojok/profil", data={**form, "csrf_token": token},
                        follow_redirects=True)
    assert "Data Anda sudah disimpan." in saved.get_data(as_text=True)
    library = {s.id: s for s in load_sources(settings)}[source]
    assert (library.address, library.whatsapp, library.latitude, library.longitude) == (
        "Jl. Tjilik Riwut km 5", "6281311112222", -1.8123, 113.2456)
    identify = client.get(f"/tbm/{source}/oai?verb=Identify").get_data(as_text=True)
    assert "budi@contoh.id" in identify, "the hosted provider publishes the new details"


def test_files_made_before_corners_gain_their_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "web.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
                   "password_hash TEXT NOT NULL, created TEXT NOT NULL, last_login TEXT)")
        db.execute("INSERT INTO users VALUES ('ani', 'admin', 'x', '2026-01-01T00:00:00Z', "
                   "NULL)")
        db.execute("CREATE TABLE registrations (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                   "source_id TEXT NOT NULL UNIQUE, status TEXT NOT NULL DEFAULT 'pending', "
                   "kind TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, "
                   "district TEXT NOT NULL, address TEXT NOT NULL DEFAULT '', "
                   "contact_name TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '', "
                   "whatsapp TEXT NOT NULL DEFAULT '', opening_hours TEXT NOT NULL DEFAULT '', "
                   "base_url TEXT NOT NULL DEFAULT '', quirks TEXT NOT NULL DEFAULT 'generic', "
                   "report TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL, decided TEXT, "
                   "decided_by TEXT, note TEXT NOT NULL DEFAULT '')")
        db.execute("INSERT INTO registrations (source_id, kind, name, type, district, created) "
                   "VALUES ('tbm-lama', 'hosted', 'TBM Lama', 'taman-baca', 'Kabupaten Katingan', "
                   "'2026-01-01T00:00:00Z')")
    assert Accounts(path).get("ani").source is None
    old = RegistrationStore(path).find("tbm-lama")
    assert old is not None and old.latitude is None
    moved = RegistrationStore(path).update_details("tbm-lama", {"latitude": -1.5,
                                                                "longitude": 113.9})
    assert (moved.latitude, moved.longitude) == (-1.5, 113.9)


CENSUS_ROW = {"national_type": "taman-baca", "staff": "3", "librarians": "1", "members": "85",
              "visits_per_month": "240"}


def test_a_corner_enters_its_own_census_row(tmp_path: Path) -> None:
    settings, app, approved = _corner(tmp_path)
    source = approved.registration.source_id
    client = _corner_client(app, source)
    page = client.get("/pojok/sensus").get_data(as_text=True)
    assert "Data sensus kami" in page and 'href="/pojok/unggah"' in page
    token = csrf_token(client, "/pojok/sensus")
    refused = client.post("/pojok/sensus", data={**CENSUS_ROW, "librarians": "4",
                                                 "csrf_token": token})
    assert refused.status_code == 400
    assert "termasuk dalam seluruh staf" in refused.get_data(as_text=True)
    assert ProfileStore.at(settings).all() == {}, "a refused row stores nothing"
    assert client.post("/pojok/sensus", data=CENSUS_ROW).status_code == 400, "CSRF"
    saved = client.post("/pojok/sensus", data={**CENSUS_ROW, "csrf_token": token})
    assert saved.status_code == 302
    stored = ProfileStore.at(settings).all()[source]
    assert (stored.national_type, stored.staff, stored.members, stored.updated_by) == (
        "taman-baca", 3, 85, source)

    admin = app.test_client()
    login(admin, "ani")
    agency_page = admin.get(f"/dasbor/perpustakaan/{source}/sensus").get_data(as_text=True)
    assert f"Terakhir disimpan oleh {source}" in agency_page, "the agency sees who entered it"


def test_any_member_library_may_have_an_account_for_its_census_row_only(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path, sources=(
        '[[sources]]\nid = "kotim"\nname = "Perpustakaan Kabupaten Kotawaringin Timur"\n'
        'base_url = "http://127.0.0.1:9/oai"\n'))
    data = ["--data-dir", str(settings.data_dir), "--config", str(settings.path)]
    runner = CliRunner()
    unknown = runner.invoke(cli, ["users", "add", "kotim", "--role", "library", "--source",
                                  "nowhere", "--password-stdin", *data],
                            input=NEW_PASSWORD + "\n")
    assert unknown.exit_code != 0 and "no source 'nowhere'" in unknown.output
    made = runner.invoke(cli, ["users", "add", "kotim", "--role", "library", "--source",
                               "kotim", "--password-stdin", *data], input=NEW_PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    app = agency_app(settings)
    client = _corner_client(app, "kotim")
    landing = client.get("/pojok/")
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/pojok/sensus")
    page = client.get("/pojok/sensus").get_data(as_text=True)
    assert "Perpustakaan Kabupaten Kotawaringin Timur" in page
    assert 'href="/pojok/unggah"' not in page, "no hosted catalogue, no upload in the menu"
    assert client.get("/pojok/unggah").status_code == 404
    token = csrf_token(client, "/pojok/sensus")
    assert client.post("/pojok/sensus", data={**CENSUS_ROW, "national_type":
                                              "umum-kabupaten-kota", "csrf_token": token}
                       ).status_code == 302
    assert ProfileStore.at(settings).all()["kotim"].updated_by == "kotim"
