"""Known devices: a signed cookie a browser keeps after logging in, so that its owner
passes the limits a stranger's guesses put on the name or the address
(``search_ui.login_guard``).

The cookie ``jala_device`` (path ``/masuk`` only, HttpOnly, SameSite=Lax, Secure like the
session) holds a random device id and the names that logged in from it (the latest
``MOST_NAMES``), signed with ``[web] secret_key`` under its own salt and dated: it is
believed for ``[web] known_device_days``. It opens nothing by itself (the password is
still checked), and its own wrong passwords use up its own allowance.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, current_app, request, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE = "jala_device"
SALT = "jala-known-device"
MOST_NAMES = 5
DAY = 86400


def _serializer() -> URLSafeTimedSerializer:
    """Signs and dates the cookie with the app's secret key."""
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=SALT)


def _max_age() -> int:
    """Seconds a device stays known."""
    return int(current_app.config["JALA_WEB"]["known_device_days"]) * DAY


def _cookie() -> dict[str, Any]:
    """The cookie's content when it is genuine and young enough, else empty."""
    text = request.cookies.get(COOKIE)
    if not text:
        return {}
    try:
        data = _serializer().loads(text, max_age=_max_age())
    except BadData:
        return {}
    valid = isinstance(data, dict) and isinstance(data.get("id"), str) \
        and isinstance(data.get("names"), list)
    return data if valid else {}


def known_device(name: str) -> str:
    """The id of this browser's device when it has logged in as ``name`` before, else ``""``."""
    data = _cookie()
    return data["id"] if name in data.get("names", []) else ""


def remember_device(response: Response, name: str) -> None:
    """After a right password: this browser is a known device of ``name`` from now on."""
    data = _cookie()
    names = [name, *(other for other in data.get("names", []) if other != name)]
    value = {"id": data.get("id") or secrets.token_urlsafe(16), "names": names[:MOST_NAMES]}
    response.set_cookie(COOKIE, _serializer().dumps(value), max_age=_max_age(),
                        path=url_for("auth.login"), httponly=True, samesite="Lax",
                        secure=bool(current_app.config["JALA_WEB"]["secure_cookies"]))
