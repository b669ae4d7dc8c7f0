"""Which of the libraries the agency knows of are in the network, and which are still to be
reached: the census's outreach worklist.

A known library (``search_ui.admin.known``) is matched to a source of the network by its
NPP (the source's census row), else by its folded name (case, accents, punctuation and
spacing ignored) where both name the same district or one names none. Pending
registrations are matched by name the same way. Each known library then is:

- ``publishing``: its source was harvested within ``[census] freshness_days`` and holds records;
- ``stale``: its source is in the network but not harvested within that target, or empty;
- ``pending``: it registered and waits for the agency's decision;
- ``not_joined``: never reached: it is on the outreach worklist.

Sources of the network that match no known library are listed apart, so the agency can
add them to its own list. No Flask here. Errors: none of its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from config.registrations import Registration
from search_ui.admin.indicators import Census, LibraryRow
from search_ui.admin.known import KnownLibrary

STATES = ("publishing", "stale", "pending", "not_joined")


@dataclass(frozen=True)
class OutreachRow:
    """A known library and what became of it."""

    known: KnownLibrary
    state: str
    source_id: str = ""


@dataclass(frozen=True)
class Outreach:
    """The known list matched against the network."""

    rows: list[OutreachRow]
    counts: Counter[str]
    unlisted: list[LibraryRow]

    @property
    def worklist(self) -> list[OutreachRow]:
        """The known libraries nobody has reached yet, in the list's order."""
        return [row for row in self.rows if row.state == "not_joined"]


def fold_name(name: str) -> str:
    """A name as compared: ASCII, lower case, words of letters and digits single-spaced."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _same_place(known: KnownLibrary, district_code: str) -> bool:
    """Whether two places can be one: equal, or one of them not said."""
    return not known.district_code or not district_code or known.district_code == district_code


def _source_of(known: KnownLibrary, libraries: list[LibraryRow]) -> LibraryRow | None:
    """The network's library this known one is: same NPP, else same name and place."""
    if known.npp:
        by_npp = next((r for r in libraries if r.profile and r.profile.npp == known.npp), None)
        if by_npp is not None:
            return by_npp
    name = fold_name(known.name)
    return next((r for r in libraries if fold_name(r.source.name) == name
                 and _same_place(known, r.district.code if r.district else "")), None)


def outreach(known: list[KnownLibrary], census: Census,
             pending: list[Registration]) -> Outreach:
    """Match every known library against the network and the pending registrations."""
    rows: list[OutreachRow] = []
    matched: set[str] = set()
    waiting = {fold_name(r.name) for r in pending}
    for library in known:
        source = _source_of(library, census.libraries)
        if source is not None:
            matched.add(source.source.id)
            fresh = not source.stale and source.collection.records > 0
            rows.append(OutreachRow(library, "publishing" if fresh else "stale",
                                    source.source.id))
        else:
            rows.append(OutreachRow(library, "pending" if fold_name(library.name) in waiting
                                    else "not_joined"))
    counts = Counter(row.state for row in rows)
    unlisted = [r for r in census.libraries if r.source.id not in matched]
    return Outreach(rows, counts, unlisted)
