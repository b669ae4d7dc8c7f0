"""Stable local ids for rows that bring none: the same book gets the same id every import.

Rule (documented in docs/import.md): the first valid ISBN, as ISBN-13, gives
``isbn-<13 digits>`` (so an ISBN-10 and its ISBN-13 give one id); without an ISBN, the
folded title, first author and year give ``t-<16 hex digits of SHA-1>``. Folding removes
case, accents and punctuation, so retyping a title with other capitals keeps its id.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from biblio.isbn import to_isbn13

VALID_ID = re.compile(r"[A-Za-z0-9._:/-]{1,200}")
_WORDS = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, accent-free words separated by single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_WORDS.findall(plain.casefold()))


def derived_id(isbns: list[str], title: str, creators: list[str], year: int | None) -> str:
    """The id of a record that has none, from its ISBN or else its title, author and year."""
    for isbn in isbns:
        isbn13 = to_isbn13(isbn)
        if isbn13:
            return f"isbn-{isbn13}"
    key = "|".join((fold(title), fold(creators[0]) if creators else "", str(year or "")))
    return "t-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def book_key(title: str, subtitle: str = "") -> str:
    """What makes two records with one ISBN the same book: their folded title and subtitle."""
    return fold(f"{title} {subtitle}")
