"""Applying record changes to works a batch at a time: read once, link in memory, write once.

``Clusterer.apply`` takes a batch of changes (a mapped record, or None when the record is
gone) and follows it in one direction, never writing before it has read:

1. read: every changed record as stored and the work id it last belonged to (one query);
2. block: the blocking neighbourhood and ISBN sharers of each new and old version, read
   from the store as it was before the batch, once per batch for each distinct set of
   keys, with the batch's own new versions laid over it in memory (``_Overlay``); one
   query for a whole batch's keys was measured slower, as it returns each record once
   for every key it shares;
3. link: per change, in memory, the works its new version links with and the works it
   disturbs: its old work, the works its old version may have kept apart (``_reopened``),
   those of records it makes ambiguous (``_unsettled``), a remembered work still alive;
4. assign: a new record that joins one work and disturbs nothing joins it; every other
   changed record and every record of the works they touch are re-clustered at once into
   connected components (``works.components``) and named (``works.free_vote``: the
   id most of a part's records hold, if free; new ids only once those are placed);
5. write: the batch's records with their work ids, ISBNs, blocking keys and removals, and
   the work ids of the other records that moved: one ``executemany`` per table.

The links are ``works.same_work``, except that a record without a subtitle does not link
by title when the records it title-matches disagree about the subtitle (``Jilid 1`` and
``Jilid 2``): it could be either, so only its ISBNs may place it. As a work is a connected
component of those links over the current records, a batch gives the works its changes
give one by one, and an incremental run the works of a rebuild. Memory is bounded by the
batch: what one batch read is dropped before the next.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aggregator.blocking import filed_keys, probe_keys
from aggregator.matching import Mapped, MatchView, subtitle_keys_compatible
from aggregator.member import Key, Member
from aggregator.normalise.schema import NormalisedRecord
from aggregator.works import anchor, components, derived_id, free_vote, same_work
from aggregator.workstore import WorkStore


@dataclass(frozen=True)
class Change:
    """One record change: its mapped version, or None when it was deleted or is unmappable."""

    key: Key
    record: Mapped | None
    seq: int = 0

    @classmethod
    def of(cls, record: NormalisedRecord, seq: int) -> Change:
        """The change that adds or replaces ``record`` (normalised here, not in a worker)."""
        return cls((record.source, record.identifier), Mapped.of(record), seq)


@dataclass
class _Put:
    """A mapped record of the batch: new version, stored version, works it disturbs."""

    new: Member
    old: Member | None
    seq: int
    context: set[str] = field(default_factory=set)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one batch: a batch makes tens of
    thousands of small objects that live until its end, and the collector scanning them
    (and every cache) as they survived cost more than the batching saved (measured: 4.6 s
    of 15.5 on 100,000 records). They hold no cycles; the next collection finds any."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Overlay:
    """The batch's new versions by blocking key and ISBN, laid over what the store read."""

    def __init__(self, new: list[Member], changed: set[Key]) -> None:
        self.changed = changed
        self.filed: dict[Hashable, list[Member]] = {}
        self.isbns: dict[Hashable, list[Member]] = {}
        for member in new:
            for block in filed_keys(member.view):
                self.filed.setdefault(block, []).append(member)
            for isbn in member.view.isbns:
                self.isbns.setdefault(isbn, []).append(member)

    def over(self, stored: list[Member], index: dict[Hashable, list[Member]],
             values: Iterable[Hashable]) -> list[Member]:
        """``stored`` without the batch's records, plus its new versions under ``values``."""
        found = {m.key: m for m in stored if m.key not in self.changed}
        found.update((m.key, m) for value in values for m in index.get(value, ()))
        return list(found.values())


class Clusterer:
    """Applies batches of record changes to the works database; returns the work ids touched.

    With ``final_ids=False`` (the first pass of a rebuild) works get temporary ids
    ``t<n>``; ``works.finalise_ids`` then gives every work its remembered or derived id.
    """

    def __init__(self, works: WorkStore, year_tolerance: int = 1,
                 final_ids: bool = True) -> None:
        self.works = works
        self.year_tolerance = year_tolerance
        self.final_ids = final_ids
        self._near: dict[tuple[int, ...], list[Member]] = {}
        self._isbn_near: dict[frozenset[str], list[Member]] = {}
        self._ambiguity: dict[MatchView, bool] = {}
        self._overlay = _Overlay([], set())
        self._temporary: int | None = None

    def put(self, record: NormalisedRecord, seq: int) -> set[str]:
        """Add or replace one mapped record (a batch of one)."""
        return self.apply([Change.of(record, seq)])

    def remove(self, key: Key) -> set[str]:
        """Drop one deleted or unmappable record (a batch of one)."""
        return self.apply([Change(key, None)])

    def apply(self, changes: Iterable[Change]) -> set[str]:
        """Apply a batch of changes (a record changed twice: its last change counts)."""
        latest = {change.key: change for change in changes}
        if not latest:
            return set()
        with _collector_paused():
            return self._apply(latest)

    def _apply(self, latest: dict[Key, Change]) -> set[str]:
        """Body of ``apply``: read, link, assign, write."""
        puts, gone = self._read(latest)
        self._overlay = _Overlay([p.new for p in puts], set(latest))
        batch = {p.new.key for p in puts}
        context: set[str] = set()
        joining: list[tuple[Member, str]] = []
        region: list[Member] = []
        for put in puts:
            work_id = self._joins_only(put, batch)
            if work_id is None:
                region.append(put.new)
                context |= put.context
            else:
                joining.append((put.new, work_id))
        for old in gone:
            context |= self._reopened(old.view, old.key) | ({old.work_id} - {None})
        region += [member for member, work_id in joining if work_id in context]
        for member, work_id in joining:
            if work_id not in context:
                member.work_id = work_id
        touched = context | {m.work_id for m, _ in joining if m.work_id}
        moved: list[tuple[str, str, str]] = []
        if region or context:
            chosen, moved = self._recluster(context, region, puts, gone)
            touched |= chosen
        self.works.remove_many(gone)
        self.works.put_many([(p.new, p.seq, p.old) for p in puts], remember=self.final_ids)
        self.works.set_works(moved, remember=self.final_ids)
        if self._temporary is not None:
            self.works.set_state("temporary_ids", self._temporary)
            self._temporary = None
        self._forget()
        return touched

    def _read(self, latest: dict[Key, Change]) -> tuple[list[_Put], list[Member]]:
        """What the batch replaces: its mapped records (with the id each one starts from)
        and the stored versions of the records it removes."""
        stored = self.works.stored(list(latest), assignments=self.final_ids)
        remembered_ids = {remembered for _, remembered in stored.values() if remembered}
        alive = self.works.holders_of(remembered_ids) if remembered_ids else Counter()
        puts: list[_Put] = []
        gone: list[Member] = []
        for key, change in latest.items():
            old, remembered = stored[key]
            if change.record is None:
                gone += [old] if old is not None else []
                continue
            put = _Put(Member(key, old.work_id if old else None, change.record.match,
                              change.record.data), old, change.seq)
            if old is None and remembered:
                if alive[remembered]:
                    put.context.add(remembered)  # still alive: rejoined only by links
                else:
                    put.new.work_id = remembered
            puts.append(put)
        return puts, gone

    def _joins_only(self, put: _Put, batch: set[Key]) -> str | None:
        """The one work a new record joins when it disturbs nothing else and links with no
        other record of the batch (else None); fills in the works the record disturbs."""
        view, key = put.new.view, put.new.key
        linked = [other for other in self._candidates(view)
                  if other.key != key and self._linked(view, other.view)]
        joined = {other.work_id for other in linked if other.work_id}
        if put.old is not None:
            put.context |= self._reopened(put.old.view, key) | ({put.old.work_id} - {None})
        unsettled = self._unsettled(view, key)
        simple = (put.old is None and not unsettled and len(joined) == 1
                  and put.context <= joined and all(other.key not in batch for other in linked))
        put.context |= joined | unsettled
        return next(iter(joined)) if simple else None

    def _forget(self) -> None:
        """Drop what was read for this batch (the store has changed since)."""
        self._near = {}
        self._isbn_near = {}
        self._ambiguity = {}
        self._overlay = _Overlay([], set())

    def _candidates(self, view: MatchView) -> list[Member]:
        """Records that may link with ``view`` once the batch is applied: its blocking
        neighbours and ISBN sharers as stored (read once per batch), with the batch laid
        over them."""
        probes = probe_keys(view)
        near = self._near.get(probes)
        if near is None:
            near = self._near[probes] = self._overlay.over(
                self.works.neighbours(probes), self._overlay.filed, probes)
        if not view.isbns:
            return near
        sharers = self._isbn_near.get(view.isbns)
        if sharers is None:
            sharers = self._isbn_near[view.isbns] = self._overlay.over(
                self.works.by_isbns(view.isbns), self._overlay.isbns, view.isbns)
        return near + sharers

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
        """``same_work``, except for a subtitle-less record whose matches disagree about the
        subtitle (the module docstring)."""
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

    def _recluster(self, affected: set[str], changed: list[Member], puts: list[_Put],
                   gone: list[Member]) -> tuple[set[str], list[tuple[str, str, str]]]:
        """Components of every record of the affected works and the changed records, each
        named: the id most of its records hold if free, else a remembered, derived (or
        temporary) one. Returns the ids given and the stored records that moved."""
        batch = {p.new.key for p in puts} | {old.key for old in gone}
        members = {m.key: m for ms in self.works.works_members(affected).values()
                   for m in ms if m.key not in batch}
        members.update((p.new.key, p.new) for p in puts if p.new.work_id in affected)
        members.update((m.key, m) for m in changed)
        groups = components(sorted(members.values(), key=lambda m: m.key), self._linked)
        # holders once the batch is written: stored ones, less the batch's old versions,
        # plus its new versions with the ids they start from
        delta = Counter(p.new.work_id for p in puts if p.new.work_id)
        delta.subtract(old.work_id for old in [*gone, *(p.old for p in puts if p.old)]
                       if old.work_id)
        inside = Counter(m.work_id for group in groups for m in group if m.work_id)
        held = self.works.holders_of(inside)
        outside = {work_id: held[work_id] + delta[work_id] - n for work_id, n in inside.items()}
        chosen: set[str] = set()

        def taken(work_id: str) -> bool:
            if work_id in chosen:
                return True
            return (outside[work_id] if work_id in outside
                    else self.works.holders(work_id) + delta[work_id]) > 0

        named: list[tuple[list[Member], str | None]] = []
        for group in groups:  # earlier ids first, biggest part first
            earlier = free_vote(Counter(m.work_id for m in group if m.work_id), taken)
            if earlier:
                chosen.add(earlier)
            named.append((group, earlier))
        moved: list[tuple[str, str, str]] = []
        for group, earlier in named:
            work_id = earlier or self._fresh(group, taken)  # once every earlier id is placed
            chosen.add(work_id)
            for member in group:
                if member.key not in batch and member.work_id != work_id:
                    moved.append((work_id, *member.key))
                member.work_id = work_id
        return chosen, moved

    def _fresh(self, group: list[Member], taken: Callable[[str], bool]) -> str:
        """A new id for a component nobody has named yet."""
        if not self.final_ids:
            if self._temporary is None:
                self._temporary = self.works.get_state("temporary_ids")
            self._temporary += 1
            return f"t{self._temporary}"
        return derived_id(anchor(group), taken)
