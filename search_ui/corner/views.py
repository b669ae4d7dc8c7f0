"""The corner's pages: its catalogue, a new spreadsheet and its report, its details, its census row.

An upload is imported into the corner's hosted catalogue by the registration's own code
(``hosting.import_with_progress``: update in place, or replace with tombstones for books no
longer in the file), while the page polls how far it got; a harvest of the source is then
queued (``harvester.jobs``), so the worker brings the province's search up to date without
anyone at the agency doing a thing. At most ``[web] concurrent_registrations`` uploads and
registration checks run at once (503 with ``Retry-After`` beyond).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from config.network import load_sources
from config.registrations import Registration, RegistrationStore
from config.webdb import web_db_path
from harvester.jobs import JobQueue
from node_adapter.catalogue import Catalogue
from node_adapter.intake import FileRejected
from search_ui.admin.census_views import edit_profile
from search_ui.auth import current_user, login_required, protect
from search_ui.corner import bp
from search_ui.corner.access import hosted_registration, my_registration, my_source
from search_ui.corner.forms import DetailsForm, UploadForm
from search_ui.import_runs import ImportRuns
from search_ui.patron.present import whatsapp_number
from search_ui.registration.hosting import (
    hosted_dir,
    import_with_progress,
    saved_upload,
    upload_slots,
)
from search_ui.registration.views import BUSY_RETRY_SECONDS, run_id_of

protect(bp)


def _settings() -> Any:
    """The app's settings."""
    return current_app.extensions["jala_settings"]


def _runs() -> ImportRuns:
    """The app's import runs."""
    return ImportRuns(web_db_path(_settings()))


@bp.context_processor
def corner_menu() -> dict[str, bool]:
    """Whether the menu offers the hosted catalogue's pages (a library without one has not)."""
    return {"hosted_corner": hosted_registration() is not None}


@bp.get("/")
@login_required("library")
def catalogue() -> Any:
    """My catalogue: counts, last change, the last import and the province's harvest."""
    if hosted_registration() is None:
        return redirect(url_for("corner.census"))
    registration = my_registration()
    with Catalogue(hosted_dir(_settings()) / f"{registration.source_id}.sqlite3") as books:
        live, everything, changed = books.count(), books.count(True), books.last_change()
    return render_template(
        "corner/catalogue.html", registration=registration, live=live,
        deleted=everything - live, changed=changed,
        last=_runs().last_of(registration.source_id),
        harvest=JobQueue.at(_settings()).latest(registration.source_id))


@bp.route("/unggah", methods=["GET", "POST"])
@login_required("library")
def upload() -> Any:
    """A new spreadsheet: imported into the catalogue, then harvested by the province."""
    registration = my_registration()
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("corner/upload.html", form=form, registration=registration), \
            400 if form.errors else 200
    slots = upload_slots()
    if not slots.acquire(blocking=False):
        return (render_template("corner/upload.html", form=form, registration=registration,
                                busy=True), 503, {"Retry-After": str(BUSY_RETRY_SECONDS)})
    try:
        return _import(form, registration)
    finally:
        slots.release()


def _import(form: UploadForm, registration: Registration) -> Any:
    """Import the file into the corner's catalogue; queue the harvest when it changed."""
    run_id = run_id_of(form.progress_id)
    user = current_user()
    assert user is not None
    with saved_upload(_settings(), form.upload.data) as upload:
        try:
            _catalogue, _report, changes = import_with_progress(
                _settings(), upload, run_id, source=registration.source_id,
                replace=form.mode.data == "replace", by=user.name)
        except FileRejected:
            return redirect(url_for("corner.report", run_id=run_id))
    if changes.added or changes.updated or changes.deleted:
        JobQueue.at(_settings()).request(registration.source_id, user.name)
    return redirect(url_for("corner.report", run_id=run_id))


@bp.get("/impor/<run_id>")
@login_required("library")
def report(run_id: str) -> str:
    """One import's report: rows refused with line and reason, warnings apart."""
    registration = my_registration()
    run = _runs().get(run_id)
    if run is None or run.source != registration.source_id:
        abort(404)
    return render_template("corner/report.html", registration=registration, run=run)


@bp.route("/profil", methods=["GET", "POST"])
@login_required("library")
def details() -> Any:
    """The corner's own address, hours, contact, WhatsApp and coordinates."""
    registration = my_registration()
    form = DetailsForm(obj=registration)
    if not form.validate_on_submit():
        return render_template("corner/details.html", form=form, registration=registration), \
            400 if form.errors else 200
    RegistrationStore.at(_settings()).update_details(registration.source_id, {
        "address": form.address.data.strip(),
        "opening_hours": (form.opening_hours.data or "").strip(),
        "contact_name": form.contact_name.data.strip(), "email": form.email.data.strip(),
        "whatsapp": whatsapp_number(form.whatsapp.data),
        "latitude": form.latitude.data, "longitude": form.longitude.data})
    current_app.extensions["jala_hosted"].forget(registration.source_id)
    current_app.extensions["search_service"].sources = load_sources(_settings())
    flash(_("Your details are saved."))
    return redirect(url_for("corner.details"))


@bp.route("/sensus", methods=["GET", "POST"])
@login_required("library")
def census() -> Any:
    """The library's own census row (type, NPP, staff, members, visits), as the agency sees it."""
    return edit_profile(my_source(), "corner/census.html", url_for("corner.census"))
