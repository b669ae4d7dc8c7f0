"""Staff accounts, login and logout, rate limits, roles, CSRF and cookie flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from config.registrations import Registration, RegistrationStore
from config.settings import Settings
from harvester.jobs import JobQueue
from jala.cli import cli
from search_ui.config import WEB_DEFAULTS
from tests.search_ui.staff_support import (
    PASSWORD,
    add_user,
    agency_app,
    agency_settings,
    csrf_token,
    login,
    with_staff,
)

SOURCE = ('[[sources]]\nid = "kota"\nname = "Perpustakaan Kota Uji"\n'
          'base_url = "http://127.0.0.1:9/oai"\n')


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """One configured source, an admin and a staff member, low rate limits."""
    return with_staff(agency_settings(tmp_path, SOURCE, login_failures_per_account=3,
                                      login_failures_per_address=5))


@pytest.fixture
def app(settings: Settings) -> Flask:
    """The app, CSRF on."""
    return agency_app(settings)


def test_login_opens_the_dashboard_and_logout_closes_it(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/dasbor/").headers["Location"].startswith("/masuk?next=/dasbor/")
    answer = login(client, "ani")
    assert answer.status_code == 302 and answer.headers["Location"] == "/dasbor/"
    page = client.get("/dasbor/")
    assert page.status_code == 200
    assert "Masuk sebagai ani (administrator)" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Frame-Options"] == "DENY"
    token = csrf_token(client, "/dasbor/")
    copied = client.get_cookie("session")
    assert copied is not None
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302
    assert client.get("/dasbor/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied.value)
    assert thief.get("/dasbor/").status_code == 302, "a cookie copied before logout is dead"


def test_login_follows_only_paths_on_this_site(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client, "/masuk")
    for target, expected in (("/dasbor/?x=1", "/dasbor/?x=1"), ("//evil.example/", "/dasbor/"),
                             ("https://evil.example/", "/dasbor/"), ("/\\evil", "/dasbor/"),
                             ("/\t/evil.example/", "/dasbor/"), ("https:evil.example", "/dasbor/"),
                             ("/\n/evil.example/", "/dasbor/"), ("dasbor", "/dasbor/")):
        answer = client.post("/masuk", query_string={"next": target},
                             data={"name": "budi", "password": PASSWORD, "csrf_token": token})
        assert answer.headers["Location"] == expected
        token = csrf_token(client, "/masuk")


@pytest.mark.parametrize("name, password", [("ani", "salah-sekali-ini"), ("nobody", PASSWORD),
                                            ("ani", ""), ("ANI ", PASSWORD + "x")])
def test_wrong_credentials_are_refused(app: Flask, name: str, password: str) -> None:
    client = app.test_client()
    answer = login(client, name, password)
    assert answer.status_code in (400, 401)
    if answer.status_code == 401:
        assert "Nama pengguna atau kata sandi salah." in answer.get_data(as_text=True)
    assert client.get("/dasbor/").status_code == 302


def test_names_are_case_insensitive_at_login(app: Flask) -> None:
    assert login(app.test_client(), " ANI ").status_code == 302


def test_failures_of_a_name_from_one_address_block_even_the_right_password(app: Flask) -> None:
    client = app.test_client()
    for n in range(3):
        assert login(client, "ani", f"salah-{n}-xxxxx").status_code == 401
    blocked = login(client, "ani")
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan gagal" in blocked.get_data(as_text=True)
    assert client.get("/dasbor/").status_code == 302
    assert login(client, "budi").status_code == 302, "other accounts are not affected"


def test_failures_per_address_block_every_account_from_it(app: Flask) -> None:
    client = app.test_client()
    for n in range(5):
        assert login(client, f"guess{n}", "whatever-xxxx",
                     REMOTE_ADDR="10.9.8.7").status_code == 401
    assert login(client, "budi", REMOTE_ADDR="10.9.8.7").status_code == 429
    assert login(client, "budi", REMOTE_ADDR="10.9.8.8").status_code == 302


def test_staff_may_look_and_ask_for_harvests_but_not_decide(app: Flask,
                                                            settings: Settings) -> None:
    RegistrationStore.at(settings).add(Registration("tbm-a", "oai", "TBM A", "taman-baca",
                                                    "Kabupaten Katingan"), set())
    client = app.test_client()
    login(client, "budi")
    page = client.get("/dasbor/").get_data(as_text=True)
    assert "Pendaftaran diputuskan oleh administrator." in page
    token = csrf_token(client, "/dasbor/")
    assert client.post("/dasbor/pendaftaran/1/setujui",
                       data={"csrf_token": token}).status_code == 403
    assert client.post("/dasbor/sumber/kota/panen", data={"csrf_token": token}).status_code == 302
    assert [job.source for job in JobQueue.at(settings).recent()] == ["kota"]


def test_posts_without_or_with_a_wrong_csrf_token_are_refused(app: Flask,
                                                              settings: Settings) -> None:
    client = app.test_client()
    refused = client.post("/masuk", data={"name": "ani", "password": PASSWORD})
    assert refused.status_code == 400
    assert "Muat ulang halaman" in refused.get_data(as_text=True)
    csrf_token(client, "/masuk")
    assert client.post("/masuk", data={"name": "ani", "password": PASSWORD,
                                       "csrf_token": "forged"}).status_code == 400
    login(client, "ani")
    RegistrationStore.at(settings).add(Registration("tbm-a", "oai", "TBM A", "taman-baca",
                                                    "Kabupaten Katingan"), set())
    for data in ({}, {"csrf_token": "forged"}):
        assert client.post("/dasbor/sumber/kota/panen", data=data).status_code == 400
        assert client.post("/dasbor/pendaftaran/1/setujui", data=data).status_code == 400
        assert client.post("/dasbor/pendaftaran/1/tolak", data=data).status_code == 400
        assert client.post("/keluar", data=data).status_code == 400
        assert client.post("/daftar", data=data).status_code == 400
    assert JobQueue.at(settings).recent() == []
    assert RegistrationStore.at(settings).get(1).status == "pending"
    assert client.get("/dasbor/").status_code == 200, "still logged in"
    other = agency_app(settings).test_client()
    stolen = csrf_token(client, "/dasbor/")
    login(other, "budi")
    assert other.post("/dasbor/sumber/kota/panen",
                      data={"csrf_token": stolen}).status_code == 400, "tokens are per session"


def test_session_cookie_flags(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path, secure_cookies=True)
    add_user(settings, "ani", "admin")
    client = agency_app(settings).test_client()
    token = csrf_token(client, "https://localhost/masuk")
    answer = client.post("https://localhost/masuk", headers={"Referer": "https://localhost/"},
                         data={"name": "ani", "password": PASSWORD, "csrf_token": token})
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert client.get("https://localhost/dasbor/").status_code == 200


def test_the_built_in_secret_key_is_refused_unless_demo(tmp_path: Path) -> None:
    default = WEB_DEFAULTS["secret_key"]
    refused = agency_app(agency_settings(tmp_path / "a", secret_key=default))
    assert refused.test_client().get("/masuk").status_code == 503
    assert refused.test_client().get("/daftar").status_code == 503
    assert refused.test_client().get("/").status_code == 200, "the patron site still runs"
    short = agency_app(agency_settings(tmp_path / "c", secret_key="rahasia"))
    assert short.test_client().get("/masuk").status_code == 503, "a guessable key"
    demo = agency_app(agency_settings(tmp_path / "b", secret_key=default, demo=True))
    assert demo.test_client().get("/masuk").status_code == 200


def test_users_command(tmp_path: Path) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path), "--config", str(tmp_path / "none.toml")]
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    made = runner.invoke(cli, ["users", "add", "sari", "--role", "admin", "--password-stdin",
                               *data], input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    short = runner.invoke(cli, ["users", "add", "joko", "--password-stdin", *data],
                          input="pendek\n")
    assert short.exit_code != 0 and "at least 10" in short.output
    twice = runner.invoke(cli, ["users", "add", "sari", "--password-stdin", *data],
                          input=PASSWORD + "\n")
    assert twice.exit_code != 0 and "exists" in twice.output
    listed = runner.invoke(cli, ["users", "list", *data])
    assert listed.output.startswith("sari\tadmin\t")
    assert runner.invoke(cli, ["users", "add", "--help"]).exit_code == 0
