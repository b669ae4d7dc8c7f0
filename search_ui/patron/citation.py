"""APA (7th edition) references for a work, as plain text and as HTML with the title in italics.

Indonesian names are usually given name first and often a single word, with honorifics
and degrees around them (“Dr. H. Abdul Wahid, M.A.”): those are dropped, the last word is
taken as the family name, and a single-word name is kept whole, as APA asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

from aggregator.indonesian import name_without_titles
from aggregator.model import Work

HONORIFICS = {"dr", "prof", "h", "hj", "ir", "drs", "dra", "kh", "k.h", "ust", "ustadz",
              "syaikh", "syekh", "habib", "raden", "rd"}
MAX_AUTHORS = 20


@dataclass(frozen=True)
class Citation:
    """A reference in two renderings: ``text`` to copy, ``html`` to show."""

    text: str
    html: Markup


def apa_name(name: str) -> str:
    """“Yaqut An-Nafis” → “An-Nafis, Y.”; “Wahid, Abdul” → “Wahid, A.”; one word stays."""
    parts = [p.strip() for p in name_without_titles(name).split(",") if p.strip()]
    if len(parts) >= 2:
        family, given = parts[0], " ".join(parts[1:])
    else:
        words = [w for w in " ".join(parts).split()
                 if w.lower().rstrip(".") not in HONORIFICS]
        if len(words) <= 1:
            return " ".join(words) or name.strip()
        family, given = words[-1], " ".join(words[:-1])
    initials = " ".join(f"{w[0].upper()}." for w in re.split(r"[\s-]+", given) if w)
    return f"{family}, {initials}" if initials else family


def _authors(creators: list[str]) -> str:
    """APA author list: “A”, “A, & B”, “A, B, & C” (at most 20)."""
    names = [apa_name(c) for c in creators[:MAX_AUTHORS] if c.strip()]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _end(text: str) -> str:
    """End an element with a full stop unless it already ends with punctuation."""
    return text if text.endswith((".", "?", "!")) else text + "."


def apa(work: Work) -> Citation:
    """The APA reference of a book-like work (no author: the title moves first)."""
    title = _end(work.title + (f": {work.subtitle}" if work.subtitle else ""))
    no_date = _("n.d.")
    year = f"({work.year or no_date})."
    authors = _authors(work.creators)
    elements: list[tuple[str, Markup | None]] = [(title, Markup("<i>%s</i>") % title)]
    if authors:
        elements.insert(0, (f"{_end(authors)} {year}", None))
    else:
        elements.append((year, None))
    if work.publisher:
        elements.append((_end(work.publisher), None))
    text = " ".join(plain for plain, _html in elements)
    html = Markup(" ").join(escape(plain) if rich is None else rich for plain, rich in elements)
    return Citation(text=text, html=html)
