"""How a search widens when it finds too little: the same ladder in every backend.

A search first asks for every word (each as typed, stemmed, in either spelling, the last
one also as a prefix). When that finds fewer than ``FEW`` works it asks again with typo
tolerance (``similar``), then for works with at least one of the words (``some``), where
each matched word adds ``TIER`` to the score, so works with all words still come first,
then those with most of them. A wider step replaces the stricter one only when it finds
more; the result says which step answered, so the page can tell the patron. A spelling
correction is offered only when it finds more than what was typed.
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
"""Score of each matched word in the ``some`` step: more than any text score can add."""
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
    """The steps worth trying for a query: typos only where a word allows them, ``some``
    only where there is more than one thing to match."""
    steps: list[Phase] = ["all"]
    if understood.can_relax:
        steps.append("similar")
    if len(understood.words) + bool(understood.identifiers) > 1:
        steps.append("some")
    return tuple(steps)


def relaxed_search(query: SearchQuery, understood: UnderstoodQuery, run: Run,
                   correction: Callable[[str], str | None]) -> SearchResult:
    """Run the ladder with ``run(query, phase, settles)``; ``correction(text)`` proposes a
    spelling.

    Each wider step contains the stricter one, so a middle step is first only counted (no
    hits, no facets) and run in full when it finds more; the last step is run in full at
    once. The strict step is completed (hits read, facets counted) only when ``settles``
    says its total ends the ladder; a backend that answers both at once may ignore it. A
    query whose words all match costs one search, as before.
    """
    wider = phases_for(understood)[1:]
    strict = run(query, "all", lambda total: understood.empty or not wider or total >= FEW)
    if understood.empty or strict.total >= FEW:
        return strict
    result, chosen = strict, "all"
    for position, phase in enumerate(wider):
        last = position == len(wider) - 1
        found = run(query if last else counting(query), phase, None)
        if found.total > result.total:
            chosen = phase
            result = found if last else run(query, phase, None)
        if result.total >= FEW:
            break
    if chosen == "all" and not strict.facets and (query.facets or not strict.hits):
        result = run(query, "all", None)  # it was only counted
    suggestion = None
    if query.text.strip():
        corrected = correction(query.text)
        if corrected and corrected != query.text \
                and run(counting(query, corrected), "all", None).total > strict.total:
            suggestion = corrected
    return dataclasses.replace(result, matching=chosen, suggestion=suggestion,
                               all_words_total=strict.total)


def counting(query: SearchQuery, text: str | None = None) -> SearchQuery:
    """The same query asking only how many works match (of ``text``, when given)."""
    return dataclasses.replace(query, text=query.text if text is None else text, page=1,
                               size=0, facets=(), highlight=False, search_after=None)
