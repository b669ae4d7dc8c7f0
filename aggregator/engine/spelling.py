"""Pick the indexed word a misspelled one was meant to be: fewest edits, then most common."""

from __future__ import annotations

from collections.abc import Callable, Iterable

MAX_EDITS_SHORT = 1
MAX_EDITS_LONG = 2
SHORT_WORD = 4
LETTERS = "abcdefghijklmnopqrstuvwxyz"
"""What a typo may put in a word: folded words are lower-case ASCII."""


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits between two words, two neighbouring letters swapped counting as one (as a typo
    does), giving up (``limit + 1``) once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def one_typo_away(word: str) -> set[str]:
    """Every word one typo from ``word``: a letter dropped, added or replaced, or two
    neighbouring letters swapped (54 per letter and 26 more, fewer where they coincide)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({head + tail[1:] for head, tail in splits if tail}
            | {head + tail[1] + tail[0] + tail[2:] for head, tail in splits if len(tail) > 1}
            | {head + letter + tail[1:] for head, tail in splits if tail for letter in LETTERS}
            | {head + letter + tail for head, tail in splits for letter in LETTERS}) - {word}


def edit_limit(word: str) -> int:
    """How many edits a correction of ``word`` may make: one for short words, else two."""
    return MAX_EDITS_LONG if len(word) > SHORT_WORD else MAX_EDITS_SHORT


def closest_word(word: str, candidates: Iterable[str], frequency: Callable[[str], int]
                 ) -> str | None:
    """The candidate within the edit limit with fewest edits, then highest ``frequency``."""
    limit = edit_limit(word)
    scored = []
    for candidate in set(candidates):
        if candidate == word:
            continue
        distance = edit_distance(word, candidate, limit)
        if distance <= limit:
            scored.append((distance, -frequency(candidate), candidate))
    return min(scored)[2] if scored else None
