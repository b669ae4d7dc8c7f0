"""Mark matched words in the original text, as safe HTML whose only markup is ``<mark>``.

Engines index stemmed terms, so their own snippets would show stems; instead each word
of the original text is analysed the same way as the query and marked when its stem is
one of the query's terms (names are matched unstemmed). Everything else is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from functools import lru_cache
from html import escape

from aggregator.engine.analysis import STOPWORDS, Analyzer, fold, words
from aggregator.model import Work

SNIPPET_CHARS = 240
"""Longest description fragment shown under a hit."""


def _may_match(text: str, terms: Collection[str]) -> bool:
    """Whether any word of ``text`` can match: every match contains a term's tail.

    One substring scan of the folded text; most descriptions fail it, so their words are
    never looked at one by one.
    """
    folded = fold(text)
    return any(term[1:] in folded for term in terms)


def _matches(word: str, terms: Collection[str], analyzer: Analyzer) -> bool:
    """A word matches when it, or its stem, is one of the query's words or stems.

    A stem is inside its word (but for the first letter, which Indonesian prefixes may
    change: menulis → tulis), so only words containing a term's tail are stemmed at all.
    """
    if word in STOPWORDS:
        return False
    if word in terms:
        return True
    return any(term[1:] in word for term in terms) and analyzer.stem(word) in terms


@lru_cache(maxsize=1024)
def _candidates(terms: frozenset[str]) -> re.Pattern[str] | None:
    """Words containing a term's tail (the only ones that can match), found in one scan;
    None where a one-letter term makes every word a candidate. Tried only at word starts
    (a word boundary first: half the time of trying at every letter), each word whole."""
    tails = sorted({term[1:] for term in terms}, key=len, reverse=True)
    if not all(tails):
        return None
    return re.compile(r"\b\w*?(?:" + "|".join(map(re.escape, tails)) + r")\w*")


def _matching_spans(text: str, terms: Collection[str], analyzer: Analyzer
                    ) -> Iterator[tuple[int, int]]:
    """Start and end of each word of ``text`` that matches ``terms``.

    ASCII text folds to the same offsets, so its candidate words are found by one regular
    expression instead of looking at every word; other text is read word by word.
    """
    pattern = _candidates(frozenset(terms)) if text.isascii() else None
    if pattern is None:
        return ((start, end) for word, start, end in words(text)
                if _matches(word, terms, analyzer))
    return (found.span() for found in pattern.finditer(text.lower())
            if _matches(found.group(), terms, analyzer))


def mark(text: str, terms: Collection[str], analyzer: Analyzer) -> tuple[str, bool]:
    """Escape ``text`` and wrap words matching ``terms``; also say whether any matched."""
    parts: list[str] = []
    cursor = 0
    matched = False
    for start, end in _matching_spans(text, terms, analyzer):
        parts.append(escape(text[cursor:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
        matched = True
    parts.append(escape(text[cursor:]))
    return "".join(parts), matched


def snippet(text: str, terms: Collection[str], analyzer: Analyzer) -> str | None:
    """A marked window of ``text`` around its first matching word, or None without one."""
    if not _may_match(text, terms):
        return None
    first = next(_matching_spans(text, terms, analyzer), (None, None))[0]
    if first is None:
        return None
    begin = max(0, first - SNIPPET_CHARS // 3)
    if begin:
        space = text.find(" ", begin, first)
        begin = space + 1 if space != -1 else begin
    end = min(len(text), begin + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    fragment, _ = mark(text[begin:end], terms, analyzer)
    return ("…" if begin else "") + fragment + ("…" if end < len(text) else "")


def highlight_work(work: Work, terms: Collection[str], analyzer: Analyzer) -> dict[str, str]:
    """Highlights of a hit: title, creators and a description snippet, where they match."""
    if not terms:
        return {}
    result: dict[str, str] = {}
    for field, text in (("title", work.title), ("creators", "; ".join(work.creators))):
        if _may_match(text, terms):
            marked, matched = mark(text, terms, analyzer)
            if matched:
                result[field] = marked
    description = snippet(work.description, terms, analyzer) if work.description else None
    if description:
        result["description"] = description
    return result
