"""The change feed normalised batch by batch, optionally ahead in worker processes.

Normalising (XML parse, mapping, schema, matching view) is pure and the largest part of
indexing's CPU; clustering must stay in the one process that writes works.sqlite3. With
``workers=n`` spawned processes normalise the next batches while the caller clusters the
current one, so a rebuild or a large backlog uses the other core. A worker reads its batch
from the record store itself (the caller hands it the seq range, read from the seq index)
and sends back each change's key, seq and outcome as strings and small tuples: the XML
never crosses the boundary, and pickling records and their normalised objects both ways
had cost a tenth of a rebuild's CPU. Spawned, not forked: the server that runs the indexer
has threads (waitress, the scheduler), and forking a threaded process is unsafe. Small
backlogs stay in-process: starting a worker costs more than it saves. A worker dies with
the process that started it (``config.children``): a SIGKILLed ``jala index rebuild`` or
``jala serve`` leaves neither it nor multiprocessing's resource tracker behind.

Each outcome is the record's ``Mapped`` form, the ``UnmappableRecord`` explaining why not
(it pickles, so it crosses the process boundary), or None for a deletion.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import NamedTuple

from aggregator.matching import Mapped
from aggregator.normalise import UnmappableRecord, normalise
from config.children import die_with_parent
from harvester.store import RecordStore, StoredRecord

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
    """The worker's task: read the changes in (``after``, ``until``] and normalise them."""
    store = _stores.get(path)
    if store is None:
        store = _stores[path] = RecordStore(Path(path), create=False)
    return normalise_batch(store.changes(after, limit, until), max_bytes)


def normalised_batches(store: RecordStore, after: int, size: int, max_bytes: int,
                       workers: int = 0) -> Iterator[list[Normalised]]:
    """Batches of at most ``size`` changes after ``after``, normalised, oldest first."""
    if workers <= 0:
        while changes := store.changes(after, size):
            yield normalise_batch(changes, max_bytes)
            after = changes[-1].seq
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        pending: deque[Future[list[Normalised]]] = deque()
        while True:
            while len(pending) <= workers and (until := store.batch_end(after, size)):
                pending.append(pool.submit(_normalise_range, str(store.path), after, until,
                                           size, max_bytes))
                after = until
            if not pending:
                return
            if batch := pending.popleft().result():  # empty: its records changed again
                yield batch
