"""Matching keys that make two libraries' records of one book compare equal.

Indonesian catalogues mix spellings from before and after the 1972 reform (EYD), so a key
maps both to the same string (``aggregator.indonesian.spelling_key``, shared with search);
its rare collisions between distinct words are absorbed by the other guards.

Names lose honorifics and degrees (Dr., H., Hj., Prof., Ir., S.Pd., M.A., ...), initials,
case, punctuation and diacritics; ``Surname, Given`` and ``Given Surname`` give the same
key because a name key is the sorted set of its words. Titles lose a subtitle after
``:`` (compared separately), leading articles and punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import orjson

from aggregator.indonesian import is_title_word, spelling_key
from aggregator.normalise.schema import NormalisedRecord

_NON_WORD = re.compile(r"[^a-z0-9]+")
_ARTICLES = {
    "": ("the", "a", "an"),
    "eng": ("the", "a", "an"),
    "nld": ("de", "het", "een"),
    "deu": ("der", "die", "das", "ein", "eine"),
    "fra": ("le", "la", "les", "l", "un", "une"),
}


@lru_cache(maxsize=20_000)
def fold(text: str) -> str:
    """Lower case, no diacritics, words separated by single spaces, nothing else."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", plain.replace("'", "").replace("’", "")).strip()


@lru_cache(maxsize=20_000)
def text_key(text: str) -> str:
    """Folded text with every word in its spelling key (cached: publishers, subtitles and
    subjects repeat across a catalogue)."""
    return " ".join(spelling_key(w) for w in fold(text).split())


@lru_cache(maxsize=20_000)
def name_words(name: str) -> frozenset[str]:
    """The significant words of a personal name (no titles, degrees or initials)."""
    parts = [p.strip() for p in name.split(",")]
    kept_parts = []
    for part in parts:
        tokens = [t for t in part.split() if not is_title_word(t)]
        if tokens:
            kept_parts.append(" ".join(tokens))
    words = {spelling_key(w) for w in fold(" ".join(kept_parts)).split()}
    significant = frozenset(w for w in words if len(w) > 1 and not w.isdigit())
    return significant or frozenset(words)


def name_key(name: str) -> str:
    """A name's words sorted: ``Toer, Pramoedya Ananta`` = ``Pramoedya Ananta Toer``."""
    return " ".join(sorted(name_words(name)))


def names_match(first: str, second: str) -> bool:
    """Same person: one name's words contain the other's (``A. Tohari`` ⊂ ``Ahmad Tohari``)."""
    a, b = name_words(first), name_words(second)
    return bool(a and b) and (a <= b or b <= a)


_SUBTITLE = re.compile(r"\s+:\s*|:\s+")


def title_remainder(title: str) -> str:
    """The subtitle inside a title field (``Judul : anak judul / pengarang``), if any."""
    parts = _SUBTITLE.split(title.split(" / ", 1)[0], maxsplit=1)
    return parts[1] if len(parts) == 2 else ""


@lru_cache(maxsize=20_000)
def title_key(title: str, language: str = "") -> str:
    """The main title (before ``:``) folded, respelled, leading article dropped."""
    main = _SUBTITLE.split(title.split(" / ", 1)[0], maxsplit=1)[0]
    words = text_key(main).split()
    articles = _ARTICLES.get(language, _ARTICLES[""])
    if len(words) > 1 and words[0] in articles:
        words = words[1:]
    return " ".join(words)


def subtitles_compatible(first: str, second: str) -> bool:
    """Different subtitles mean different books (``Jilid 1`` vs ``Jilid 2``); none is a wildcard."""
    return subtitle_keys_compatible(text_key(first), text_key(second))


def subtitle_keys_compatible(first: str, second: str) -> bool:
    """``subtitles_compatible`` for subtitles already keyed (``MatchView.subtitle``)."""
    return not first or not second or first.startswith(second) or second.startswith(first)


def first_author_key(creators: list[str], contributors: list[str]) -> str:
    """Key of the first creator, else of the first contributor, else empty."""
    for name in (*creators, *contributors):
        key = name_key(name)
        if key:
            return key
    return ""


_FAMILIES = {"referensi": "buku"}
"""Material types catalogued interchangeably; any other difference separates works."""


@dataclass(frozen=True)
class MatchView:
    """The parts of a record matching compares, computed once per record version."""

    title_key: str
    title_words: frozenset[str]
    subtitle: str
    authors: tuple[frozenset[str], ...]
    publisher: str
    year: int | None
    family: str
    isbns: frozenset[str]

    def to_json(self) -> str:
        """Compact form stored beside the record, so matching never parses whole records."""
        return orjson.dumps([self.title_key, self.subtitle, [sorted(a) for a in self.authors],
                             self.publisher, self.year, self.family, sorted(self.isbns)]
                            ).decode()

    @staticmethod
    @lru_cache(maxsize=20_000)
    def from_json(text: str) -> MatchView:
        """Rebuild from ``to_json`` output (cached: a title's records are read again and again)."""
        key, subtitle, authors, publisher, year, family, isbns = orjson.loads(text)
        return MatchView(key, frozenset(key.split()), subtitle,
                         tuple(frozenset(a) for a in authors), publisher, year, family,
                         frozenset(isbns))


def match_view(record: NormalisedRecord) -> MatchView:
    """Matching keys of a record: title key, subtitle (also one inside the title field),
    author word sets, publisher key, year, material family, ISBNs."""
    key = title_key(record.title, record.language)
    names = (name_words(n) for n in (*record.creators, *record.contributors))
    subtitle = text_key(record.subtitle or title_remainder(record.title))
    return MatchView(key, frozenset(key.split()), subtitle, tuple(w for w in names if w),
                     text_key(record.publisher), record.year,
                     _FAMILIES.get(record.material_type, record.material_type),
                     frozenset(record.isbns))


class Mapped(NamedTuple):
    """A normalised record as clustering takes it: its canonical form and its matching view
    as JSON, made where it was normalised (two strings cross a process boundary and go into
    the works database far cheaper than the objects)."""

    data: str
    match: str

    @classmethod
    def of(cls, record: NormalisedRecord) -> Mapped:
        """The record's stored form (``NormalisedRecord.to_dict``) and ``MatchView.to_json``."""
        return cls(orjson.dumps(record.to_dict()).decode(), match_view(record).to_json())
