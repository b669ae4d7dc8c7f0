"""Helpers for the dashboard and registration tests: a central app on its own data
directory (empty index, real SQLite), logged-in clients, CSRF tokens read from the pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from aggregator.engine import open_engine
from config.settings import Settings, load_settings
from config.webdb import web_db_path
from search_ui.accounts import Accounts
from search_ui.app import create_app

PASSWORD = "kata-sandi-yang-panjang"
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def toml_value(value: Any) -> str:
    """A Python value written as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def agency_settings(folder: Path, sources: str = "", **web: Any) -> Settings:
    """Settings with a ``[web]`` section (a real secret key, plain-HTTP cookies unless
    overridden), optional ``[[sources]]`` text and an empty index under ``folder``."""
    values = {"secret_key": "a-test-key-that-is-not-the-default", "secure_cookies": False,
              **web}
    text = "[web]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in values.items())
    text += "\n[harvester]\nretries = 0\njitter_seconds = 0\n\n" + sources
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "jala.toml"
    config.write_text(text, encoding="utf-8")
    settings = load_settings(config, data_dir=folder / "data", environ={})
    engine = open_engine(settings, writer=True)
    engine.commit()
    engine.close()
    return settings


def agency_app(settings: Settings, **config: Any) -> Flask:
    """The central web app with CSRF protection on (as in production)."""
    return create_app({"SETTINGS": settings, **config})


def served_app(settings: Settings) -> Iterator[Flask]:
    """``agency_app`` for a fixture to yield from; its search service closed afterwards."""
    application = agency_app(settings)
    yield application
    application.extensions["search_service"].close()


def add_user(settings: Settings, name: str, role: str) -> None:
    """Create an account with the shared test password."""
    Accounts(web_db_path(settings)).add(name, PASSWORD, role)


def with_staff(settings: Settings) -> Settings:
    """``settings`` after creating the admin ``ani`` and the staff member ``budi``."""
    add_user(settings, "ani", "admin")
    add_user(settings, "budi", "staff")
    return settings


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path`` (the session gets one on the way)."""
    page = client.get(path)
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client: FlaskClient, name: str, password: str = PASSWORD,
          **environ: Any) -> Any:
    """Post the login form with a valid token; return the response."""
    token = csrf_token(client, "/masuk")
    return client.post("/masuk", data={"name": name, "password": password,
                                       "csrf_token": token}, environ_base=environ)


def log_in_page(page: Any, base_url: str, name: str, password: str = PASSWORD) -> None:
    """Log in through the real login page in a browser."""
    page.goto(base_url + "/masuk")
    page.get_by_label("Nama pengguna").fill(name)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def browser_login(page: Any, base_url: str, name: str) -> None:
    """Log an agency account in through a real browser and wait for the dashboard."""
    log_in_page(page, base_url, name)
    page.wait_for_url("**/dasbor/")
