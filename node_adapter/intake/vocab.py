"""Controlled values (material type, copy status, language) and the synonyms people type.

Lookup keys ignore case, spaces and punctuation, so "E-Book", "ebook" and "e book" are one
key. Languages come from ``langcodes`` (IETF/ISO 639 codes and CLDR language names in
many languages, so "Indonesia", "Inggris", "Jawa" and "Javanese" all resolve), stored as
ISO 639-2/B codes. Anything not found is reported by the caller, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import langcodes

from node_adapter.intake.messages import Message

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def vocab_key(text: str) -> str:
    """Fold a typed value to the form the synonym tables are keyed by."""
    return _NOT_ALNUM.sub("", text.casefold())


def _table(synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Invert ``canonical -> synonyms`` into ``key -> canonical`` (canonical names included)."""
    table = {vocab_key(canonical): canonical for canonical in synonyms}
    for canonical, words in synonyms.items():
        table.update({vocab_key(word): canonical for word in words})
    return table


MATERIAL_SYNONYMS = _table({
    "buku": ("book", "books", "monograf", "monograph", "teks", "text", "buku teks"),
    "e-book": ("ebook", "buku elektronik", "buku digital", "electronic book", "digital book"),
    "majalah": ("magazine", "jurnal", "journal", "serial", "terbitan berkala", "periodical"),
    "surat-kabar": ("koran", "newspaper", "surat kabar harian"),
    "skripsi": ("undergraduate thesis", "tugas akhir"),
    "tesis": ("thesis", "masters thesis"),
    "disertasi": ("dissertation", "phd thesis"),
    "audio-visual": ("audiovisual", "av", "cd", "dvd", "cd/dvd", "vcd", "kaset", "cassette",
                     "video", "audio", "rekaman suara", "sound recording", "multimedia"),
    "peta": ("map", "atlas", "maps"),
    "referensi": ("reference", "kamus", "dictionary", "ensiklopedia", "encyclopedia"),
    "lainnya": ("other", "others", "lain lain"),
})

STATUS_SYNONYMS = _table({
    "tersedia": ("available", "ada", "di rak", "on shelf", "ok"),
    "dipinjam": ("on loan", "loaned", "borrowed", "checked out", "sedang dipinjam"),
    "dipesan": ("reserved", "on hold", "dipesan anggota"),
    "dalam-proses": ("dalam proses", "diproses", "processing", "in process", "in processing"),
    "rusak": ("damaged", "broken"),
    "hilang": ("lost", "missing"),
    "diperbaiki": ("repair", "in repair", "under repair", "dalam perbaikan", "perbaikan"),
    "tidak-dipinjamkan": ("no loan", "not for loan", "baca di tempat", "reference only"),
})


def material_type(text: str) -> str | None:
    """The canonical material type for a typed value (empty means buku), else None."""
    return MATERIAL_SYNONYMS.get(vocab_key(text)) if text.strip() else "buku"


def copy_status(text: str) -> str | None:
    """The canonical copy status for a typed value (empty means tersedia), else None."""
    return STATUS_SYNONYMS.get(vocab_key(text)) if text.strip() else "tersedia"


_BAHASA = re.compile(r"^bahasa\s+", re.IGNORECASE)
NAME_LANGUAGES = ("en", "id", None)
"""Whose names are tried, in order: English, Indonesian, then any (CLDR's "Mandarin" is
Chinese in English but Mandar in Indonesian data; librarians mean Chinese)."""
SEVERAL = {"bilingual", "dwibahasa", "multilingual", "multibahasa", "campuran"}
"""Words for more than one language: ISO 639's ``mul``, not a language named like them."""


def language(text: str) -> str | None:
    """An ISO 639-2/B code for a typed language (empty means ind), else None."""
    text = " ".join(text.split())
    return _language(text.casefold()) if text else "ind"


@lru_cache(maxsize=4096)
def _language(text: str) -> str | None:
    """A code (``id``, ``ind``), a name in any CLDR language, or its last word ("Dayak Ngaju")."""
    if text.isalpha() and len(text) in (2, 3) and langcodes.tag_is_valid(text):
        found = langcodes.get(text)
        if found.is_valid() and found.language not in (None, "und"):
            return found.to_alpha3(variant="B")
    name = _BAHASA.sub("", text)
    if name in SEVERAL:
        return "mul"
    for candidate in dict.fromkeys((name, name.rsplit(" ", 1)[-1])):
        for names_in in NAME_LANGUAGES:
            try:
                return langcodes.find(candidate, language=names_in).to_alpha3(variant="B")
            except LookupError:
                continue
    return None


Lookup = Callable[[str], str | None]
Problem = Callable[[str], Message]
