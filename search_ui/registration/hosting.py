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

import secrets
import threading
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app

from config.registrations import Registration, RegistrationStore, hosted_base_url
from config.settings import Settings
from node_adapter.catalogue import Catalogue
from node_adapter.config import load_node_config
from node_adapter.intake import FileRejected
from node_adapter.intake.config import intake_options
from node_adapter.intake.importer import FileReport, file_records
from node_adapter.intake.messages import Message, Remark
from node_adapter.oai.provider import Provider
from node_adapter.oai.views import oai_response
from search_ui.config import WEB_DEFAULTS

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


def import_upload(settings: Settings, upload: Path) -> tuple[Path, FileReport]:
    """Import an uploaded file into a new catalogue; return its path and the file's report.

    Raises ``FileRejected`` (nothing kept) when the file cannot be read at all.
    """
    if upload.suffix.lower() == ".xlsx":
        refuse_zip_bomb(upload, int(settings.section("web", WEB_DEFAULTS)["max_upload_mb"]))
    target = hosted_dir(settings) / f"upload-{secrets.token_hex(8)}.sqlite3"
    report = FileReport(upload)
    options = intake_options(settings)
    deadline = time.monotonic() + float(options["upload_seconds"])
    try:
        with Catalogue(target) as catalogue:
            catalogue.upsert_many(file_records(upload, report, options, deadline))
    except FileRejected:
        discard(target)
        raise
    return target, report


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
