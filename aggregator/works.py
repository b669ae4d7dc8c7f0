"""Clustering records from different libraries into works, with ids that never wander.

Two records are linked (``same_work`` and ``Clusterer._linked``) when:
- they share an ISBN-13 (after ISBN-10 → 13), are of one material family and their
  titles share a word (a shared ISBN on a different book is a cataloguing slip), or
- their title keys are equal (``matching.title_key``), at most one of them has ISBNs
  (two different ISBNs are two editions or volumes), the subtitles do not contradict,
  the first author of one is an author of the other (or both have none and agree on the
  publisher), material types are of one family and the years (when both are known) are
  no further apart than ``year_tolerance``. A record without a subtitle is not linked by
  title when the records it title-matches disagree about the subtitle (``Jilid 1`` and
  ``Jilid 2``): it could belong to either, so only its ISBNs may place it.
A work is a connected component of those links over the current records, so the result
does not depend on the order records arrive in: incremental updates and a rebuild agree.
A change tests links only with the records filed under its blocking keys
(``aggregator.blocking``: same title and material family, and an author sharing two name
words or a one-word name, or the publisher when there is no author) and its ISBNs, never
with a whole title, so its work does not grow with how common the title is.
``aggregator.clusterer`` applies changes a batch at a time with these rules.

Ids: a new work's id is derived from its anchor (smallest ISBN-13, else title key,
author key and material type), ``w`` + 16 hex digits. Once given, an id is remembered per
record (the ``assignments`` table), so it survives re-harvests, rebuilds and the record's
own deletion and return. When works merge, the id held by most records wins (ties: the
smaller id); when a work splits, the biggest part keeps the id and the rest get new ones.
If works.sqlite3 is lost, ids are derived again: the same for every work whose anchor
has not changed since it was first named.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable

from aggregator.matching import (
    MatchView,
    first_author_key,
    subtitle_keys_compatible,
    title_key,
)
from aggregator.member import Member
from aggregator.workstore import WorkStore

RENAME_BATCH = 5000
"""Works a rebuild's naming pass renames per statement (memory: two ids each until then)."""


def same_work(a: MatchView, b: MatchView, year_tolerance: int) -> bool:
    """True when two records describe one work (the module docstring gives the rules)."""
    if a.family != b.family:
        return False
    if a.isbns & b.isbns:
        return bool(a.title_words & b.title_words) or not (a.title_words and b.title_words)
    if not a.title_key or a.title_key != b.title_key or (a.isbns and b.isbns):
        return False
    if a.year is not None and b.year is not None and abs(a.year - b.year) > year_tolerance:
        return False
    if not subtitle_keys_compatible(a.subtitle, b.subtitle):
        return False
    if a.authors and b.authors:
        return _author_in(a.authors[0], b.authors) or _author_in(b.authors[0], a.authors)
    if a.authors or b.authors:
        return False
    return bool(a.publisher) and a.publisher == b.publisher


def _author_in(name: frozenset[str], others: tuple[frozenset[str], ...]) -> bool:
    """One name's words contain the other's, for any of the other record's authors."""
    return any(name <= other or other <= name for other in others)


def components(members: list[Member], linked: Callable[[MatchView, MatchView], bool]
               ) -> list[list[Member]]:
    """Connected components of ``linked``, comparing only records that share a key."""
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    views = [m.view for m in members]
    blocks: dict[str, list[int]] = {}
    for index, match in enumerate(views):
        for block in (f"t:{match.title_key}", *(f"i:{isbn}" for isbn in match.isbns)):
            blocks.setdefault(block, []).append(index)
    for indexes in blocks.values():
        for pos, i in enumerate(indexes):
            for j in indexes[pos + 1:]:
                if root(i) != root(j) and linked(views[i], views[j]):
                    parent[root(i)] = root(j)
    groups: dict[int, list[Member]] = {}
    for index, member in enumerate(members):
        groups.setdefault(root(index), []).append(member)
    return sorted(groups.values(), key=lambda g: (-len(g), min(m.key for m in g)))


def anchor(members: Iterable[Member]) -> str:
    """What a new work's id is derived from: its smallest ISBN (the matching views have
    them), else its title/author key (the only case that parses the records)."""
    members = list(members)
    isbns = [isbn for m in members for isbn in m.view.isbns]
    if isbns:
        return min(isbns)
    return min(f"{title_key(r.title, r.language)}|{first_author_key(r.creators, r.contributors)}"
               f"|{r.material_type}" for r in (m.record for m in members))


def derived_id(anchor_text: str, taken: Callable[[str], bool]) -> str:
    """``w`` + 16 hex digits of the anchor's SHA-1, bumped past ids already in use."""
    attempt = 0
    while True:
        text = anchor_text if attempt == 0 else f"{anchor_text}#{attempt}"
        work_id = "w" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
        if not taken(work_id):
            return work_id
        attempt += 1


def free_vote(votes: Counter[str], taken: Callable[[str], bool]) -> str | None:
    """The most held earlier id that is still free (ties: smaller id), or None."""
    for work_id, _ in sorted(votes.items(), key=lambda item: (-item[1], item[0])):
        if not taken(work_id):
            return work_id
    return None


def finalise_ids(works: WorkStore) -> None:
    """Rebuild's second pass: each temporary work takes its remembered id or a derived one.

    Works are named biggest first, so when the store changed since the ids were given and
    two works claim one id, the bigger keeps it. Renames are written ``RENAME_BATCH`` at a
    time; until then the ids given are held in memory.
    """
    given: set[str] = set()

    def taken(work_id: str) -> bool:
        return work_id in given or works.holders(work_id) > 0

    renames: list[tuple[str, str]] = []
    for temporary in works.temporary_works():
        final = free_vote(works.remembered_votes(temporary), taken) or derived_id(
            anchor(works.members(temporary)), taken)
        given.add(final)
        renames.append((temporary, final))
        if len(renames) >= RENAME_BATCH:
            works.rename_works(renames)
            renames.clear()
            given.clear()
    works.rename_works(renames)
