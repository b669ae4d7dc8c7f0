"""The spreadsheet template: its columns, their Indonesian and English headers, examples.

Headers match whatever the case, spacing, punctuation or "(s)" ending, so "Pengarang",
"author(s)" and "AUTHORS" all find their column. The first header of each list is the one
the template files show. Unknown columns are ignored with a warning; a file without a
title column, or naming one column twice, is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from node_adapter.intake import FileRejected
from node_adapter.intake.messages import Message


@dataclass(frozen=True)
class Column:
    """One template column: the field it fills and the headers that name it."""

    field: str
    indonesian: tuple[str, ...]
    english: tuple[str, ...]
    help_id: str
    help_en: str


COLUMNS = (
    Column("local_id", ("id", "id lokal", "no induk buku"), ("local id", "record id"),
           "Id tetap cantuman; kosong: dibuat dari ISBN atau judul+pengarang+tahun",
           "Stable record id; empty: derived from ISBN or title+author+year"),
    Column("title", ("judul",), ("title",), "Wajib", "Required"),
    Column("subtitle", ("anak judul", "sub judul"), ("subtitle",), "", ""),
    Column("creators", ("pengarang", "penulis"), ("author", "authors", "creator"),
           "Beberapa dipisah dengan ;", "Several separated by ;"),
    Column("contributors", ("kontributor", "penyunting", "penerjemah"),
           ("contributor", "contributors", "editor", "translator"),
           "Beberapa dipisah dengan ;", "Several separated by ;"),
    Column("publisher", ("penerbit",), ("publisher",), "", ""),
    Column("place", ("kota terbit", "tempat terbit"), ("place", "place of publication"), "", ""),
    Column("year", ("tahun", "tahun terbit", "tanggal terbit"),
           ("year", "publication year", "publication date"),
           "Angka empat digit", "Four-digit number"),
    Column("isbn", ("isbn",), (), "ISBN-10 atau -13, beberapa dipisah dengan ;",
           "ISBN-10 or -13, several separated by ;"),
    Column("issn", ("issn",), (), "", ""),
    Column("language", ("bahasa",), ("language",), "Nama atau kode (ind, eng)",
           "Name or code (ind, eng)"),
    Column("subjects", ("subjek",), ("subject", "subjects"), "Beberapa dipisah dengan ;",
           "Several separated by ;"),
    Column("classification", ("klasifikasi", "no klasifikasi"), ("classification", "ddc"),
           "Nomor DDC", "DDC number"),
    Column("call_number", ("no panggil", "nomor panggil"), ("call number",), "", ""),
    Column("material_type", ("jenis", "jenis bahan"), ("material type", "type"),
           "buku, e-book, majalah, skripsi, audio-visual, ... (kosong: buku)",
           "buku, e-book, majalah, skripsi, audio-visual, ... (empty: buku)"),
    Column("collection", ("koleksi",), ("collection",), "", ""),
    Column("series", ("seri", "judul seri"), ("series", "series title"), "", ""),
    Column("description", ("deskripsi", "catatan"), ("description", "notes"), "", ""),
    Column("digital_url", ("url digital", "tautan digital"), ("digital url", "url"),
           "http:// atau https://", "http:// or https://"),
    Column("copies", ("eksemplar", "jumlah eksemplar"), ("copies", "number of copies"),
           "Jumlah eksemplar (jika tanpa kode eksemplar)", "Number of copies (without barcodes)"),
    Column("barcodes", ("kode eksemplar", "barcode", "no barcode"), ("barcodes", "copy barcode"),
           "Beberapa dipisah dengan ;", "Several separated by ;"),
    Column("location", ("lokasi",), ("location", "branch"), "", ""),
    Column("status", ("status",), ("copy status",),
           "tersedia, dipinjam, dipesan, dalam proses, rusak, hilang; satu atau satu per kode",
           "tersedia, dipinjam, ...; one, or one per barcode"),
)

EXAMPLE_ROWS = (
    {"local_id": "B0001", "title": "Laskar Pelangi", "creators": "Andrea Hirata",
     "publisher": "Bentang Pustaka", "place": "Yogyakarta", "year": "2005",
     "isbn": "979-3062-79-7", "language": "ind", "subjects": "Fiksi Indonesia; Pendidikan",
     "classification": "899.221 3", "call_number": "899.221 3 HIR l", "material_type": "buku",
     "collection": "Umum", "series": "Tetralogi Laskar Pelangi",
     "barcodes": "B0001-1; B0001-2", "location": "Ruang Baca Umum",
     "status": "tersedia; dipinjam"},
    {"local_id": "", "title": "Sejarah Kalimantan Tengah", "creators": "Tjilik Riwut",
     "publisher": "Pusakalima", "place": "Palangka Raya", "year": "2003",
     "language": "Indonesia", "subjects": "Kalimantan Tengah -- Sejarah",
     "classification": "959.83", "call_number": "959.83 RIW s", "material_type": "Buku",
     "collection": "Lokal Konten", "copies": "3", "location": "Deposit Daerah"},
    {"local_id": "EB-0001", "title": "Panduan Literasi Digital", "creators": "Tim Penyusun",
     "year": "2021", "material_type": "e-book", "language": "ind",
     "digital_url": "https://example.org/ebook/literasi-digital.pdf",
     "description": "Contoh cantuman buku elektronik tanpa eksemplar fisik"},
)

_HEADER_NOISE = re.compile(r"\(s\)|[^0-9a-z]+")


def header_key(text: str) -> str:
    """Fold a header to its lookup key ("Author(s)" -> "author", "No. Panggil" -> "nopanggil")."""
    return _HEADER_NOISE.sub("", text.replace("\ufeff", "").casefold())


HEADER_FIELDS = {header_key(name): column.field
                 for column in COLUMNS for name in (*column.indonesian, *column.english)}


def template_headers() -> list[str]:
    """The Indonesian headers written in the template files, in column order."""
    return [column.indonesian[0] for column in COLUMNS]


HeaderMap = tuple[list[str | None], list[Message]]
"""The field of each header position (None: ignored) and warnings for unknown headers."""


def header_mapper(known: dict[str, str], required: str,
                  missing: Message) -> Callable[[Sequence[str]], HeaderMap]:
    """A header reader for one kind of table: ``known`` maps folded headers to fields, and a
    table without the ``required`` field is refused with ``missing``."""

    def mapped(headers: Sequence[str]) -> HeaderMap:
        """Each header's field; trailing blank headers are dropped, so cells under them
        count as extra fields."""
        headers = list(headers)
        while headers and not headers[-1].strip():
            headers.pop()
        fields: list[str | None] = []
        warnings: list[Message] = []
        seen: dict[str, str] = {}
        for header in headers:
            field = known.get(header_key(header))
            if field is None:
                if header.strip():
                    warnings.append(Message(f"kolom {header!r} tidak dikenal, diabaikan",
                                            f"unknown column {header!r} ignored"))
            elif field in seen:
                raise FileRejected(Message(
                    f"kolom {seen[field]!r} dan {header!r} berarti sama",
                    f"columns {seen[field]!r} and {header!r} mean the same field"))
            else:
                seen[field] = header
            fields.append(field)
        if required not in seen:
            raise FileRejected(missing)
        return fields, warnings

    return mapped


map_headers = header_mapper(HEADER_FIELDS, "title", Message(
    "tidak ada kolom judul (judul/title) di baris 1", "no title column (judul/title) on line 1"))
"""The catalogue template's headers (Indonesian or English) to record fields."""
