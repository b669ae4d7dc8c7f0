"""Helpers for the corner tests: a hosted corner registered through the real form and
approved on the real dashboard, and its one-time set-password link read from the page."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient

from config.registrations import Registration, RegistrationStore
from config.settings import Settings
from tests.search_ui.staff_support import add_user, csrf_token, login

LINK = re.compile(r'<code class="secret">(https?://[^<]+/pojok/sandi/[^<]+)</code>')
FIRST_CSV = ("id,judul,pengarang,tahun\n"
             "c1,Laskar Pelangi,Andrea Hirata,2005\n"
             "c2,Bumi Manusia,Pramoedya Ananta Toer,1980\n"
             "c3,Dongeng Dayak,Tjilik Riwut,2019\n")


def corner_form(name: str) -> dict[str, str]:
    """The registration form of a corner called ``name``."""
    return {"name": name, "type": "taman-baca", "district": "Kabupaten Katingan",
            "address": "Desa Tumbang Samba", "contact_name": "Ibu Sari",
            "email": "sari@contoh.id", "whatsapp": "0812-3456-7890",
            "opening_hours": "Setiap hari 15.00–18.00"}


def register_corner(app: Flask, name: str, csv_text: str = FIRST_CSV) -> Registration:
    """Send the registration form with an uploaded catalogue; return the pending registration."""
    client = app.test_client()
    token = csrf_token(client, "/daftar")
    answer = client.post("/daftar", content_type="multipart/form-data", data={
        **corner_form(name), "catalogue": "upload", "csrf_token": token,
        "upload": (io.BytesIO(csv_text.encode("utf-8")), "katalog.csv")})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    [registration] = [r for r in RegistrationStore.at(app.extensions["jala_settings"])
                      .by_status("pending") if r.name == name]
    return registration


@dataclass
class Approved:
    """A corner approved on the dashboard, and the page that showed its link."""

    registration: Registration
    link: str
    page: str


def approve(app: Flask, settings: Settings, registration: Registration,
            admin: FlaskClient | None = None) -> Approved:
    """Approve ``registration`` as admin ``ani`` (created when missing); read the link."""
    if admin is None:
        if not any(u.name == "ani" for u in app.extensions["jala_accounts"].all()):
            add_user(settings, "ani", "admin")
        admin = app.test_client()
        login(admin, "ani")
    token = csrf_token(admin, "/dasbor/")
    answer = admin.post(f"/dasbor/pendaftaran/{registration.id}/setujui",
                        data={"csrf_token": token})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200, page
    approved = RegistrationStore.at(settings).get(registration.id or 0)
    return Approved(approved, link_in(page), page)


def link_in(page: str) -> str:
    """The set-password link a dashboard page shows."""
    found = LINK.search(page)
    assert found, page
    return found.group(1)


def set_password(client: FlaskClient, link: str, password: str) -> object:
    """Open the link and send the password form (typed the same twice)."""
    path = link[link.index("/pojok/"):]
    token = csrf_token(client, path)
    return client.post(path, data={"password": password, "confirm": password,
                                   "csrf_token": token})
