"""Who may use a corner's pages, and how an approved corner gets its account.

An approved hosted registration gets a ``library`` account named after its source id
(``search_ui.accounts``), with a random password no one knows, and a one-time
set-password link (``search_ui.password_links``) that the approving admin passes on. Every
corner page is ``login_required("library")`` (no staff or admin role holds it) and shows
only the source written on the account: no page takes a source id from the URL, so no
corner can name another's. Any member library may also have a ``library`` account
(``jala users add NAME --role library --source ID``): without a hosted catalogue it has
only its census row.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app

from config.network import Source, load_sources
from config.registrations import Registration, RegistrationStore
from config.webdb import web_db_path
from search_ui.accounts import Accounts
from search_ui.auth import accounts, current_user
from search_ui.password_links import PasswordLinks
from search_ui.patron import shared_url


def password_links() -> PasswordLinks:
    """The app's set-password links."""
    settings = current_app.extensions["jala_settings"]
    hours = float(current_app.config["JALA_WEB"]["password_link_hours"])
    return PasswordLinks(web_db_path(settings), hours)


def set_password_url(registration: Registration) -> str:
    """A new one-time link for the corner's account (made now if it has none)."""
    store: Accounts = accounts()
    user = store.of_source(registration.source_id)
    if user is None:
        user = store.add(registration.source_id, secrets.token_urlsafe(32), "library",
                         registration.source_id)
    token = password_links().issue(user.name)
    return shared_url("corner.set_password", token=token)


def hosted_registration() -> Registration | None:
    """The approved hosted registration of the logged-in library account, if it has one."""
    user = current_user()
    if user is None or not user.source:
        return None
    registration = RegistrationStore.at(current_app.extensions["jala_settings"]).find(
        user.source)
    if registration is None or registration.kind != "hosted" \
            or registration.status != "approved":
        return None
    return registration


def my_registration() -> Registration:
    """The approved hosted registration of the logged-in corner (404 when it is gone)."""
    registration = hosted_registration()
    if registration is None:
        abort(404)
    return registration


def my_source() -> Source:
    """The network source of the logged-in library account (404 when it left the network)."""
    user = current_user()
    assert user is not None and user.source
    source = next((s for s in load_sources(current_app.extensions["jala_settings"])
                   if s.id == user.source), None)
    if source is None:
        abort(404)
    return source
