"""Catalogues of reading corners that only upload a spreadsheet, published by the centre.

An upload is checked and imported by the node adapter's own intake
(``node_adapter.intake.importer.file_records``: untitled rows are refused, flawed fields
become warnings listed apart, a file that cannot be read at all, or whose import passes
``[intake] upload_seconds``, is refused) into ``<data_dir>/hosted/<source_id>.sqlite3``, the same
catalogue format a node uses. Once the registration is approved, ``/tbm/<source_id>/oai``
answers OAI-PMH from it with the node's ``Provider`` (one per catalogue, opened on first
use), and the harvester harvests it like any other source. Pending and rejected
registrations are not published; a rejected one's catalogue is deleted.

An XLSX is a zip archive: one of a few megabytes can unpack to gigabytes of sheet XML
(a "zip bomb") that would keep a request thread parsing for many minutes. So before the
intake opens it, the sizes its members declare (which ``zipfile`` enforces while reading)
may add up to at most ``UNPACKED_FACTOR`` times ``[web] max_upload_mb``.
"""

from __future__ import annotations

import dataclasses
import secrets
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app
from werkzeug.datastructures import FileStorage

from config.registrations import Registration, RegistrationStore, hosted_base_url
from config.settings import Settings
from config.webdb import web_db_path
from node_adapter.catalogue import Catalogue, UpsertSummary
from node_adapter.config import load_node_config
from node_adapter.intake import FileRejected
from node_adapter.intake.config import intake_options
from node_adapter.intake.csv_xlsx import row_estimate
from node_adapter.intake.importer import FileReport, file_records, told
from node_adapter.intake.messages import Message, Remark
from node_adapter.oai.provider import Provider
from node_adapter.oai.views import oai_response
from search_ui.config import WEB_DEFAULTS
from search_ui.import_runs import ImportRuns

bp = Blueprint("hosted", __name__)
HOSTED_DOMAIN = "tbm.jala-pustaka.id"
MAX_REPORTED = 50
UNPACKED_FACTOR = 20
"""Sheet XML compresses about ten times; twenty leaves room for honest workbooks."""


def hosted_dir(settings: Settings) -> Path:
    """Where hosted catalogues live."""
    folder = settings.data_dir / "hosted"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def saved_upload(settings: Settings, upload: FileStorage) -> Iterator[Path]:
    """The uploaded file saved under a random name (only its suffix kept), for a block."""
    suffix = Path(upload.filename or "").suffix.lower()
    with tempfile.TemporaryDirectory(dir=hosted_dir(settings)) as folder:
        path = Path(folder) / f"{secrets.token_hex(8)}{suffix}"
        upload.save(path)
        yield path


def upload_slots() -> threading.BoundedSemaphore:
    """The app's uploads-and-checks-in-progress counter (made on first use), shared by the
    registration form and the corners' uploads: ``[web] concurrent_registrations``."""
    size = int(current_app.config["JALA_WEB"]["concurrent_registrations"])
    return current_app.extensions.setdefault("jala_registration_slots",
                                             threading.BoundedSemaphore(size))


def import_upload(settings: Settings, upload: Path, target: Path | None = None, *,
                  replace: bool = False, tick: Callable[[FileReport], None] | None = None,
                  ) -> tuple[Path, FileReport, UpsertSummary]:
    """Import an uploaded file into ``target`` (a new catalogue when None); return its path,
    the file's report and what changed in the catalogue.

    ``replace`` tombstones the records of ``target`` the file no longer holds; ``tick`` is
    told the report after each record kept (progress). Raises ``FileRejected`` when the
    file cannot be read at all: a new catalogue is deleted, an existing one is unchanged.
    """
    if upload.suffix.lower() == ".xlsx":
        refuse_zip_bomb(upload, int(settings.section("web", WEB_DEFAULTS)["max_upload_mb"]))
    new = target is None
    target = target or hosted_dir(settings) / f"upload-{secrets.token_hex(8)}.sqlite3"
    report = FileReport(upload)
    options = intake_options(settings)
    deadline = time.monotonic() + float(options["upload_seconds"])
    records = file_records(upload, report, options, deadline)
    try:
        with Catalogue(target) as catalogue:
            summary = catalogue.upsert_many(told(records, tick and (lambda: tick(report))),
                                  replace=replace)
    except FileRejected:
        if new:
            discard(target)
        raise
    return target, report, summary


def import_with_progress(settings: Settings, upload: Path, run_id: str, *,
                         source: str | None = None, replace: bool = False, by: str = "",
                         ) -> tuple[Path, FileReport, UpsertSummary]:
    """``import_upload`` into ``source``'s catalogue (a new one without), recorded as run
    ``run_id`` of ``search_ui.import_runs`` so that its page can show how far it got."""
    runs = ImportRuns(web_db_path(settings))
    progress = runs.start(run_id, source, "replace" if replace else "update",
                          row_estimate(upload), by)
    target = hosted_dir(settings) / f"{source}.sqlite3" if source else None
    try:
        catalogue, report, summary = import_upload(settings, upload, target, replace=replace,
                                                   tick=progress.tell)
    except FileRejected as exc:
        runs.finish(run_id, "failed", {"failure": {"id": exc.message.id, "en": exc.message.en}},
                    {}, progress.read)
        raise
    runs.finish(run_id, "done", report_summary(report), dataclasses.asdict(summary),
                report.accepted + report.rejected)
    return catalogue, report, summary


def refuse_zip_bomb(upload: Path, max_upload_mb: int) -> None:
    """Refuse (``FileRejected``) a workbook whose members unpack to too many bytes."""
    limit_mb = max_upload_mb * UNPACKED_FACTOR
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: the intake says so in its own words
    if unpacked > limit_mb * 2**20:
        raise FileRejected(Message(
            f"isi berkas XLSX terlalu besar setelah dibuka ({unpacked // 2**20} MB; "
            f"paling besar {limit_mb} MB)",
            f"the XLSX file unpacks to too much data ({unpacked // 2**20} MB; "
            f"at most {limit_mb} MB)"))


def adopt(catalogue: Path, settings: Settings, source_id: str) -> None:
    """Give an imported catalogue its registration's name."""
    catalogue.rename(hosted_dir(settings) / f"{source_id}.sqlite3")


def discard(catalogue: Path) -> None:
    """Delete a catalogue file and its SQLite companions."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{catalogue}{suffix}").unlink(missing_ok=True)


def report_summary(report: FileReport) -> dict[str, object]:
    """What the registrant and the agency see of an import: counts and the first problems."""
    def listed(remarks: Sequence[Remark]) -> list[dict[str, object]]:
        """The first rows of one kind, each with its messages joined per language."""
        return [{"number": r.number, "id": "; ".join(m.id for m in r.reasons),
                 "en": "; ".join(m.en for m in r.reasons)} for r in remarks[:MAX_REPORTED]]

    return {"accepted": report.accepted, "rejected": report.rejected,
            "cautioned": report.cautioned, "merged": report.merged, "unit": report.unit,
            "rejections": listed(report.rejections), "cautions": listed(report.cautions),
            "warnings": [{"id": w.id, "en": w.en} for w in report.warnings]}


class HostedProviders:
    """One OAI provider per approved hosted catalogue, opened lazily, shared by threads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._providers: dict[str, Provider] = {}
        self._lock = threading.Lock()

    def get(self, registration: Registration) -> Provider:
        """The provider publishing ``registration``'s catalogue."""
        with self._lock:
            if registration.source_id not in self._providers:
                self._providers[registration.source_id] = self._open(registration)
            return self._providers[registration.source_id]

    def _open(self, reg: Registration) -> Provider:
        """Configure a provider as a node of this library would be."""
        database = hosted_dir(self.settings) / f"{reg.source_id}.sqlite3"
        if not database.exists():
            abort(404)
        config = load_node_config(Settings(data_dir=self.settings.data_dir), {
            "database": str(database), "repository_name": reg.name,
            "repository_identifier": f"{reg.source_id}.{HOSTED_DOMAIN}",
            "base_url": hosted_base_url(self.settings, reg.source_id),
            "library_type": reg.type, "district": reg.district, "address": reg.address,
            "whatsapp": reg.whatsapp, "opening_hours": reg.opening_hours,
            **({"admin_email": reg.email} if "@" in reg.email else {})})
        return Provider(Catalogue(database), config)

    def forget(self, source_id: str) -> None:
        """Drop a provider whose registration's details changed (the next request opens a
        new one; requests still using the old one finish with it)."""
        with self._lock:
            self._providers.pop(source_id, None)

    def close(self) -> None:
        """Close every open catalogue."""
        with self._lock:
            for provider in self._providers.values():
                provider.catalogue.close()
            self._providers.clear()


def init_hosting(app: Flask) -> None:
    """Serve approved hosted catalogues at ``/tbm/<source_id>/oai``."""
    app.extensions["jala_hosted"] = HostedProviders(app.extensions["jala_settings"])
    app.register_blueprint(bp)


@bp.route("/tbm/<source_id>/oai", methods=["GET", "POST"])
def endpoint(source_id: str) -> Response:
    """OAI-PMH for one hosted reading corner (404 unless approved)."""
    settings = current_app.extensions["jala_settings"]
    registration = RegistrationStore.at(settings).find(source_id)
    if registration is None or registration.kind != "hosted" \
            or registration.status != "approved":
        abort(404)
    return oai_response(current_app.extensions["jala_hosted"].get(registration))
