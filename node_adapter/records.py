"""The bibliographic record a node publishes: shared by intake, the catalogue and formats.

Intake turns rows and MARC into ``BibRecord``; the catalogue stores them with timestamps
and tombstones; the OAI formats serialise them. Values are already cleaned (stripped,
ISBNs validated and hyphen-free); validation lives in intake, not here. Identifiers whose
checksum fails are kept aside in ``invalid_isbn``/``invalid_issn`` (MARC 020 $z / 022 $y):
shown to whoever reads the MARC, never matched on and never claimed in Dublin Core.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

MATERIAL_TYPES = (
    "buku", "e-book", "majalah", "surat-kabar", "skripsi", "tesis", "disertasi",
    "audio-visual", "peta", "referensi", "lainnya",
)
COPY_STATUSES = ("tersedia", "dipinjam", "dipesan", "dalam-proses", "rusak", "hilang",
                 "diperbaiki", "tidak-dipinjamkan")


@dataclass
class Copy:
    """One physical copy (eksemplar) held by the library.

    ``collection`` is the copy's own collection type where the library keeps one per copy
    (SLiMS does); ``due_date`` (ISO date) is when a copy on loan is due back."""

    barcode: str
    location: str = ""
    call_number: str = ""
    status: str = "tersedia"
    collection: str = ""
    due_date: str = ""
    status_known: str = ""
    """When the status was known, UTC ``YYYY-MM-DDThh:mm:ssZ``: patrons see how fresh it is.

    A writer that knows it (a sync reading the loan's time) sets it; left empty, the
    catalogue stamps the write that brings a new or changed status, and keeps the time
    of a status it already holds (so a re-import of the same file changes nothing)."""


@dataclass
class BibRecord:
    """One catalogue record with its copies, as the library describes it."""

    local_id: str
    title: str
    subtitle: str = ""
    responsibility: str = ""
    edition: str = ""
    creators: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    publisher: str = ""
    place: str = ""
    year: int | None = None
    isbn: list[str] = field(default_factory=list)
    issn: list[str] = field(default_factory=list)
    language: str = "ind"
    subjects: list[str] = field(default_factory=list)
    classification: str = ""
    call_number: str = ""
    material_type: str = "buku"
    collection: str = ""
    description: str = ""
    collation: str = ""
    series: str = ""
    digital_url: str = ""
    more_digital_urls: list[str] = field(default_factory=list)
    copies: list[Copy] = field(default_factory=list)
    invalid_isbn: list[str] = field(default_factory=list)
    invalid_issn: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON storage."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BibRecord:
        """Rebuild from ``to_dict`` output (unknown keys are an error, not silently lost)."""
        copies = [Copy(**c) for c in data.get("copies", [])]
        return cls(**{**data, "copies": copies})


@dataclass(frozen=True)
class CatalogueEntry:
    """A stored record: its content (None once deleted) and its UTC timestamps."""

    local_id: str
    record: BibRecord | None
    created: datetime
    updated: datetime

    @property
    def deleted(self) -> bool:
        """A tombstone keeps the id and the time of deletion, never the content."""
        return self.record is None
