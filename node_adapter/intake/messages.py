"""Bilingual messages for librarians: every problem said in Bahasa Indonesia and English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One problem, in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str

    def __str__(self) -> str:
        return f"{self.id} / {self.en}"


def unit_words(unit: str) -> tuple[str, str]:
    """What a position counts, in both languages: spreadsheet lines or MARC records."""
    return ("rekaman", "record") if unit == "record" else ("baris", "line")


@dataclass(frozen=True)
class Rejection:
    """A row (CSV/XLSX line) or record (MARC) that was not imported, and why."""

    number: int
    reasons: tuple[Message, ...]
    unit: str = "line"

    def __str__(self) -> str:
        unit_id, unit_en = unit_words(self.unit)
        text_id = "; ".join(reason.id for reason in self.reasons)
        text_en = "; ".join(reason.en for reason in self.reasons)
        return f"{unit_id} {self.number}: {text_id} / {unit_en} {self.number}: {text_en}"


def missing_title() -> Message:
    """A record without a title cannot be found by anyone."""
    return Message("judul kosong", "title is missing")


def bad_isbn(value: str) -> Message:
    """An ISBN whose checksum fails would merge unrelated books downstream."""
    return Message(f"ISBN tidak sah: {value!r} (digit pemeriksa salah)",
                   f"invalid ISBN: {value!r} (checksum fails)")


def bad_issn(value: str) -> Message:
    """Same rule as ISBN for serials."""
    return Message(f"ISSN tidak sah: {value!r}", f"invalid ISSN: {value!r}")


def bad_year(value: str) -> Message:
    """The year must be a four-digit number."""
    return Message(f"tahun bukan angka: {value!r}", f"year is not a number: {value!r}")


def year_out_of_range(year: int, low: int, high: int) -> Message:
    """A year outside printing history is a typing error."""
    return Message(f"tahun {year} di luar rentang {low}–{high}",
                   f"year {year} is outside {low}–{high}")


def unknown_material_type(value: str) -> Message:
    """Material types drive the OAI sets; an unknown one is refused, not guessed."""
    return Message(f"jenis bahan tidak dikenal: {value!r}", f"unknown material type: {value!r}")


def unknown_status(value: str) -> Message:
    """Copy statuses are a closed list that patrons see."""
    return Message(f"status eksemplar tidak dikenal: {value!r}", f"unknown copy status: {value!r}")


def unknown_language(value: str) -> Message:
    """Languages are stored as ISO 639-2 codes."""
    return Message(f"bahasa tidak dikenal: {value!r}", f"unknown language: {value!r}")


def bad_copy_count(value: str) -> Message:
    """The number of copies must be a whole number."""
    return Message(f"jumlah eksemplar tidak sah: {value!r}", f"invalid number of copies: {value!r}")


def status_count_mismatch(statuses: int, copies: int) -> Message:
    """Per-copy statuses must line up with the barcodes they describe."""
    return Message(f"{statuses} status untuk {copies} eksemplar",
                   f"{statuses} statuses for {copies} copies")


def bad_url(value: str) -> Message:
    """A digital URL must be a web address patrons can open."""
    return Message(f"URL digital tidak sah: {value!r}", f"invalid digital URL: {value!r}")


def field_count(found: int, expected: int) -> Message:
    """A ragged row cannot be matched to its columns safely."""
    if found > expected:
        return Message(f"terlalu banyak kolom ({found}, seharusnya {expected})",
                       f"too many fields ({found}, expected {expected})")
    return Message(f"kolom kurang ({found}, seharusnya {expected})",
                   f"too few fields ({found}, expected {expected})")


def unclosed_quote(first: int, last: int) -> Message:
    """An unbalanced quote swallows the lines after it into one field."""
    return Message(f"tanda kutip tidak tertutup (baris {first}–{last} terbaca sebagai satu)",
                   f"unclosed quote (lines {first}–{last} read as one row)")


def invalid_encoding() -> Message:
    """Bytes that are not text in the file's encoding would become garbage."""
    return Message("karakter tidak sah untuk pengodean berkas",
                   "invalid characters for the file's encoding")


def duplicate(key: str, first: int, unit: str) -> Message:
    """The first row with an id or ISBN wins; later ones are reported, not merged."""
    unit_id, unit_en = unit_words(unit)
    return Message(f"duplikat {key} (sudah ada di {unit_id} {first}; yang pertama dipakai)",
                   f"duplicate {key} (already in {unit_en} {first}; the first is kept)")


def malformed(detail: str) -> Message:
    """A record the parser could not read; the detail comes from the parser."""
    return Message(f"rekaman rusak: {detail}", f"malformed record: {detail}")


def bad_id(value: str) -> Message:
    """Local ids become part of OAI identifiers (URIs), so they stay plain."""
    return Message(f"id tidak sah: {value!r} (hanya huruf, angka dan . _ - : /)",
                   f"invalid id: {value!r} (only letters, digits and . _ - : /)")
