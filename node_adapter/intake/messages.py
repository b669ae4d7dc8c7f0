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
class Remark:
    """Messages about one row (CSV/XLSX line) or record (MARC), at its position."""

    number: int
    reasons: tuple[Message, ...]
    unit: str = "line"

    def __str__(self) -> str:
        unit_id, unit_en = unit_words(self.unit)
        text_id = "; ".join(reason.id for reason in self.reasons)
        text_en = "; ".join(reason.en for reason in self.reasons)
        return f"{unit_id} {self.number}: {text_id} / {unit_en} {self.number}: {text_en}"


class Rejection(Remark):
    """A row or record that was not imported: it has no title or cannot be read."""


class Caution(Remark):
    """A row or record that was imported with a value set aside, dropped or cut."""


def missing_title() -> Message:
    """A record without a title cannot be found by anyone."""
    return Message("judul kosong", "title is missing")


def bad_isbn(value: str) -> Message:
    """An ISBN whose checksum fails would merge unrelated books: kept aside, never matched."""
    return Message(f"ISBN tidak sah: {value!r} (digit pemeriksa salah); disimpan terpisah "
                   "(MARC 020 $z), tidak dipakai untuk mencocokkan",
                   f"invalid ISBN: {value!r} (checksum fails); kept aside (MARC 020 $z), "
                   "not used for matching")


def bad_issn(value: str) -> Message:
    """Same rule as ISBN for serials."""
    return Message(f"ISSN tidak sah: {value!r}; disimpan terpisah (MARC 022 $y)",
                   f"invalid ISSN: {value!r}; kept aside (MARC 022 $y)")


def bad_year(value: str) -> Message:
    """The year must be a four-digit number; anything else is dropped, the book kept."""
    return Message(f"tahun bukan angka: {value!r}; tahun dikosongkan",
                   f"year is not a number: {value!r}; year left empty")


def year_out_of_range(year: int, low: int, high: int) -> Message:
    """A year outside printing history is a typing error."""
    return Message(f"tahun {year} di luar rentang {low}–{high}; tahun dikosongkan",
                   f"year {year} is outside {low}–{high}; year left empty")


def unknown_material_type(value: str) -> Message:
    """Material types drive the OAI sets; an unknown one becomes "lainnya", not a guess."""
    return Message(f"jenis bahan tidak dikenal: {value!r}; dicatat sebagai 'lainnya'",
                   f"unknown material type: {value!r}; recorded as 'lainnya' (other)")


def unknown_status(value: str) -> Message:
    """Copy statuses are a closed list that patrons see; an unknown one reads as empty."""
    return Message(f"status eksemplar tidak dikenal: {value!r}; dicatat 'tersedia'",
                   f"unknown copy status: {value!r}; recorded as 'tersedia' (available)")


def unknown_language(value: str) -> Message:
    """Languages are stored as ISO 639-2 codes; an unknown one is "und" (undetermined)."""
    return Message(f"bahasa tidak dikenal: {value!r}; dicatat 'und' (tidak ditentukan)",
                   f"unknown language: {value!r}; recorded as 'und' (undetermined)")


def bad_copy_count(value: str) -> Message:
    """The number of copies must be a whole number."""
    return Message(f"jumlah eksemplar tidak sah: {value!r}; tanpa eksemplar",
                   f"invalid number of copies: {value!r}; no copies recorded")


def status_count_mismatch(statuses: int, copies: int) -> Message:
    """Per-copy statuses must line up with the barcodes they describe."""
    return Message(f"{statuses} status untuk {copies} eksemplar; status diabaikan",
                   f"{statuses} statuses for {copies} copies; statuses ignored")


def bad_url(value: str) -> Message:
    """A digital URL must be a web address patrons can open."""
    return Message(f"URL digital tidak sah: {value!r}; dihapus",
                   f"invalid digital URL: {value!r}; dropped")


def too_long(field: str, length: int, limit: int) -> Message:
    """Over-long values are cut so one cell cannot swell every page that shows the book."""
    return Message(f"kolom {field} terlalu panjang ({length} karakter); dipotong menjadi {limit}",
                   f"field {field} is too long ({length} characters); cut to {limit}")


def issn_from_ean(value: str, issn: str) -> Message:
    """A serial's barcode in the ISBN column is the ISSN it carries, not an ISBN."""
    return Message(f"{value!r} adalah EAN terbitan berkala: dicatat sebagai ISSN {issn}",
                   f"{value!r} is a serial's EAN: recorded as ISSN {issn}")


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


def merged_duplicate(key: str, first: int, unit: str) -> Message:
    """The same book twice in one file is one record holding both rows' copies."""
    unit_id, unit_en = unit_words(unit)
    return Message(f"{key} sama dengan {unit_id} {first} dan judulnya sama: digabung, "
                   "eksemplarnya dijumlahkan",
                   f"{key} as in {unit_en} {first} with the same title: merged, copies combined")


def shared_isbn(isbn: str, first: int, unit: str) -> Message:
    """Volumes of a set share one ISBN: both are kept, neither is matched by it."""
    unit_id, unit_en = unit_words(unit)
    return Message(f"ISBN {isbn} juga dipakai {unit_id} {first} dengan judul lain: keduanya "
                   "disimpan (mis. jilid satu set)",
                   f"ISBN {isbn} is also on {unit_en} {first} with another title: both kept "
                   "(e.g. volumes of a set)")


def id_taken(local_id: str, first: int, given: str, unit: str) -> Message:
    """Two different books cannot share an id; the later one gets its own."""
    unit_id, unit_en = unit_words(unit)
    return Message(f"id {local_id!r} sudah dipakai {unit_id} {first} untuk judul lain; "
                   f"rekaman ini diberi id {given!r}",
                   f"id {local_id!r} is already used by {unit_en} {first} for another title; "
                   f"this record gets id {given!r}")


def malformed(detail: str) -> Message:
    """A record the parser could not read; the detail comes from the parser."""
    return Message(f"rekaman rusak: {detail}", f"malformed record: {detail}")


def bad_id(value: str) -> Message:
    """Local ids become part of OAI identifiers (URIs), so they stay plain."""
    return Message(f"id tidak sah: {value!r} (hanya huruf, angka dan . _ - : /); id dibuat "
                   "dari ISBN atau judul", f"invalid id: {value!r} (only letters, digits and "
                   ". _ - : /); an id is derived from the ISBN or title")
