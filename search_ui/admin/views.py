"""Dashboard pages and actions; every action is a POST with a CSRF token.

``staff`` may look and ask for a harvest; only ``admin`` approves or rejects
registrations. An approval queues a first harvest of the new source at once; a hosted
corner's approval shows the one-time link its volunteer sets a password with
(``search_ui.corner.access``), a pushing node's approval switches its source to pushed
and shows its push key (``search_ui.push.keys``), each only this once.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from config.network import Source, load_sources
from config.province import load_province
from config.registrations import Registration, RegistrationError, RegistrationStore
from harvester import pushed
from harvester.jobs import JobQueue
from harvester.store import RecordStore
from node_adapter.catalogue import Catalogue
from node_adapter.records import BibRecord
from search_ui.admin import bp
from search_ui.admin.charts import GridRow, day_grid
from search_ui.admin.health import SourceHealth, recent_health
from search_ui.admin.indexing import indexing_notice
from search_ui.admin.status import network_status
from search_ui.admin.words import code_name
from search_ui.auth import current_user, login_required, protect
from search_ui.corner.access import set_password_url
from search_ui.decisions import NOTE_LIMIT, Decision, DecisionLog
from search_ui.push.keys import PushKeys
from search_ui.registration.hosting import discard, hosted_dir

protect(bp)
ANALYTICS_DAYS = 30
DECISIONS_SHOWN = 20
PREVIEW_RECORDS = 5
"""Records of an uploaded catalogue shown beside its registration before approval."""
SQLITE_MAX_INTEGER = 2 ** 63 - 1


def _settings() -> Any:
    """The app's settings."""
    return current_app.extensions["jala_settings"]


@bp.route("/")
@login_required("staff")
def dashboard() -> str:
    """The whole network on one page."""
    settings = _settings()
    sources = load_sources(settings)
    statuses, recent_runs = network_status(settings, sources)
    service = current_app.extensions["search_service"]
    query_log = service.query_log
    registrations = RegistrationStore.at(settings)
    decisions = DecisionLog.at(settings).recent(DECISIONS_SHOWN)
    zone = load_province(settings).timezone
    days, health = recent_health(settings, sources, zone)
    pending = registrations.by_status("pending")
    return render_template(
        "admin/dashboard.html", indexing=indexing_notice(zone),
        statuses=statuses, runs=recent_runs, decisions=decisions,
        health=health, health_chart=_health_chart(days, health),
        subjects=_subject_names(decisions, sources, registrations),
        pending=pending, previews={r.id: _preview(r) for r in pending if r.kind == "hosted"},
        jobs=JobQueue.at(settings).recent(10),
        stats=service.stats(), days=ANALYTICS_DAYS,
        summary=query_log.summary(ANALYTICS_DAYS) if query_log else None,
        top=query_log.top_queries(15, ANALYTICS_DAYS) if query_log else [],
        zero=query_log.zero_result_queries(15, ANALYTICS_DAYS) if query_log else [])


def _health_chart(days: list[date], health: list[SourceHealth]) -> Markup:
    """The grid of harvest outcomes per source and day."""
    rows = [GridRow(row.source.name, [(status, f"{row.source.name}, {format_date(day)}: "
                                                f"{code_name(status)}")
                                      for day, status in zip(days, row.days, strict=True)])
            for row in health]
    return day_grid("health-chart", _("Harvest health over %(n)s days", n=len(days)),
                    _("One row per source, one square per day, oldest on the left: green "
                      "complete, yellow partial or interrupted, red failed, grey no harvest."),
                    rows, format_date(days[0]), format_date(days[-1]))


def _preview(registration: Registration) -> list[BibRecord]:
    """The first records of a pending upload, for the admin to see before approving."""
    path = hosted_dir(_settings()) / f"{registration.source_id}.sqlite3"
    if not path.exists():
        return []
    with Catalogue(path) as catalogue:
        entries = [catalogue.get(row[1]) for row in
                   catalogue.page(prefix=None, limit=PREVIEW_RECORDS)]
    return [entry.record for entry in entries if entry and entry.record]


def _subject_names(decisions: list[Decision], sources: list[Source],
                   registrations: RegistrationStore) -> dict[str, str]:
    """How the log names each decision's subject: a library by name and id, else as is."""
    names = {source.id: source.name for source in sources}
    for decision in decisions:
        if decision.subject not in names and decision.action in ("approve", "reject"):
            found = registrations.find(decision.subject)
            names[decision.subject] = found.name if found else decision.subject
    return {subject: f"{name} ({subject})" for subject, name in names.items()}


def _pending(registration_id: int) -> Registration:
    """A registration still waiting for a decision: 404 when unknown, 409 when decided."""
    if registration_id > SQLITE_MAX_INTEGER:
        abort(404)
    try:
        registration = RegistrationStore.at(_settings()).get(registration_id)
    except RegistrationError:
        abort(404)
    if registration.status != "pending":
        abort(409)
    return registration


@bp.get("/pendaftaran/<int:registration_id>/tolak")
@login_required("admin")
def confirm_reject(registration_id: int) -> str:
    """Ask before a rejection: it is final, and a hosted catalogue is deleted with it."""
    return render_template("admin/confirm_reject.html", reg=_pending(registration_id),
                           note=request.args.get("note", "")[:NOTE_LIMIT])


@bp.route("/pendaftaran/<int:registration_id>/<any(setujui,tolak):decision>", methods=["POST"])
@login_required("admin")
def decide(registration_id: int, decision: str) -> Any:
    """Approve (and queue a first harvest) or reject a pending registration."""
    settings = _settings()
    user = current_user()
    assert user is not None
    if registration_id > SQLITE_MAX_INTEGER:
        abort(404)
    note = request.form.get("note", "").strip()[:NOTE_LIMIT]
    try:
        registration = RegistrationStore.at(settings).decide(
            registration_id, decision == "setujui", user.name, note)
    except RegistrationError:
        abort(409)
    DecisionLog.at(settings).record(
        user.name, "approve" if registration.status == "approved" else "reject",
        registration.source_id, note)
    if registration.status == "approved":
        current_app.extensions["search_service"].sources = load_sources(settings)
        if registration.kind == "push":
            return _approved_push(registration, user.name)
        JobQueue.at(settings).request(registration.source_id, user.name)
        if registration.kind == "hosted":
            return render_template("admin/approved.html", registration=registration,
                                   password_url=set_password_url(registration))
        flash(_("%(name)s is approved; its first harvest is queued.", name=registration.name))
    else:
        if registration.kind == "hosted":
            discard(hosted_dir(settings) / f"{registration.source_id}.sqlite3")
        flash(_("%(name)s is rejected.", name=registration.name))
    return redirect(url_for("admin.dashboard"))


def _approved_push(registration: Registration, by: str) -> str:
    """A node that pushes: its source switched to pushed, its key issued and shown once."""
    settings = _settings()
    store = RecordStore.at(settings)
    try:
        pushed.set_mode(store, registration.source_id, "pushed")
    finally:
        store.close()
    key = PushKeys.at(settings).issue(registration.source_id, by)
    return render_template("admin/approved.html", registration=registration, push_key=key)


@bp.post("/pojok/<source_id>/tautan")
@login_required("admin")
def new_password_link(source_id: str) -> str:
    """A new one-time set-password link for an approved corner (the old one ends)."""
    registration = RegistrationStore.at(_settings()).find(source_id)
    if registration is None or registration.kind != "hosted" \
            or registration.status != "approved":
        abort(404)
    return render_template("admin/approved.html", registration=registration,
                           password_url=set_password_url(registration))


@bp.route("/sumber/<source_id>/panen", methods=["POST"])
@login_required("staff")
def harvest_now(source_id: str) -> Any:
    """Ask the worker to harvest one source as soon as it polls."""
    settings = _settings()
    if source_id not in {source.id for source in load_sources(settings)}:
        abort(404)
    user = current_user()
    assert user is not None
    try:
        JobQueue.at(settings).request(source_id, user.name)
    except sqlite3.Error as exc:  # a full disk, most likely: said, not a 500
        flash(_("The harvest of %(source)s could not be queued: %(error)s",
                source=source_id, error=str(exc)))
    else:
        flash(_("A harvest of %(source)s is queued.", source=source_id))
    return redirect(url_for("admin.dashboard"))
