"""Every decision is logged (who, when, what, why) and shown on the dashboard; rejecting asks
for confirmation; ``jala users`` disables, enables, removes accounts and resets passwords,
and each of those ends the account's open logins at once."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from config.registrations import Registration, RegistrationStore
from config.settings import Settings
from jala.cli import cli
from search_ui.decisions import DecisionLog
from tests.search_ui.staff_support import (
    PASSWORD,
    agency_app,
    agency_settings,
    csrf_token,
    login,
    with_staff,
)

NEW_PASSWORD = "sandi-baru-yang-panjang"
SOURCE = ('[[sources]]\nid = "kota"\nname = "Perpustakaan Kota Uji"\n'
          'base_url = "http://127.0.0.1:9/oai"\nenabled = false\n')


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """One configured source, two pending registrations, an admin and a staff member."""
    configured = agency_settings(tmp_path, SOURCE)
    store = RegistrationStore.at(configured)
    for slug, name in (("tbm-a", "TBM Anggrek"), ("tbm-b", "TBM Bakung")):
        store.add(Registration(slug, "oai", name, "taman-baca", "Kabupaten Kapuas",
                               base_url="http://93.184.215.14/oai"), set())
    return with_staff(configured)


@pytest.fixture
def app(settings: Settings) -> Flask:
    """The app, CSRF on."""
    return agency_app(settings)


def _client(app: Flask, name: str) -> FlaskClient:
    """A logged-in client."""
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _decision_rows(page: str) -> list[list[str]]:
    """The dashboard's decision log as the officer reads it."""
    document = lxml.html.fromstring(page)
    return [[cell.text_content().strip() for cell in row.xpath("./th|./td")]
            for row in document.xpath('//table[@id="decisions"]/tbody/tr')]


def test_decisions_are_logged_and_shown_with_who_when_and_why(app: Flask,
                                                             settings: Settings) -> None:
    client = _client(app, "ani")
    token = csrf_token(client, "/dasbor/")
    first, second = RegistrationStore.at(settings).by_status("pending")
    assert client.post(f"/dasbor/pendaftaran/{first.id}/setujui",
                       data={"csrf_token": token}).status_code == 302
    assert client.post(f"/dasbor/pendaftaran/{second.id}/tolak",
                       data={"csrf_token": token, "note": "alamat OAI salah"}).status_code == 302
    assert client.post("/dasbor/kirim/kota/pushed", data={"csrf_token": token}).status_code == 302
    assert client.post("/dasbor/kirim/kota/kunci", data={"csrf_token": token}).status_code == 200
    logged = DecisionLog.at(settings).recent()
    assert [(d.actor, d.action, d.subject, d.note) for d in logged] == [
        ("ani", "push-key", "kota", ""), ("ani", "push-mode", "kota", "pushed"),
        ("ani", "reject", "tbm-b", "alamat OAI salah"), ("ani", "approve", "tbm-a", "")]
    rows = _decision_rows(client.get("/dasbor/").get_data(as_text=True))
    assert len(rows) == 4
    assert rows[2][1:] == ["ani", "menolak pendaftaran", "TBM Bakung (tbm-b)", "alamat OAI salah"]
    assert rows[3][0].endswith("WIB") and rows[3][2] == "menyetujui pendaftaran"


def test_rejecting_asks_for_confirmation_first(app: Flask, settings: Settings) -> None:
    client = _client(app, "ani")
    pending = RegistrationStore.at(settings).by_status("pending")[0]
    dashboard = client.get("/dasbor/").get_data(as_text=True)
    form = lxml.html.fromstring(dashboard).xpath(
        f'//form[contains(@action, "/pendaftaran/{pending.id}/")][.//button[.="Tolak"]]')[0]
    assert form.get("method") == "get", "the Reject button asks before deciding"
    asked = client.get(form.get("action"), query_string={"note": "bukan perpustakaan"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Tolak pendaftaran TBM Anggrek?" in page
    assert 'value="bukan perpustakaan"' in page
    assert RegistrationStore.at(settings).get(pending.id).status == "pending"
    token = csrf_token(client, form.get("action"))
    client.post(form.get("action"), data={"csrf_token": token, "note": "bukan perpustakaan"})
    assert RegistrationStore.at(settings).get(pending.id).status == "rejected"
    staff = _client(app, "budi")
    assert staff.get(form.get("action")).status_code == 403


def _users(settings: Settings, *args: str, stdin: str = "") -> tuple[int, str]:
    """Run ``jala users ...`` on the test's data directory."""
    config = settings.data_dir.parent / "jala.toml"
    result = CliRunner().invoke(cli, ["users", *args, "--data-dir", str(settings.data_dir),
                                      "--config", str(config)], input=stdin)
    return result.exit_code, result.output


def test_users_disable_enable_remove_and_reset_end_open_logins(app: Flask,
                                                              settings: Settings) -> None:
    budi = _client(app, "budi")
    assert budi.get("/dasbor/").status_code == 200
    assert _users(settings, "disable", "budi")[0] == 0
    assert budi.get("/dasbor/").status_code == 302, "an open login ends at once"
    refused = login(app.test_client(), "budi")
    assert refused.status_code == 403 and "dinonaktifkan" in refused.get_data(as_text=True)
    code, listed = _users(settings, "list")
    assert code == 0 and "budi\tstaff\t" in listed and listed.split("budi")[1].split(
        "\n")[0].endswith("\tdisabled")
    assert _users(settings, "enable", "budi")[0] == 0
    budi = _client(app, "budi")

    assert _users(settings, "reset-password", "budi", "--password-stdin",
                  stdin="pendek\n")[0] != 0, "a short password is refused"
    assert budi.get("/dasbor/").status_code == 200, "a refused reset changes nothing"
    assert _users(settings, "reset-password", "budi", "--password-stdin",
                  stdin=NEW_PASSWORD + "\n")[0] == 0
    assert budi.get("/dasbor/").status_code == 302
    assert login(app.test_client(), "budi", PASSWORD).status_code == 401
    budi = app.test_client()
    assert login(budi, "budi", NEW_PASSWORD).status_code == 302

    code, output = _users(settings, "remove", "budi", "--yes")
    assert code == 0 and "removed" in output
    assert budi.get("/dasbor/").status_code == 302
    assert login(app.test_client(), "budi", NEW_PASSWORD).status_code == 401
    code, output = _users(settings, "disable", "nobody")
    assert code != 0 and "no user" in output
    logged = DecisionLog.at(settings).recent()
    assert [d.action for d in logged] == ["remove-account", "reset-password",
                                          "enable-account", "disable-account"]
    assert {d.subject for d in logged} == {"budi"} and all(d.actor.startswith("cli:")
                                                           for d in logged)
    rows = _decision_rows(_client(app, "ani").get("/dasbor/").get_data(as_text=True))
    assert [r[2] for r in rows] == ["menghapus akun", "mengganti kata sandi",
                                    "mengaktifkan akun", "menonaktifkan akun"]
