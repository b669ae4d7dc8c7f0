"""Controlled values of the canonical record: ISO 639-3 languages and our material types.

Providers say "Indonesia", "id", "in", "Bahasa Indonesia" or "ind" for the same language,
and "Text", "Book", "Skripsi" or a MARC leader for the same kind of thing; facets need one
value each. The material types are the network's own vocabulary
(``node_adapter.records.MATERIAL_TYPES``, the shared model nodes publish in).
"""

from __future__ import annotations

import re

from node_adapter.records import MATERIAL_TYPES

UNDETERMINED = "und"
"""ISO 639-3 for a language nobody stated or we cannot name."""

_LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "ind": ("id", "in", "indonesia", "indonesian", "bahasa indonesia", "indonesisch"),
    "eng": ("en", "english", "inggris", "bahasa inggris", "englisch"),
    "msa": ("ms", "may", "malay", "melayu", "bahasa melayu"),
    "jav": ("jv", "jawa", "javanese", "bahasa jawa"),
    "sun": ("su", "sunda", "sundanese", "bahasa sunda"),
    "ara": ("ar", "arab", "arabic", "bahasa arab"),
    "nld": ("nl", "dut", "dutch", "belanda", "bahasa belanda", "nederlands"),
    "deu": ("de", "ger", "german", "jerman", "deutsch"),
    "fra": ("fr", "fre", "french", "perancis", "prancis", "français"),
    "zho": ("zh", "chi", "chinese", "cina", "mandarin", "tionghoa"),
    "jpn": ("ja", "japanese", "jepang"),
    "kor": ("ko", "korean", "korea"),
    "spa": ("es", "spanish", "spanyol"),
    "lat": ("la", "latin"),
    "min": ("minangkabau", "minang"),
    "ban": ("bali", "balinese"),
    "bug": ("bugis", "buginese"),
    "mad": ("madura", "madurese"),
    "bjn": ("banjar", "banjarese"),
    "nij": ("ngaju", "dayak ngaju"),
}
LANGUAGES: dict[str, str] = {
    alias: code for code, aliases in _LANGUAGE_NAMES.items() for alias in (code, *aliases)
}


def language_code(text: str) -> str:
    """ISO 639-3 code of a language name or ISO 639-1/2 code, ``und`` when unknown."""
    value = text.strip().lower()
    if not value:
        return UNDETERMINED
    if value in LANGUAGES:
        return LANGUAGES[value]
    primary = re.split(r"[-_;,/ ]", value, maxsplit=1)[0]  # en-US, id_ID, "ind; eng"
    if primary in LANGUAGES:
        return LANGUAGES[primary]
    return value if re.fullmatch(r"[a-z]{3}", value) else UNDETERMINED


_MATERIAL_WORDS: dict[str, tuple[str, ...]] = {
    "e-book": ("ebook", "e-book", "buku elektronik", "buku-elektronik", "electronic book",
               "elektronische ressource", "electronic resource"),
    "majalah": ("majalah", "magazine", "journal", "jurnal", "periodical", "serial",
                "terbitan berkala"),
    "surat-kabar": ("surat kabar", "surat-kabar", "koran", "newspaper"),
    "skripsi": ("skripsi", "bachelor thesis", "undergraduate thesis"),
    "tesis": ("tesis", "thesis", "master thesis", "masters thesis"),
    "disertasi": ("disertasi", "dissertation", "doctoral thesis", "phd thesis"),
    "audio-visual": ("audio-visual", "audiovisual", "audio", "video", "sound",
                     "moving image", "film", "cd", "dvd", "rekaman"),
    "peta": ("peta", "map", "atlas", "cartographic"),
    "referensi": ("referensi", "reference", "kamus", "ensiklopedia", "dictionary",
                  "encyclopedia"),
    "buku": ("buku", "book", "text", "teks", "monograph", "monografi", "printed book"),
    "lainnya": ("lainnya", "other", "image", "dataset", "software", "article", "artikel",
                "preprint", "working paper", "conference paper", "report", "laporan"),
}
_MATERIAL_BY_WORD: dict[str, str] = {
    word: kind for kind, words in _MATERIAL_WORDS.items() for word in words
}
MATERIALS: tuple[str, ...] = MATERIAL_TYPES
DEFAULT_MATERIAL = "buku"
"""What a record that names no kind most likely is, in a library network: a book."""


def material_type(words: list[str]) -> str | None:
    """Our material type for the first specific word (``Text`` only if nothing better)."""
    found = [_MATERIAL_BY_WORD.get(_type_word(w)) for w in words]
    specific = [kind for kind in found if kind and kind != "buku"]
    if specific:
        return specific[0]
    return "buku" if "buku" in found else None


def _type_word(text: str) -> str:
    """``info:eu-repo/semantics/doctoralThesis`` and ``Doctoral Thesis`` alike, lower-cased."""
    tail = text.strip().rsplit("/", 1)[-1]
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", tail)
    return re.sub(r"\s+", " ", spaced.replace("_", " ")).strip().lower()
