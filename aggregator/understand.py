"""Query understanding: what a patron meant, worked out once for every backend.

A query as typed on a phone carries noise the index does not: an ISBN as printed on the
back cover (``978-602-03-1765-6``, ``ISBN 979-2248-30-7``), an author with degrees
(``Dr. Harry Patria, M.T.``), old spellings, a word still being typed, syntax characters
that mean nothing here. ``understand`` turns the text into identifiers (ISBN-13, ISSN)
and words, each word with the forms the engines look it up by: its stem, its spelling key
(old and new spelling meet, ``aggregator.indonesian``), whether it may match with typos
and whether it may match as a prefix. The text is never handed to a query parser, so no
character can make a search fail.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from aggregator.engine.analysis import STOPWORDS, WORD, Analyzer, split
from aggregator.indonesian import is_degree, is_title_word, spelling_key
from biblio.isbn import compact, is_issn, to_isbn13

MAX_QUERY_CHARS = 2048
"""Longer text is cut here: nobody types more, and every word costs a clause."""
MAX_WORDS = 32
"""Words beyond this are ignored (a pasted paragraph still searches its first words)."""
FUZZY_MIN_LETTERS = 5
"""Shorter words match only as typed: one edit turns them into too many other words."""
FUZZY_LONG_LETTERS = 8
"""Words this long may be two edits away (``pendidkan`` → ``pendidikan`` is one)."""
PREFIX_MIN_LETTERS = 3
"""A last word shorter than this is not completed (``m`` would match half the index)."""
LONGEST_FORGIVEN = 30
"""Longer words get neither typos nor completion: no real word is this long, and the
automata that match them grow with their length."""

_ISBN_RUN = re.compile(r"(?<![\dXx])\d(?:[\s\-.\u2010-\u2013]?\d){8,12}(?:[\s\-.]?[\dXx])?(?![\d])")
_ISSN = re.compile(r"(?<!\d)\d{4}-\d{3}[\dXx](?![\d])")
_PREFIXED_ISSN = re.compile(r"(?i)\bissn\b\W*(\d{4}\s?-?\s?\d{3}[\dXx])\b")
_ISBN_SHAPED = re.compile(r"\d{9}[\dX]|\d{13}")
_IDENTIFIER_WORDS = frozenset({"isbn", "issn", "isbn10", "isbn13", "eisbn", "eissn", "e"})


@dataclass(frozen=True)
class QueryWord:
    """One word of a query and the forms it is looked up by."""

    word: str
    """Folded as typed: names are indexed this way, and typos and prefixes start from it."""
    stem: str
    """Sastrawi's stem, what titles, subjects and descriptions are indexed by."""
    key: str
    """Spelling key: ``djakarta`` and ``jakarta`` share ``yakarta``."""
    fuzzy: int = 0
    """Edits a typo may be away (0: none, for short words, numbers and identifiers)."""
    prefix: bool = False
    """The last word, still being typed: it also matches words it begins."""


@dataclass(frozen=True)
class UnderstoodQuery:
    """What ``understand`` found: identifiers first, then the words to match."""

    identifiers: tuple[str, ...] = ()
    words: tuple[QueryWord, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing to look for: browse everything (an empty or punctuation-only query)."""
        return not self.identifiers and not self.words

    @property
    def can_relax(self) -> bool:
        """Whether typo tolerance could widen a search that found too little."""
        return any(w.fuzzy for w in self.words)


def understand(text: str, analyzer: Analyzer | None = None) -> UnderstoodQuery:
    """Identifiers and words of a query as typed, noise (titles, degrees, syntax) and
    repeats dropped.

    Without an ``analyzer`` (a backend that stems by itself) a word's stem is the word.
    """
    text = text[:MAX_QUERY_CHARS]
    identifiers, rest = _identifiers(text)
    tokens = _name_tokens(rest)
    words = [w for token in tokens for w in split(token)]
    if identifiers:
        words = [w for w in words if w not in _IDENTIFIER_WORDS]
    kept = _distinct(_meaningful(words)[:MAX_WORDS])
    completing = bool(kept) and rest.rstrip() == rest and rest[-1:].isalnum()
    found = []
    for position, word in enumerate(kept):
        last = position == len(kept) - 1
        found.append(QueryWord(
            word=word, stem=analyzer.stem(word) if analyzer else word, key=spelling_key(word),
            fuzzy=_edits(word),
            prefix=last and completing and word.isalpha()
            and PREFIX_MIN_LETTERS <= len(word) <= LONGEST_FORGIVEN))
    return UnderstoodQuery(identifiers=tuple(identifiers), words=tuple(found))


class Understanding:
    """What each text of one search means, typos and completion kept for the words the
    index does not hold as typed: each text understood once, each word asked about once,
    ``indexed(words)`` answering for several words at a time (the same in every backend).

    A word found in titles, authors or subjects is what the patron meant: looking for its
    neighbours within two edits, or for the 50 words it begins, would cost most of a
    search at a million works and find what the patron did not type.
    """

    def __init__(self, indexed: Callable[[list[str]], Collection[str]],
                 analyzer: Analyzer | None = None) -> None:
        self._indexed = indexed
        self._analyzer = analyzer
        self._held: dict[str, bool] = {}
        self._texts: dict[str, UnderstoodQuery] = {}

    def __call__(self, text: str) -> UnderstoodQuery:
        """``text`` understood, forgiving only the words the index does not hold."""
        if text not in self._texts:
            typed = understand(text, self._analyzer)
            asked = [w.word for w in typed.words
                     if (w.fuzzy or w.prefix) and w.word not in self._held]
            found = self._indexed(asked) if asked else ()
            self._held.update((word, word in found) for word in asked)
            self._texts[text] = dataclasses.replace(typed, words=tuple(
                dataclasses.replace(w, fuzzy=0, prefix=False)
                if (w.fuzzy or w.prefix) and self._held[w.word] else w for w in typed.words))
        return self._texts[text]

    def hold_new_words(self, text: str, correction: str) -> None:
        """Take the words ``correction`` puts in place of ``text``'s as indexed without
        asking: a suggester offers the index's own terms."""
        typed = {w.word for w in self(text).words}
        for word in understand(correction).words:
            if word.word not in typed:
                self._held.setdefault(word.word, True)


def condition_words(text: str) -> list[str]:
    """The folded words a field condition (``SearchQuery.where``) looks for, as a query's."""
    return _meaningful(split(text[:MAX_QUERY_CHARS]))[:MAX_WORDS]


def condition_identifiers(text: str) -> list[str]:
    """The ISBN-13s and ISSNs an identifier condition names, read as a typed query's; a
    code shaped like an ISBN but failing its checksum is kept as typed (catalogues hold
    such codes, and a copy cataloguer types what is printed)."""
    found = _identifiers(text[:MAX_QUERY_CHARS])[0]
    code = compact(text)
    return found or ([code] if _ISBN_SHAPED.fullmatch(code) else [])


def _meaningful(words: list[str]) -> list[str]:
    """Words without stopwords, unless only stopwords were typed (``yang`` finds titles)."""
    return [w for w in words if w not in STOPWORDS] or words


def _distinct(words: list[str]) -> list[str]:
    """Each word once, where it was typed last (the word still being typed stays last): a
    word typed twice is one more thing to find, not two."""
    return list(reversed(dict.fromkeys(reversed(words))))


def _edits(word: str) -> int:
    """How many edits a typo of ``word`` may be: none for short words and numbers."""
    if not word.isalpha() or not FUZZY_MIN_LETTERS <= len(word) <= LONGEST_FORGIVEN:
        return 0
    return 2 if len(word) >= FUZZY_LONG_LETTERS else 1


def _identifiers(text: str) -> tuple[list[str], str]:
    """ISBN-13s (ISBN-10s converted) and ISSNs in ``text``, and the text without them."""
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    for pattern, group in ((_PREFIXED_ISSN, 1), (_ISSN, 0)):
        for match in pattern.finditer(text):
            code = compact(match.group(group).replace(" ", ""))
            inside = any(start <= match.start() < end for start, end in spans)
            if not inside and is_issn(code) and (group or not _years(code)):
                found.append(f"{code[:4]}-{code[4:]}")
                spans.append(match.span())
    for match in _ISBN_RUN.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        isbn = to_isbn13(re.sub(r"\s", "", match.group()))
        if isbn:
            found.append(isbn)
            spans.append(match.span())
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    return list(dict.fromkeys(found)), rest


def _years(code: str) -> bool:
    """``19421945`` is more likely the years 1942–1945 than an ISSN typed without ``ISSN``."""
    return all(1000 <= int(half) <= 2099 for half in (code[:4], code[4:]) if half.isdigit())


def _name_tokens(text: str) -> list[str]:
    """Whitespace tokens without honorifics and degrees, unless nothing else is left.

    ``Dr. Harry Patria, S.T., M.T.`` searches ``Harry Patria``; a degree broken by a comma
    (``S, Pd``) goes too. A query made only of such words (``dr``) keeps them.
    """
    tokens = [t.strip(",;") for t in text.split()]
    tokens = [t for t in tokens if t]
    kept = [t for t in tokens if not (is_title_word(t) or (is_degree(t) and "." in t))]
    return kept if any(WORD.search(t) for t in kept) else tokens
