"""The outreach page: the agency's list of known libraries imported, matched against the
network, and the libraries still to be reached with a WhatsApp invitation each.

``staff`` and ``admin`` read the page and its downloads; only ``admin`` replaces the list
(an import is logged in the decision log with the file's name and its row count).
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _

from config.province import load_province
from config.registrations import RegistrationStore
from node_adapter.intake import FileRejected
from node_adapter.intake.importer import FileReport
from node_adapter.intake.messages import Message
from search_ui.admin import bp
from search_ui.admin.census_views import current_census, table_file
from search_ui.admin.known import KnownLibrary, KnownStore, read_known
from search_ui.admin.labels import STATE_NAMES
from search_ui.admin.outreach import Outreach, outreach
from search_ui.admin.tables import outreach_table
from search_ui.auth import current_user, login_required
from search_ui.decisions import DecisionLog
from search_ui.patron import shared_url
from search_ui.registration.hosting import report_summary

UPLOAD_SUFFIXES = (".csv", ".xlsx", ".txt")


def _settings() -> Any:
    """The app's settings."""
    return current_app.extensions["jala_settings"]


def current_outreach() -> Outreach:
    """The known list matched against the network as the stores hold it now."""
    settings = _settings()
    pending = RegistrationStore.at(settings).by_status("pending", limit=100_000)
    return outreach(KnownStore.at(settings).all(), current_census(), pending)


def invitation(known: KnownLibrary) -> str:
    """A ``wa.me`` link with an invitation to join, prefilled in the reader's language."""
    if not known.whatsapp:
        return ""
    text = _("Hello %(library)s, this is the provincial library agency of %(province)s. We "
             "invite your library to join Jala Pustaka, the shared catalogue of the "
             "province's libraries, so that everyone can find your books. Registering "
             "takes a few minutes: %(url)s", library=known.name,
             province=load_province(_settings()).name,
             url=shared_url("registration.register"))
    return f"https://wa.me/{known.whatsapp}?" + urlencode({"text": text}, quote_via=quote)


def _page(report: FileReport | None = None, failure: Message | None = None,
          status: int = 200) -> tuple[str, int]:
    """The outreach page, with the report of an import just made (or its refusal)."""
    found = current_outreach()
    imports = [d for d in DecisionLog.at(_settings()).recent(200) if d.action == "known-import"]
    return render_template(
        "admin/outreach.html", outreach=found, table=outreach_table(found),
        states=STATE_NAMES, invitation=invitation, last_import=imports[0] if imports else None,
        report=report_summary(report) if report else None, failure=failure), status


@bp.get("/jangkauan")
@login_required("staff")
def outreach_page() -> tuple[str, int]:
    """Which known libraries joined, publish, are stale or were never reached."""
    return _page()


@bp.post("/jangkauan")
@login_required("admin")
def import_known() -> tuple[str, int]:
    """Replace the list of known libraries with an uploaded CSV or XLSX file."""
    upload = request.files.get("daftar")
    suffix = Path(upload.filename or "").suffix.lower() if upload else ""
    if upload is None or suffix not in UPLOAD_SUFFIXES:
        return _page(failure=Message("pilih berkas CSV atau XLSX",
                                     "choose a CSV or XLSX file"), status=400)
    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.data_dir) as folder:
        path = Path(folder) / f"{secrets.token_hex(8)}{suffix}"
        upload.save(path)
        try:
            known, report = read_known(path, load_province(settings), settings)
        except FileRejected as exc:
            return _page(failure=exc.message, status=422)
    KnownStore.at(settings).replace(known)
    user = current_user()
    assert user is not None
    DecisionLog.at(settings).record(user.name, "known-import", "",
                                    f"{upload.filename}: {len(known)}")
    return _page(report)


@bp.get("/jangkauan.<any(csv,xlsx):kind>")
@login_required("staff")
def export_outreach(kind: str) -> Response:
    """The known libraries with their state, as a file."""
    return table_file(outreach_table(current_outreach()), kind)
