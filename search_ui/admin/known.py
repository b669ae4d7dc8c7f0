"""The agency's list of the libraries it knows of (its own survey, Perpusnas's NPP list),
imported from CSV or XLSX, so the census can say which of them joined the network.

Columns (first row; Indonesian or English, case and punctuation ignored): ``nama`` /
``nama perpustakaan`` / ``name`` (required), ``jenis`` / ``type``, ``npp``,
``kabupaten/kota`` / ``district``, ``alamat`` / ``address``, ``narahubung`` / ``contact``,
``whatsapp`` / ``no hp`` / ``telepon`` / ``phone``, ``surel`` / ``email``. Other columns
(provinsi, kecamatan, ...) are ignored with a warning.

Nothing typed is lost: each value is stored as typed, and what the census derives from it
(the district's code, the national type, a checked NPP, a ``wa.me`` number) beside it; a
value it cannot use is a warning with its line. A row without a name is refused with its
line. A file that cannot be read, or has no row with a name, replaces nothing. The list is
table ``known_libraries`` of ``web.sqlite3``; an import replaces it whole, in one
transaction. The CSV/XLSX readers are the node adapter's intake (streamed, encodings,
zip-bomb and deadline guards). No Flask here.

Errors: ``node_adapter.intake.FileRejected`` (the file cannot be used; a bilingual message).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from pathlib import Path

from config.profiles import NATIONAL_TYPES, clean_npp, npp_problem
from config.province import Province
from config.settings import Settings
from config.sqlite import Transaction
from config.webdb import WebStore, insert_statement, opened
from node_adapter.intake import FileRejected
from node_adapter.intake.config import intake_options
from node_adapter.intake.csv_xlsx import read_csv, read_xlsx
from node_adapter.intake.importer import FileReport, detect_format
from node_adapter.intake.messages import Caution, Message, Rejection
from node_adapter.intake.template import header_key, header_mapper
from search_ui.config import WEB_DEFAULTS
from search_ui.patron.present import whatsapp_number
from search_ui.registration.hosting import refuse_zip_bomb

HEADERS = {
    "name": ("nama", "nama perpustakaan", "perpustakaan", "name", "library", "library name"),
    "type": ("jenis", "jenis perpustakaan", "type", "library type"),
    "npp": ("npp", "nomor pokok perpustakaan"),
    "district": ("kabupaten/kota", "kab/kota", "kabupaten", "kota", "district", "regency"),
    "address": ("alamat", "address"),
    "contact": ("narahubung", "kontak", "contact", "contact person"),
    "whatsapp": ("whatsapp", "wa", "no wa", "no hp", "hp", "telepon", "phone"),
    "email": ("surel", "email", "e-mail"),
}
READ_HEADERS = header_mapper(
    {header_key(name): field for field, names in HEADERS.items() for name in names}, "name",
    Message("tidak ada kolom nama perpustakaan (nama/name) di baris 1",
            "no library name column (nama/name) on line 1"))
TYPE_WORDS = (("provinsi", "umum-provinsi"), ("kecamatan", "umum-kecamatan"),
              ("desa", "umum-desa"), ("kelurahan", "umum-desa"),
              ("kabupaten", "umum-kabupaten-kota"), ("kota", "umum-kabupaten-kota"),
              ("sekolah", "sekolah"), ("madrasah", "sekolah"), ("perguruan", "perguruan-tinggi"),
              ("universitas", "perguruan-tinggi"), ("taman baca", "taman-baca"),
              ("tbm", "taman-baca"), ("ibadah", "rumah-ibadah"), ("masjid", "rumah-ibadah"),
              ("gereja", "rumah-ibadah"), ("khusus", "khusus"))
"""Words of a typed library type and the national type they mean, the first found wins."""
NPP_MESSAGES = {
    "npp_format": ("tidak berbentuk NPP 15 karakter", "is not a 15-character NPP"),
    "npp_province": ("milik provinsi lain", "belongs to another province"),
    "npp_district": ("milik kabupaten/kota lain", "belongs to another district"),
}
WHATSAPP_DIGITS = range(10, 16)
SCHEMA = """
CREATE TABLE IF NOT EXISTS known_libraries (
    line INTEGER NOT NULL,
    name TEXT NOT NULL,
    type_text TEXT NOT NULL, national_type TEXT NOT NULL,
    npp_text TEXT NOT NULL, npp TEXT NOT NULL,
    district_text TEXT NOT NULL, district_code TEXT NOT NULL,
    address TEXT NOT NULL, contact TEXT NOT NULL,
    whatsapp_text TEXT NOT NULL, whatsapp TEXT NOT NULL,
    email TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class KnownLibrary:
    """One row of the agency's list: what was typed, and what the census made of it."""

    line: int
    name: str
    type_text: str = ""
    national_type: str = ""
    npp_text: str = ""
    npp: str = ""
    district_text: str = ""
    district_code: str = ""
    address: str = ""
    contact: str = ""
    whatsapp_text: str = ""
    whatsapp: str = ""
    email: str = ""


COLUMNS = [f.name for f in fields(KnownLibrary)]


def national_type_of(text: str) -> str:
    """The national type a typed type means ("Perpustakaan Desa" → umum-desa), or ''."""
    folded = " ".join(text.casefold().replace("-", " ").split())
    if folded.replace(" ", "-") in NATIONAL_TYPES:
        return folded.replace(" ", "-")
    return next((code for word, code in TYPE_WORDS if word in folded), "")


def known_library(line: int, values: dict[str, str],
                  province: Province) -> tuple[KnownLibrary, list[Message]]:
    """One row as stored, and a warning for each value the census cannot use."""
    typed = {name: " ".join(values.get(name, "").split()) for name in HEADERS}
    problems: list[Message] = []
    district = province.find(typed["district"]) if typed["district"] else None
    if typed["district"] and district is None:
        problems.append(Message(f"kabupaten/kota {typed['district']!r} tidak ada di provinsi",
                                f"district {typed['district']!r} is not the province's"))
    national = national_type_of(typed["type"]) if typed["type"] else ""
    if typed["type"] and not national:
        problems.append(Message(f"jenis {typed['type']!r} tidak dikenal",
                                f"type {typed['type']!r} is unknown"))
    npp = clean_npp(typed["npp"])
    if npp and (problem := npp_problem(npp, province, district.code if district else "")):
        said_id, said_en = NPP_MESSAGES[problem]
        problems.append(Message(f"NPP {typed['npp']!r} {said_id}",
                                f"NPP {typed['npp']!r} {said_en}"))
        npp = ""
    number = whatsapp_number(typed["whatsapp"])
    if typed["whatsapp"] and len(number) not in WHATSAPP_DIGITS:
        problems.append(Message(f"nomor WhatsApp {typed['whatsapp']!r} tidak dapat dipakai",
                                f"WhatsApp number {typed['whatsapp']!r} cannot be used"))
        number = ""
    return KnownLibrary(
        line, typed["name"], typed["type"], national, typed["npp"], npp, typed["district"],
        district.code if district else "", typed["address"], typed["contact"],
        typed["whatsapp"], number, typed["email"]), problems


def read_known(path: Path, province: Province,
               settings: Settings) -> tuple[list[KnownLibrary], FileReport]:
    """Every row of an uploaded list with its report (FileRejected when none is usable),
    under the limits of a registration's upload (``[web] max_upload_mb``, ``[intake]``)."""
    report = FileReport(path)
    options = intake_options(settings)
    if detect_format(path) == "xlsx":
        refuse_zip_bomb(path, int(settings.section("web", WEB_DEFAULTS)["max_upload_mb"]))
        deadline = time.monotonic() + float(options["upload_seconds"])
        rows = read_xlsx(path, report.warnings, deadline, READ_HEADERS)
    else:
        rows = read_csv(path, report.warnings, options["legacy_encoding"], READ_HEADERS)
    known: list[KnownLibrary] = []
    for item in rows:
        if isinstance(item, Rejection):
            report.refuse(item)
            continue
        line, values = item
        if not values.get("name", "").strip():
            report.refuse(Rejection(line, (Message("tanpa nama perpustakaan",
                                                   "no library name"),)))
            continue
        library, problems = known_library(line, values, province)
        known.append(library)
        report.accepted += 1
        if problems:
            report.caution(Caution(line, tuple(problems)))
    if not known:
        raise FileRejected(Message(
            "tidak ada baris dengan nama perpustakaan (kolom nama/name); daftar lama tetap",
            "no row with a library name (column nama/name); the old list is kept"))
    return known, report


class KnownStore(WebStore):
    """The ``known_libraries`` table of ``web.sqlite3``."""

    def replace(self, libraries: list[KnownLibrary]) -> None:
        """Put a new list in place of the old one, all at once."""
        with opened(self.path, SCHEMA) as conn, Transaction(conn):
            conn.execute("DELETE FROM known_libraries")
            conn.executemany(insert_statement("known_libraries", COLUMNS),
                             [[getattr(k, c) for c in COLUMNS] for k in libraries])

    def all(self) -> list[KnownLibrary]:
        """The list in the file's order (empty while none was imported)."""
        if not self.path.exists():
            return []
        with opened(self.path, SCHEMA) as conn:
            rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM known_libraries "
                                "ORDER BY line").fetchall()
        return [KnownLibrary(**dict(row)) for row in rows]
