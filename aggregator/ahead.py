"""Pure work done ahead in spawned worker processes, handed back in order.

The indexer's process must do the clustering and every write itself (one writer per
file); what is pure (normalising the change feed, building works and engine documents)
can run on the other cores meanwhile. ``worker_pool`` starts the processes once for a
whole run (spawned, not forked: the server that runs the indexer has threads, and forking
a threaded process is unsafe; each dies with the process that started it,
``config.children``, so a SIGKILLed ``jala index rebuild`` or ``jala serve`` leaves
neither it nor multiprocessing's resource tracker behind). ``Workers.ahead`` keeps a few
tasks in flight and yields their results in the order they were given. A task's arguments
and result cross the boundary pickled, so a task takes what is cheap to pickle (strings,
tuples, a few settings) rather than what is built from it, and returns only what the
caller needs. An exception raised in a worker is raised again by ``ahead`` (one that does
not pickle whole breaks the pool: ``config.dbfile.DamagedFile`` does).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any, TypeVar

from config.children import die_with_parent

T = TypeVar("T")
Task = tuple[Callable[..., T], tuple[Any, ...]]
"""A module-level function and its (picklable) arguments."""


class Workers:
    """A run's worker processes (none: the caller does its work itself, its own way)."""

    def __init__(self, pool: ProcessPoolExecutor | None, count: int) -> None:
        self.pool = pool
        self.count = count

    def ahead(self, tasks: Iterable[Task[T]]) -> Iterator[T]:
        """Each task's result in order; one task per worker and one more are in flight, so
        the workers stay busy while the caller uses a result (memory: that many results).
        Only with workers: without, callers do the work their own way."""
        if self.pool is None:
            raise ValueError("no worker processes to run tasks ahead in")
        pending: deque[Future[T]] = deque()
        waiting = iter(tasks)
        while True:
            while len(pending) <= self.count and (task := next(waiting, None)) is not None:
                pending.append(self.pool.submit(task[0], *task[1]))
            if not pending:
                return
            yield pending.popleft().result()


@contextmanager
def worker_pool(workers: int) -> Iterator[Workers]:
    """``workers`` spawned processes for the length of the block (0: none, in-process)."""
    if workers <= 0:
        yield Workers(None, 0)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        yield Workers(pool, workers)
