"""Dashboard page for pushing nodes: each source's mode, key, last push and pending changes.

``staff`` may look; only ``admin`` switches a source between pushed and harvested and
issues or revokes its key. A new key is shown once, on the page that issued it (never
stored in the session or the cookie); what is stored is its hash (``search_ui.push.keys``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from config.network import Source, load_sources
from harvester import pushed
from harvester.store import RecordStore
from search_ui.auth import current_user, login_required, protect
from search_ui.decisions import DecisionLog
from search_ui.push.keys import PushKeys

bp = Blueprint("push_admin", __name__, url_prefix="/dasbor/kirim")
protect(bp)


def _source(source_id: str) -> Source:
    """A known source, else 404."""
    for source in load_sources(current_app.extensions["jala_settings"]):
        if source.id == source_id:
            return source
    abort(404)


def _actor() -> str:
    """The logged-in admin's name (the views are behind ``login_required``)."""
    user = current_user()
    assert user is not None
    return user.name


def _page(new_key: tuple[Source, str] | None = None) -> str:
    """The page, with a just-issued key when there is one."""
    settings = current_app.extensions["jala_settings"]
    store = RecordStore.at(settings)
    try:
        rows = [(source, pushed.load(store, source.id)) for source in load_sources(settings)]
    finally:
        store.close()
    return render_template("push/admin.html", rows=rows, keys=PushKeys.at(settings).live(),
                           new_key=new_key)


@bp.get("/")
@login_required("staff")
def overview() -> str:
    """Every source with how it reaches the province."""
    return _page()


@bp.post("/<source_id>/kunci")
@login_required("admin")
def issue_key(source_id: str) -> str:
    """Issue a source's push key (revoking the old one) and show it this once."""
    source = _source(source_id)
    settings = current_app.extensions["jala_settings"]
    key = PushKeys.at(settings).issue(source.id, _actor())
    DecisionLog.at(settings).record(_actor(), "push-key", source.id)
    return _page((source, key))


@bp.post("/<source_id>/cabut")
@login_required("admin")
def revoke_key(source_id: str) -> Any:
    """Revoke a source's push key: its node can no longer write."""
    source = _source(source_id)
    settings = current_app.extensions["jala_settings"]
    if PushKeys.at(settings).revoke(source.id):
        DecisionLog.at(settings).record(_actor(), "push-revoke", source.id)
        flash(_("The push key of %(name)s is revoked.", name=source.name))
    return redirect(url_for("push_admin.overview"))


@bp.post("/<source_id>/<any(pushed,harvested):mode>")
@login_required("admin")
def switch(source_id: str, mode: str) -> Any:
    """Switch a source between pushed by its node and harvested by the province."""
    source = _source(source_id)
    settings = current_app.extensions["jala_settings"]
    store = RecordStore.at(settings)
    try:
        pushed.set_mode(store, source.id, mode)
    finally:
        store.close()
    DecisionLog.at(settings).record(_actor(), "push-mode", source.id, mode)
    flash(_("%(name)s is now pushed by its node.", name=source.name) if mode == "pushed"
          else _("%(name)s is now harvested by the province.", name=source.name))
    return redirect(url_for("push_admin.overview"))
