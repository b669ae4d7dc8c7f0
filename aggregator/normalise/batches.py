"""The change feed normalised batch by batch, optionally ahead in worker processes.

Normalising (XML parse, mapping, schema, matching view) is pure and the largest part of
indexing's CPU; clustering must stay in the one process that writes works.sqlite3. Given
worker processes (``aggregator.ahead``), the next batches are normalised while the caller
clusters the current one, so a rebuild or a large backlog uses the other cores. A worker
reads its batch from the record store itself (the caller hands it the seq range, read
from the seq index) and sends back each change's key, seq and outcome as strings and
small tuples: the XML never crosses the boundary, and pickling records and their
normalised objects both ways had cost a tenth of a rebuild's CPU. Small backlogs stay
in-process: starting a worker costs more than it saves.

Each outcome is the record's ``Mapped`` form, the ``UnmappableRecord`` explaining why not
(it pickles, so it crosses the process boundary), or None for a deletion.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from aggregator.ahead import Workers
from aggregator.matching import Mapped
from aggregator.normalise import UnmappableRecord, normalise
from config.dbfile import damage_in
from harvester.store import RecordStore, StoredRecord, StoreError

Outcome = Mapped | UnmappableRecord | None


class Normalised(NamedTuple):
    """One change of the feed as the indexer takes it: what it was, and what it became."""

    source: str
    identifier: str
    seq: int
    metadata_prefix: str
    datestamp: str
    outcome: Outcome


_stores: dict[str, RecordStore] = {}
"""A worker's record store, opened once per process."""


def normalise_batch(changes: list[StoredRecord], max_bytes: int) -> list[Normalised]:
    """Each change with its outcome, in order."""
    done: list[Normalised] = []
    for change in changes:
        outcome: Outcome = None
        if not change.deleted:
            try:
                outcome = Mapped.of(normalise(change, max_bytes))
            except UnmappableRecord as exc:
                outcome = exc
        done.append(Normalised(change.source, change.identifier, change.seq,
                               change.metadata_prefix, change.datestamp, outcome))
    return done


def _normalise_range(path: str, after: int, until: int, limit: int,
                     max_bytes: int) -> list[Normalised]:
    """The worker's task: read the changes in (``after``, ``until``] and normalise them
    (a damaged store is raised as the ``DamagedFile`` itself, which crosses back whole)."""
    store = _stores.get(path)
    if store is None:
        store = _stores[path] = RecordStore(Path(path), create=False)
    try:
        changes = store.changes(after, limit, until)
    except StoreError as exc:
        damage = damage_in(exc)
        if damage is None:
            raise
        raise damage from None
    return normalise_batch(changes, max_bytes)


def normalised_batches(store: RecordStore, after: int, size: int, max_bytes: int,
                       workers: Workers) -> Iterator[list[Normalised]]:
    """Batches of at most ``size`` changes after ``after``, normalised, oldest first."""
    if workers.pool is None:
        while changes := store.changes(after, size):
            yield normalise_batch(changes, max_bytes)
            after = changes[-1].seq
        return
    tasks = ((_normalise_range, (str(store.path), start, end, size, max_bytes))
             for start, end in _ranges(store, after, size))
    yield from (batch for batch in workers.ahead(tasks) if batch)  # empty: changed again


def _ranges(store: RecordStore, after: int, size: int) -> Iterator[tuple[int, int]]:
    """Consecutive seq ranges (after, until] of at most ``size`` changes each."""
    while (until := store.batch_end(after, size)) is not None:
        yield after, until
        after = until
