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
with a whole title, so its work does not grow with how common the title is. It
re-clusters only the works of the record's old and new links, plus those of subtitle-less
records whose ambiguity it changes (a subtitled version arriving can make them ambiguous;
one leaving can free them to join their other matches, whose works are re-clustered too).

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

from aggregator.blocking import probe_keys
from aggregator.matching import (
    MatchView,
    first_author_key,
    match_view,
    subtitle_keys_compatible,
    title_key,
)
from aggregator.normalise.schema import NormalisedRecord
from aggregator.workstore import Key, Member, WorkStore


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


def anchor(records: Iterable[NormalisedRecord]) -> str:
    """What a new work's id is derived from: its smallest ISBN, else its title/author key."""
    records = list(records)
    isbns = [isbn for r in records for isbn in r.isbns]
    if isbns:
        return min(isbns)
    return min(f"{title_key(r.title, r.language)}|{first_author_key(r.creators, r.contributors)}"
               f"|{r.material_type}" for r in records)


def derived_id(anchor_text: str, taken: Callable[[str], bool]) -> str:
    """``w`` + 16 hex digits of the anchor's SHA-1, bumped past ids already in use."""
    attempt = 0
    while True:
        text = anchor_text if attempt == 0 else f"{anchor_text}#{attempt}"
        work_id = "w" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
        if not taken(work_id):
            return work_id
        attempt += 1


def choose_id(votes: Counter[str], taken: Callable[[str], bool],
              fresh: Callable[[], str]) -> str:
    """The most held earlier id that is still free (ties: smaller id), else a fresh one."""
    for work_id, _ in sorted(votes.items(), key=lambda item: (-item[1], item[0])):
        if not taken(work_id):
            return work_id
    return fresh()


class Clusterer:
    """Applies one record change to the works database; returns the work ids it touched.

    With ``final_ids=False`` (the first pass of a rebuild) works get temporary ids
    ``t<n>``; ``finalise_ids`` then gives every work its remembered or derived id.
    """

    def __init__(self, works: WorkStore, year_tolerance: int = 1,
                 final_ids: bool = True) -> None:
        self.works = works
        self.year_tolerance = year_tolerance
        self.final_ids = final_ids
        self._near: dict[tuple[str, ...], list[Member]] = {}
        self._ambiguity: dict[MatchView, bool] = {}
        self._isbn_near: dict[frozenset[str], list[Member]] = {}

    def put(self, record: NormalisedRecord, seq: int) -> set[str]:
        """Add or replace a mapped record; re-cluster its old and new neighbourhood."""
        key = (record.source, record.identifier)
        old, remembered = self.works.member_and_assignment(key)
        new_view = match_view(record)
        prior = old.work_id if old else None
        context: set[str] = set()  # works to re-cluster whether or not the record joins them
        if prior is None and self.final_ids:
            if remembered and self.works.holders(remembered):
                context.add(remembered)  # still alive: the record rejoins it only by links
            else:
                prior = remembered
        self.works.put(record, seq, new_view, prior, old.view if old else None)
        self._forget()
        joined = {other.work_id for other in self._candidates(new_view)
                  if other.key != key and other.work_id and self._linked(new_view, other.view)}
        if old is not None:
            context |= self._reopened(old.view, key)
            context |= {old.work_id} if old.work_id else set()
        unsettled = self._unsettled(new_view, key)
        context |= unsettled
        member = Member(key, prior, new_view, record=record)
        if not joined and not context:
            return self._assign([[member]], set())
        if old is None and not unsettled and len(joined) == 1 and context <= joined:
            work_id = next(iter(joined))  # joins one work and disturbs nothing else
            self.works.set_work([key], work_id, remember=self.final_ids)
            return {work_id}
        return self._recluster(joined | context, member)

    def remove(self, key: Key) -> set[str]:
        """Drop a deleted or unmappable record; what it held together may fall apart."""
        old = self.works.member(key)
        if old is None:
            return set()
        self.works.remove(key, old.view)
        self._forget()
        affected = self._reopened(old.view, key)
        affected |= {old.work_id} if old.work_id else set()
        return self._recluster(affected)

    def _forget(self) -> None:
        """Drop what was read for the previous change (the store has changed since)."""
        self._near = {}
        self._ambiguity = {}
        self._isbn_near = {}

    def _neighbours(self, view: MatchView) -> list[Member]:
        """Records that may title-link with ``view`` (``blocking``), read once per change."""
        probes = probe_keys(view)
        near = self._near.get(probes)
        if near is None:
            near = self._near[probes] = self.works.neighbours(probes)
        return near

    def _candidates(self, view: MatchView) -> list[Member]:
        """Records that may link with ``view``: its blocking neighbours and ISBN sharers."""
        if not view.isbns:
            return self._neighbours(view)
        sharers = self._isbn_near.get(view.isbns)
        if sharers is None:
            sharers = self._isbn_near[view.isbns] = self.works.by_isbns(view.isbns)
        return self._neighbours(view) + sharers

    def _matches(self, view: MatchView, key: Key | None = None) -> list[Member]:
        """Other records of the same title that ``same_work`` links with ``view``."""
        return [m for m in self._candidates(view)
                if m.key != key and m.view.title_key == view.title_key
                and self._same(view, m.view)]

    def _unsettled(self, view: MatchView, key: Key) -> set[str]:
        """Works of subtitle-less records a subtitled record title-matches that are now
        ambiguous: they may have to leave the work they are in."""
        if not view.subtitle:
            return set()
        return {m.work_id for m in self._matches(view, key)
                if m.work_id and not m.view.subtitle and self._ambiguous(m.view)}

    def _reopened(self, view: MatchView, key: Key) -> set[str]:
        """Works a record's old version may have kept apart: subtitle-less records it
        title-matched were perhaps ambiguous because of it and may now join their matches."""
        if not view.subtitle:
            return set()
        loose = [m for m in self._matches(view, key) if not m.view.subtitle]
        return {m.work_id for c in loose for m in [c, *self._matches(c.view, key)]
                if m.work_id}

    def _linked(self, a: MatchView, b: MatchView) -> bool:
        """``same_work``, except that a record without a subtitle does not link by title
        when the records it title-matches disagree about the subtitle (``Jilid 1`` and
        ``Jilid 2``): it could be either, so only its ISBNs may place it."""
        if not self._same(a, b):
            return False
        if a.isbns & b.isbns:
            return True
        return not ((not a.subtitle and self._ambiguous(a))
                    or (not b.subtitle and self._ambiguous(b)))

    def _ambiguous(self, view: MatchView) -> bool:
        """Do the records this one title-matches disagree about the subtitle?"""
        if view not in self._ambiguity:
            nearby = {m.view.subtitle for m in self._candidates(view) if m.view.subtitle}
            subtitles = [] if len(nearby) < 2 else list(dict.fromkeys(
                m.view.subtitle for m in self._matches(view) if m.view.subtitle))
            self._ambiguity[view] = any(not subtitle_keys_compatible(a, b)
                                        for i, a in enumerate(subtitles)
                                        for b in subtitles[i + 1:])
        return self._ambiguity[view]

    def _same(self, a: MatchView, b: MatchView) -> bool:
        """``same_work`` with this clusterer's year tolerance."""
        return same_work(a, b, self.year_tolerance)

    def _recluster(self, affected: set[str], record: Member | None = None) -> set[str]:
        """Recompute the components of every record in the affected works (and ``record``)."""
        members = [m for work_id in sorted(affected) for m in self.works.members(work_id)]
        if record is not None and all(m.key != record.key for m in members):
            members.append(record)
        return self._assign(components(members, self._linked), affected)

    def _assign(self, groups: list[list[Member]], affected: set[str]) -> set[str]:
        """Give each component an id: remembered if free, else derived (or temporary)."""
        inside = Counter(m.work_id for group in groups for m in group if m.work_id)
        outside = {work_id: self.works.holders(work_id) - n for work_id, n in inside.items()}
        chosen: set[str] = set()

        def taken(work_id: str) -> bool:
            if work_id in chosen:
                return True
            held = outside[work_id] if work_id in outside else self.works.holders(work_id)
            return held > 0

        touched = set(affected)
        for group in groups:
            votes = Counter(m.work_id for m in group if m.work_id)
            work_id = choose_id(votes, taken, lambda g=group: self._fresh(g, taken))
            chosen.add(work_id)
            touched.add(work_id)
            self.works.set_work([m.key for m in group], work_id, remember=self.final_ids)
        return touched

    def _fresh(self, group: list[Member], taken: Callable[[str], bool]) -> str:
        """A new id for a component nobody has named yet."""
        if not self.final_ids:
            counter = self.works.get_state("temporary_ids") + 1
            self.works.set_state("temporary_ids", counter)
            return f"t{counter}"
        return derived_id(anchor(m.record for m in group), taken)


def finalise_ids(works: WorkStore) -> None:
    """Rebuild's second pass: each temporary work takes its remembered id or a derived one.

    Works are named biggest first, so when the store changed since the ids were given and
    two works claim one id, the bigger keeps it.
    """
    def taken(work_id: str) -> bool:
        return works.holders(work_id) > 0

    for temporary in works.temporary_works():
        votes = works.remembered_votes(temporary)
        final = choose_id(votes, taken, lambda t=temporary: derived_id(
            anchor(m.record for m in works.members(t)), taken))
        works.rename_work(temporary, final)
