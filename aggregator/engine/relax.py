"""How a search widens when it finds too little: the same ladder in every backend.

A search first asks for every word (each as typed, stemmed, in either spelling, the last
one also as a prefix). When that finds fewer than ``FEW`` works it asks again with typo
tolerance (``similar``), then, for three words or more, for works with all words but one
(``most``), then for works with at least one of the words (``some``). In the last two
each matched word adds ``TIER`` to the score (``TYPO_TIER`` when matched only through a
typo), so works with all words still come first, then those with most of them. A wider
step replaces the stricter one only when it finds more; the result says which step
answered, so the page can tell the patron. A spelling correction is offered only when it
finds more than what was typed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from aggregator.query import Matching as Phase
from aggregator.query import SearchQuery, SearchResult
from aggregator.understand import UnderstoodQuery

FEW = 10
"""A step that finds fewer works than one page of results lets the next, wider one try."""
TIER = 1000.0
"""Score of each matched word in the ``most`` and ``some`` steps: more than any text score
can add."""
TYPO_TIER = TIER / 2
"""A word matched there only through a typo: it still counts as matched (a work with every
word, one of them misspelt, before the works with fewer), below one matched as typed."""
IDENTIFIER_SCORE = 100_000.0
"""An ISBN or ISSN match outranks every word match."""
FUZZY_BOOST = 0.3
"""A word matched only through a typo counts less than one matched as typed or stemmed."""
PREFIX_BOOST = 1.0
"""A word matched only as the beginning of another (still being typed)."""
SPELLED_BOOST = 2.0
"""A word matched only through its other spelling (``djakarta`` for ``Jakarta``)."""


Run = Callable[[SearchQuery, Phase, Callable[[int], bool] | None], SearchResult]
"""One step of the ladder in a backend: ``run(query, phase, settles)``."""


def phases_for(understood: UnderstoodQuery) -> tuple[Phase, ...]:
    """The steps worth trying for a query: typos only where a word allows them, ``most``
    only where all words but one are still two or more, ``some`` only where there is more
    than one thing to match."""
    steps: list[Phase] = ["all"]
    if understood.can_relax:
        steps.append("similar")
    if len(understood.words) > 2:
        steps.append("most")
    if len(understood.words) + bool(understood.identifiers) > 1:
        steps.append("some")
    return tuple(steps)


def words_needed(understood: UnderstoodQuery, phase: Phase) -> int:
    """How many of the query's words a work must match in a step that tiers them."""
    return max(1, len(understood.words) - 1) if phase == "most" else 1


def relaxed_search(query: SearchQuery, understood: UnderstoodQuery, run: Run,
                   correction: Callable[[str], str | None]) -> SearchResult:
    """Run the ladder with ``run(query, phase, settles)``; ``correction(text)`` proposes a
    spelling.

    Each wider step contains the stricter one. A step is completed (hits read, facets
    counted) only when ``settles`` says its total ends the ladder, and otherwise only
    counted; the last step is run in full at once. A step that was only counted and then
    answers (no wider one found more) is run again in full. A backend that answers both
    at once may ignore ``settles``. A query whose words all match costs one search
    (in Elasticsearch, after one lookup of the words that may be forgiven).
    """
    wider = phases_for(understood)[1:]
    settles = _Settles(lambda total: understood.empty or not wider or total >= FEW)
    strict = run(query, "all", settles)
    if understood.empty or strict.total >= FEW:
        return strict
    chosen: Phase = "all"
    result, counted_only = strict, settles.counted_only
    for position, phase in enumerate(wider):
        step = None if position == len(wider) - 1 else _Settles(lambda total: total >= FEW)
        found = run(query, phase, step)
        if found.total > result.total:
            result, chosen, counted_only = found, phase, step is not None and step.counted_only
        if result.total >= FEW:
            break
    if counted_only:
        result = run(query, chosen, None)
    suggestion = None
    if query.text.strip():
        corrected = correction(query.text)
        if corrected and corrected != query.text \
                and run(counting(query, corrected), "all", None).total > strict.total:
            suggestion = corrected
    return dataclasses.replace(result, matching=chosen, suggestion=suggestion,
                               all_words_total=strict.total)


class _Settles:
    """A step's ``settles``: whether its total ends the ladder, remembering whether the
    backend was told it does not (so left the step counted only)."""

    def __init__(self, ends: Callable[[int], bool]) -> None:
        self.ends = ends
        self.counted_only = False

    def __call__(self, total: int) -> bool:
        ends = self.ends(total)
        self.counted_only = not ends
        return ends


def counting(query: SearchQuery, text: str | None = None) -> SearchQuery:
    """The same query asking only how many works match (of ``text``, when given)."""
    return dataclasses.replace(query, text=query.text if text is None else text, page=1,
                               size=0, facets=(), highlight=False, search_after=None)
