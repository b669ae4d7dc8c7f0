"""Controlled values (material type, copy status, language) and the synonyms people type.

Lookup keys ignore case, spaces and punctuation, so "E-Book", "ebook" and "e book" are one
key. Anything not listed is refused by the caller with a clear message, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
})

LANGUAGE_SYNONYMS = _table({
    "ind": ("id", "in", "indonesia", "bahasa indonesia", "indonesian", "bahasa"),
    "eng": ("en", "inggris", "bahasa inggris", "english"),
    "jav": ("jv", "jawa", "bahasa jawa", "javanese"),
    "sun": ("su", "sunda", "bahasa sunda", "sundanese"),
    "may": ("ms", "msa", "melayu", "bahasa melayu", "malay"),
    "ara": ("ar", "arab", "bahasa arab", "arabic"),
    "nij": ("ngaju", "dayak ngaju", "bahasa dayak ngaju"),
    "bjn": ("banjar", "bahasa banjar", "banjarese"),
    "chi": ("zh", "zho", "mandarin", "cina", "chinese"),
    "jpn": ("ja", "jepang", "japanese"),
    "kor": ("ko", "korea", "korean"),
    "dut": ("nl", "nld", "belanda", "dutch"),
    "fre": ("fr", "fra", "prancis", "perancis", "french"),
    "ger": ("de", "deu", "jerman", "german"),
})

def material_type(text: str) -> str | None:
    """The canonical material type for a typed value (empty means buku), else None."""
    return MATERIAL_SYNONYMS.get(vocab_key(text)) if text.strip() else "buku"


def copy_status(text: str) -> str | None:
    """The canonical copy status for a typed value (empty means tersedia), else None."""
    return STATUS_SYNONYMS.get(vocab_key(text)) if text.strip() else "tersedia"


def language(text: str) -> str | None:
    """An ISO 639-2/B code for a typed language (empty means ind), else None.

    Any other three-letter code is accepted as it is: the list above covers the names people
    type, not every language a library may hold.
    """
    if not text.strip():
        return "ind"
    key = vocab_key(text)
    return LANGUAGE_SYNONYMS.get(key) or (key if len(key) == 3 and key.isalpha() else None)


Lookup = Callable[[str], str | None]
Problem = Callable[[str], Message]
