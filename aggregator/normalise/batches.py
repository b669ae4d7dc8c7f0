"""The change feed normalised batch by batch, optionally one batch ahead in a worker process.

Normalising (XML parse, mapping, schema) is pure and about a third of indexing's CPU;
clustering must stay in the one process that writes works.sqlite3. With ``workers=1`` a
spawned process normalises batch k+1 while the caller clusters batch k, so a rebuild or a
large backlog uses the second core. Spawned, not forked: the server that runs the indexer
has threads (waitress, the scheduler), and forking a threaded process is unsafe. Small
backlogs stay in-process: starting a worker costs more than it saves. The worker dies
with the process that started it (``config.children``): a SIGKILLed ``jala index
rebuild`` or ``jala serve`` leaves neither it nor multiprocessing's resource tracker behind.

Each outcome is the ``NormalisedRecord``, the ``UnmappableRecord`` explaining why not (it
pickles, so it crosses the process boundary), or None for a deletion.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context

from aggregator.normalise import UnmappableRecord, normalise
from aggregator.normalise.schema import NormalisedRecord
from config.children import die_with_parent
from harvester.store import StoredRecord

Outcome = NormalisedRecord | UnmappableRecord | None
Read = Callable[[int], list[StoredRecord]]
"""``read(after_seq)``: the next batch of the change feed (empty at its end)."""


def normalise_batch(changes: list[StoredRecord], max_bytes: int) -> list[Outcome]:
    """Each change's outcome, in order (runs in the worker process, or inline)."""
    outcomes: list[Outcome] = []
    for change in changes:
        if change.deleted:
            outcomes.append(None)
            continue
        try:
            outcomes.append(normalise(change, max_bytes))
        except UnmappableRecord as exc:
            outcomes.append(exc)
    return outcomes


def normalised_batches(read: Read, after: int, max_bytes: int, workers: int = 0
                       ) -> Iterator[tuple[list[StoredRecord], list[Outcome]]]:
    """Batches of changes after ``after`` with their outcomes, oldest first."""
    if workers <= 0:
        while changes := read(after):
            yield changes, normalise_batch(changes, max_bytes)
            after = changes[-1].seq
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        changes = read(after)
        pending: Future[list[Outcome]] | None = (
            pool.submit(normalise_batch, changes, max_bytes) if changes else None)
        while changes and pending is not None:
            following = read(changes[-1].seq)
            ahead = pool.submit(normalise_batch, following, max_bytes) if following else None
            yield changes, pending.result()
            changes, pending = following, ahead
