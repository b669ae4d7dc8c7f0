"""Indonesian text rules shared by record matching, search and display.

Old and new spelling: catalogues mix spellings from before and after the 1972 reform
(EYD). ``spelling_key`` applies, to folded text and in this order, ``oe``→``u``,
``tj``→``c``, ``dj``→``j``, ``ch``→``kh``, then every ``j``→``y``. The last rule is the
trick: old ``j`` is new ``y`` while new ``j`` is old ``dj``, so ``j`` and ``y`` cannot be
told apart by spelling alone; collapsing them sends both spellings of every word to one
key (``djalan``/``jalan`` → ``yalan``, ``jang``/``yang`` → ``yang``) at the price of rare
collisions between distinct words. Old ``nj``/``sj`` become ``ny``/``sy`` through the same
rule, and modern ``nj`` (``menjadi``, old ``mendjadi``) still meets its old spelling. Keys
are for comparing, never for showing.

Names carry honorifics and degrees around them (``Prof. Dr. H. Abdul Wahid, M.Pd.``);
exports often break a degree at its dot or comma (``Dewanto, S,Pd,``), so a degree can
arrive as separate comma-separated pieces (``S``, ``Pd``) that are not authors.
"""

from __future__ import annotations

import re
from functools import lru_cache

SPELLING_RULES = (("oe", "u"), ("tj", "c"), ("dj", "j"), ("ch", "kh"), ("j", "y"))
HONORIFICS = frozenset({
    "dr", "drs", "dra", "prof", "ir", "h", "hj", "haji", "hajjah", "kh", "k.h", "tgk",
    "ust", "ustadz", "ustaz", "ny", "tn", "sdr", "r", "rm", "ra", "raden", "mr", "mrs", "ms",
    "dr.-ing", "drg", "dipl.-ing",
})
DEGREES = frozenset({
    "s.pd", "s.pd.i", "m.pd", "m.pd.i", "s.e", "m.e", "s.h", "m.h", "s.si", "m.si", "s.sos",
    "m.sos", "s.ag", "m.ag", "s.ip", "m.ip", "s.kom", "m.kom", "s.t", "m.t", "s.s", "m.hum",
    "s.psi", "m.psi", "s.kep", "s.ked", "m.kes", "s.km", "s.fil", "s.hum", "s.sn", "m.sn",
    "s.th", "m.th", "s.p", "m.p", "s.pt", "s.hut", "m.m", "m.a", "m.sc", "b.a", "b.sc",
    "ph.d", "phd", "lc", "ma", "mba", "msc", "llm", "dea", "sp.a", "sp.og", "sp.pd", "m.b.a",
    "dr.phil", "akt", "cpa", "apt", "se", "sh", "spd", "mpd", "msi", "ssos", "skom",
    "m.s", "m.s.e", "m.ak", "s.ak", "m.eng", "s.farm", "m.farm", "s.gz", "s.ikom", "m.ikom",
    "s.hi", "m.hi", "s.sy", "m.sy", "s.tr", "a.md", "amd", "dipl.ing", "rer.nat", "cht",
})
_DEGREE_LETTERS = frozenset(d.replace(".", "") for d in DEGREES)
"""Degrees with their dots removed: ``S,Pd`` and ``S.Pd`` and ``SPd`` all read ``spd``."""
_PIECE = re.compile(r"[\s.]+")


@lru_cache(maxsize=50_000)
def spelling_key(word: str) -> str:
    """One key for the old (Van Ophuijsen/Soewandi) and the EYD spelling of a folded word."""
    for old, new in SPELLING_RULES:
        word = word.replace(old, new)
    return word


def is_title_word(token: str) -> bool:
    """An honorific or degree, however dotted (``Prof.Dr.``, ``S.Pd.``, ``M.A``)."""
    bare = token.casefold().strip(".,()")
    if bare in HONORIFICS or bare in DEGREES:
        return True
    pieces = [p for p in bare.split(".") if p]
    if len(pieces) > 1 and ".".join(pieces) in DEGREES:
        return True
    return len(pieces) > 1 and all(p in HONORIFICS for p in pieces)


def is_degree(piece: str) -> bool:
    """A comma-separated piece of a name that is a degree (``M.Pd.``, ``S.T``, ``Ph.D.``)."""
    letters = _PIECE.sub("", piece.casefold()).strip(",()")
    return bool(letters) and letters in _DEGREE_LETTERS


def degree_run(pieces: list[str], start: int) -> int:
    """How many pieces from ``start`` spell a degree together (``S`` + ``Pd`` → 2), or 0."""
    for length in (1, 2, 3):
        run = pieces[start:start + length]
        if len(run) == length and is_degree("".join(run)):
            return length
    return 0


def merge_degree_pieces(pieces: list[str]) -> list[str]:
    """Names from comma-split pieces, each degree piece rejoined to the name before it.

    ``["Muhammad Darmawan Dewanto", "S", "Pd"]`` → ``["Muhammad Darmawan Dewanto, S.Pd"]``;
    a leading degree stays a piece of its own (there is no name to join).
    """
    names: list[str] = []
    index = 0
    while index < len(pieces):
        piece = pieces[index].strip()
        run = degree_run(pieces, index) if names else 0
        if run:
            joined = ".".join(p.strip().strip(".") for p in pieces[index:index + run])
            names[-1] = f"{names[-1]}, {joined}"
            index += run
            continue
        if piece:
            names.append(piece)
        index += 1
    return names


def name_without_titles(name: str) -> str:
    """A name as a person says it: honorifics and degrees dropped, order kept.

    ``Dr. Muhammad Darmawan Dewanto, S,Pd`` → ``Muhammad Darmawan Dewanto``;
    ``Wahid, Abdul`` stays (an inverted name, not a degree).
    """
    pieces = [p.strip() for p in name.split(",")]
    kept, index = [], 0
    while index < len(pieces):
        run = degree_run(pieces, index) if kept else 0
        if run:
            index += run
            continue
        tokens = [t for t in pieces[index].split() if not is_title_word(t)]
        if tokens:
            kept.append(" ".join(tokens))
        index += 1
    return ", ".join(kept) or name.strip()
