"""Blocking keys: which stored records a change must test for a title link, and no others.

A title link (``works.same_work``) needs equal title keys, one material family and, when
both records have authors, the first author of one contained in (or containing) an author
of the other, word set against word set; author-less records link only to author-less
records of the same publisher. Reading every record of a title made each change cost as
much as the title is common ("Matematika" by hundreds of authors in hundreds of school
libraries), so records are filed under keys any linkable pair shares:

- each author name under each of its words and each pair of its words, and a single-word
  name also under ``=word``; the first author in role ``f``, the others in role ``o``;
- an author-less record with a publisher under that publisher (role ``p``).

A name X looks up its pairs (or, when it is one word, that word) and ``=w`` for each of
its words: if X ⊆ Y or Y ⊆ X, the smaller name's words are all in the larger one, so they
share a pair, or the smaller is a single word the larger contains. The first author looks
in both roles, other authors only among first authors (a link always involves one
record's first author). Every key is prefixed by material family and title key. So a
change reads the records whose authors share two name words (or a one-word name) with
its own under the same title, however many records share the title.

Keys are stored and looked up as 64-bit integers (40 bits of the BLAKE2b digest of the
family and title, then 24 of the whole key's), which keeps the ``record_blocks`` index
small and a record's keys on neighbouring pages.
Equal texts give equal integers, so no link is ever lost; two texts that collide only
make a change read (and test with ``same_work``) a record it did not need to.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from hashlib import blake2b
from itertools import combinations

from aggregator.matching import MatchView

_SEP = "\x1f"


def _name_keys(words: frozenset[str]) -> list[str]:
    """Keys a name is filed under: its words, its word pairs, ``=word`` if it is one word."""
    ordered = sorted(words)
    keys = [*ordered, *(f"{a} {b}" for a, b in combinations(ordered, 2))]
    return [*keys, f"={ordered[0]}"] if len(ordered) == 1 else keys


def _name_probes(words: frozenset[str]) -> list[str]:
    """Keys a name looks up: every name in a subset relation with it is filed under one."""
    ordered = sorted(words)
    if len(ordered) == 1:
        return ordered
    return [*(f"={w}" for w in ordered), *(f"{a} {b}" for a, b in combinations(ordered, 2))]


def _digest(text: str, size: int) -> int:
    """The first ``size`` bytes of the text's BLAKE2b digest, as an unsigned integer."""
    return int.from_bytes(blake2b(text.encode("utf-8"), digest_size=size).digest(), "big")


def _hashed(prefix: str, keys: Iterable[str]) -> list[int]:
    """Keys as signed 64-bit integers (SQLite's INTEGER): 40 bits of the prefix's digest
    above 24 of the key's, so one title's keys sit together in the index; a collision only
    adds a candidate."""
    high = _digest(prefix, 5) << 24
    return sorted({(high | _digest(key, 3)) - (1 << 63) for key in keys})


def _prefix(view: MatchView) -> str:
    """Material family and title key: records differing in either never link by title."""
    return f"{view.family}{_SEP}{view.title_key}{_SEP}"


@lru_cache(maxsize=20_000)
def filed_keys(view: MatchView) -> tuple[int, ...]:
    """The blocking keys a record is stored under (none when it cannot link by title;
    cached: each library's copy of a book has the same view)."""
    if not view.title_key:
        return ()
    prefix = _prefix(view)
    if not view.authors:
        return tuple(_hashed(prefix, [f"{prefix}p{_SEP}{view.publisher}"]
                             if view.publisher else []))
    first, *others = view.authors
    keys = {f"{prefix}f{_SEP}{key}" for key in _name_keys(first)}
    keys.update(f"{prefix}o{_SEP}{key}" for name in others for key in _name_keys(name))
    return tuple(_hashed(prefix, keys))


@lru_cache(maxsize=20_000)
def probe_keys(view: MatchView) -> tuple[int, ...]:
    """The keys whose records may title-link with this view (a superset of its links)."""
    if not view.title_key:
        return ()
    prefix = _prefix(view)
    if not view.authors:
        publisher = [f"{prefix}p{_SEP}{view.publisher}"] if view.publisher else []
        return tuple(_hashed(prefix, publisher))
    first, *others = view.authors
    keys = {f"{prefix}{role}{_SEP}{key}" for key in _name_probes(first) for role in "fo"}
    keys.update(f"{prefix}f{_SEP}{key}" for name in others for key in _name_probes(name))
    return tuple(_hashed(prefix, keys))
