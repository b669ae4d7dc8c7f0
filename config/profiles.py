"""What the agency records about each library for the national census (Perpusnas's data):
national library type, NPP, district code, coordinates, staff, members and visits.

The network registry (``config.network``) says where a catalogue is harvested; a profile
says what the IPLM counts about the library behind it. Profiles live in the ``profiles``
table of ``<data_dir>/web.sqlite3``, one row per source id, written by agency staff on the
dashboard; a library without a row is counted as "not reported" (never as zero).

No Flask here. Errors: ``ProfileError`` (a field the census cannot take: the field's name
and a problem code); storage errors are sqlite3's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from config.province import Province
from config.registrations import utc_now
from config.sqlite import Transaction
from config.webdb import WebStore, insert_statement, opened

NATIONAL_TYPES = ("umum-provinsi", "umum-kabupaten-kota", "umum-kecamatan", "umum-desa",
                  "sekolah", "perguruan-tinggi", "khusus", "taman-baca", "rumah-ibadah")
"""Library types of the national data (Perpusnas's census), in its order."""
FROM_REGISTRY_TYPE = {"provinsi": "umum-provinsi", "kabupaten": "umum-kabupaten-kota",
                      "kota": "umum-kabupaten-kota", "sekolah": "sekolah",
                      "perguruan-tinggi": "perguruan-tinggi", "taman-baca": "taman-baca"}
"""The national type a registry type (``config.network.LIBRARY_TYPES``) implies."""
NPP = re.compile(r"^(\d{2})(\d{2})(\d{3})([A-Z])(\d)(\d{6})$")
"""Nomor Pokok Perpustakaan: province, regency/city and kecamatan codes, type letter,
status digit and serial (``6372052C0000001``): 15 characters."""
LATITUDES = (-11.0, 6.5)
LONGITUDES = (94.0, 141.5)
"""Indonesia's extent: a coordinate outside it is a typing slip (or swapped)."""
COUNTS = ("staff", "librarians", "members", "visits_per_month")
PROBLEMS = {
    "type": "choose a library type",
    "district": "choose a district of the province",
    "npp_format": "an NPP has 15 characters, like 6271012D1000001",
    "npp_province": "this NPP belongs to another province",
    "npp_district": "this NPP belongs to another district",
    "number": "enter a whole number (or a decimal for coordinates)",
    "range": "the number is out of range",
    "pair": "give both latitude and longitude, or neither",
    "librarians": "librarians are counted among all staff",
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (
    source_id TEXT PRIMARY KEY,
    national_type TEXT NOT NULL,
    npp TEXT NOT NULL DEFAULT '',
    district_code TEXT NOT NULL DEFAULT '',
    latitude REAL, longitude REAL,
    staff INTEGER, librarians INTEGER, members INTEGER, visits_per_month INTEGER,
    updated TEXT NOT NULL, updated_by TEXT NOT NULL
);
"""


class ProfileError(ValueError):
    """A census field that cannot be stored: ``field`` names it, ``problem`` is a code from
    ``PROBLEMS`` (the UI says it in the reader's language)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {PROBLEMS[problem]}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class LibraryProfile:
    """One library's census row; ``None`` means "not reported"."""

    source_id: str
    national_type: str
    npp: str = ""
    district_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    staff: int | None = None
    librarians: int | None = None
    members: int | None = None
    visits_per_month: int | None = None
    updated: str = ""
    updated_by: str = ""


COLUMNS = [f.name for f in fields(LibraryProfile)]


def _number(form: dict[str, str], name: str, kind: type, low: float, high: float
            ) -> Any:
    """A form's optional number within [low, high], or None when left empty."""
    text = form.get(name, "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise ProfileError(name, "number") from None
    if not low <= value <= high:
        raise ProfileError(name, "range")
    return value


def clean_npp(text: str) -> str:
    """An NPP as typed, without the spaces, dots and dashes people put in, upper case."""
    return re.sub(r"[\s.-]", "", text).upper()


def npp_problem(npp: str, province: Province, district_code: str) -> str | None:
    """Why ``npp`` cannot be a library's of this province and district (a ``PROBLEMS``
    code), or None when it can."""
    match = NPP.match(npp)
    if not match:
        return "npp_format"
    if match.group(1) != province.code:
        return "npp_province"
    if district_code and match.group(1) + match.group(2) != district_code:
        return "npp_district"
    return None


def parse_profile(source_id: str, form: dict[str, str], province: Province,
                  by: str) -> LibraryProfile:
    """Check a submitted census row (every field optional but the type) and build it."""
    national_type = form.get("national_type", "")
    if national_type not in NATIONAL_TYPES:
        raise ProfileError("national_type", "type")
    district_code = form.get("district_code", "").strip()
    if district_code and province.by_code(district_code) is None:
        raise ProfileError("district_code", "district")
    npp = clean_npp(form.get("npp", ""))
    if npp and (problem := npp_problem(npp, province, district_code)):
        raise ProfileError("npp", problem)
    latitude = _number(form, "latitude", float, *LATITUDES)
    longitude = _number(form, "longitude", float, *LONGITUDES)
    if (latitude is None) != (longitude is None):
        raise ProfileError("latitude", "pair")
    counts = {name: _number(form, name, int, 0, 10_000_000) for name in COUNTS}
    if None not in (counts["staff"], counts["librarians"]) \
            and counts["librarians"] > counts["staff"]:
        raise ProfileError("librarians", "librarians")
    return LibraryProfile(source_id, national_type, npp, district_code, latitude, longitude,
                          **counts, updated=utc_now(), updated_by=by)


class ProfileStore(WebStore):
    """The ``profiles`` table of ``web.sqlite3``."""

    def save(self, profile: LibraryProfile) -> None:
        """Store (or replace) one library's row."""
        with opened(self.path, SCHEMA) as conn, Transaction(conn):
            conn.execute(insert_statement("profiles", COLUMNS, "INSERT OR REPLACE"),
                         [getattr(profile, c) for c in COLUMNS])

    def all(self) -> dict[str, LibraryProfile]:
        """Every stored row by source id (none while the file does not exist)."""
        if not self.path.exists():
            return {}
        with opened(self.path, SCHEMA) as conn:
            rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM profiles").fetchall()
        return {row["source_id"]: LibraryProfile(**dict(row)) for row in rows}
