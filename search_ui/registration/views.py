"""``/daftar``: the registration form, its checks, and what the registrant is told.

An OAI-PMH address is checked at once (``probe``) and the registration is kept only when
the provider is usable; an upload is imported (``hosting.import_with_progress``: the page
polls ``/impor/<run_id>.json`` meanwhile) and kept when at least one row is valid, the
rejected rows listed for the registrant; a node that pushes (no reachable address) is
kept as it is, to get a push key on approval. Either way the
registration waits for an agency user (``pending``). Each complete form sent counts
against the client address (``[web] registrations_per_address`` per
``registration_window_seconds``); past that, 429 before any check or import is run. At
most ``concurrent_registrations`` are checked or imported at once: a further one gets 503
with ``Retry-After`` at once, so slow providers and big uploads never take every thread
and patron pages keep answering.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, jsonify, render_template
from flask_babel import get_locale

from config.network import load_sources
from config.registrations import Registration, RegistrationStore, slugify
from config.webdb import web_db_path
from node_adapter.intake import FileRejected
from node_adapter.intake.template_files import write_template
from search_ui.auth import current_user, protect
from search_ui.clients import client_address
from search_ui.import_runs import RUN_ID, ImportRuns
from search_ui.patron.present import whatsapp_number
from search_ui.registration import bp
from search_ui.registration.forms import RegistrationForm
from search_ui.registration.hosting import (
    adopt,
    discard,
    import_with_progress,
    report_summary,
    saved_upload,
    upload_slots,
)
from search_ui.registration.probe import probe
from search_ui.throttle import Limit, Throttle

protect(bp)
UNREACHABLE = ("TransportError:", "AddressRefused:", "UnsafeURL:")
"""How ``harvester.check`` words a problem that means the address could not be reached."""
BUSY_RETRY_SECONDS = 60


def _settings() -> Any:
    """The app's settings."""
    return current_app.extensions["jala_settings"]


def _registration(form: RegistrationForm, kind: str) -> Registration:
    """A pending registration from the form's fields."""
    return Registration(
        source_id=slugify(form.name.data), kind=kind, name=form.name.data.strip(),
        type=form.type.data, district=form.district.data.strip(),
        address=form.address.data.strip(), contact_name=form.contact_name.data.strip(),
        email=form.email.data.strip(), whatsapp=whatsapp_number(form.whatsapp.data),
        opening_hours=(form.opening_hours.data or "").strip(),
        base_url=(form.base_url.data or "").strip() if kind == "oai" else "")


def _store(registration: Registration) -> Registration:
    """Keep a registration under an id no configured source or other registration has."""
    taken = {source.id for source in load_sources(_settings())}
    return RegistrationStore.at(_settings()).add(registration, taken)


@bp.get("/daftar/templat.<any(csv,xlsx):suffix>")
def template(suffix: str) -> Any:
    """The catalogue template a corner fills in, as CSV or XLSX."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"templat-katalog-jala-pustaka.{suffix}"
        write_template(path)
        data = path.read_bytes()
    kind = "text/csv; charset=utf-8" if suffix == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, mimetype=kind, headers={
        "Content-Disposition": f"attachment; filename={path.name}"})


@bp.route("/daftar", methods=["GET", "POST"])
def register() -> Any:
    """Show the form; on a valid POST, check the catalogue and queue the registration."""
    form = RegistrationForm()
    if not form.validate_on_submit():
        return render_template("registration/form.html", form=form), \
            400 if form.errors else 200
    if _too_many_from_this_address():
        return render_template("registration/form.html", form=form, throttled=True), 429
    slots = upload_slots()
    if not slots.acquire(blocking=False):
        return (render_template("registration/form.html", form=form, busy=True), 503,
                {"Retry-After": str(BUSY_RETRY_SECONDS)})
    try:
        if form.catalogue.data == "oai":
            return _register_oai(form)
        if form.catalogue.data == "push":
            return _done(_store(_registration(form, "push")), check=None, upload=None)
        return _register_upload(form)
    finally:
        slots.release()


@bp.get("/impor/<run_id>.json")
def import_progress(run_id: str) -> Any:
    """How far an upload's import got (a corner's runs only for that corner's account)."""
    run = ImportRuns(web_db_path(_settings())).get(run_id)
    user = current_user()
    if run is None or (run.source is not None and (user is None or user.source != run.source)):
        abort(404)
    return jsonify(run.to_json())


def run_id_of(field: Any) -> str:
    """The progress id the form was shown with, or a new one (no script, or tampered)."""
    value = str(field.data or "")
    return value if RUN_ID.match(value) else secrets.token_urlsafe(16)


def _done(registration: Registration, **report: Any) -> str:
    """The thank-you page."""
    return render_template("registration/done.html", registration=registration, **report)


def _too_many_from_this_address() -> bool:
    """Count this registration against the client address; True when past the limit."""
    web = current_app.config["JALA_WEB"]
    limit = Limit("registration-address", int(web["registrations_per_address"]),
                  int(web["registration_window_seconds"]))
    throttle = Throttle(web_db_path(_settings()), current_app.config["JALA_CLOCK"])
    address = client_address()
    if throttle.reached(limit, address):
        return True
    throttle.record([(limit, address)])
    return False


def _register_oai(form: RegistrationForm) -> Any:
    """Check the provider; keep the registration only when it can be harvested."""
    registration = _registration(form, "oai")
    report = probe(registration.base_url, _settings(), current_app.config["JALA_WEB"])
    if not report.usable:
        unreachable = any(p.startswith(UNREACHABLE) for p in report.problems)
        return render_template("registration/form.html", form=form, check=report,
                               unreachable=unreachable), 422
    registration.report = {"check": report.to_dict()}
    registration.quirks = str(report.facts.get("suggested_quirks", "generic"))
    return _done(_store(registration), check=report, upload=None)


def _register_upload(form: RegistrationForm) -> Any:
    """Import the file; keep the registration when at least one row is valid."""
    with saved_upload(_settings(), form.upload.data) as upload:
        try:
            catalogue, report, _changes = import_with_progress(
                _settings(), upload, run_id_of(form.progress_id))
        except FileRejected as exc:
            failure = exc.message.en if str(get_locale()) == "en" else exc.message.id
            return render_template("registration/form.html", form=form,
                                   upload_failure=failure), 422
    summary = report_summary(report)
    if not report.accepted:
        discard(catalogue)
        return render_template("registration/form.html", form=form, upload=summary), 422
    registration = _registration(form, "hosted")
    registration.report = {"upload": summary}
    registration = _store(registration)
    adopt(catalogue, _settings(), registration.source_id)
    return _done(registration, check=None, upload=summary)
