"""One write transaction on an autocommit SQLite connection, for every store in the project.

Our stores open connections with ``isolation_level=None`` (autocommit, WAL) and take the
write lock up front with ``BEGIN IMMEDIATE``, so a writer never deadlocks upgrading a read
lock and readers in other processes are never blocked. ``begin_error`` lets a store turn
a failure to begin (locked past its timeout, read-only file) into its own boundary's
exception, as the one-hierarchy-per-boundary rule asks.

On an error inside the block the transaction is rolled back only while one is open:
SQLite rolls back by itself after some errors (``SQLITE_FULL``: database or disk is full),
and a second ROLLBACK would raise "no transaction is active" in place of the real error,
which always propagates unchanged.

``chunks`` and ``keys_table`` are for reading many rows by key in few statements: SQLite
caps the parameters of one statement, so keys go in slices, each as a ``VALUES`` table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


class Transaction:
    """``with Transaction(db) as db``: BEGIN IMMEDIATE, then COMMIT, or ROLLBACK on error."""

    def __init__(self, db: sqlite3.Connection,
                 begin_error: Callable[[str], Exception] | None = None) -> None:
        self.db = db
        self.begin_error = begin_error

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            if self.begin_error is None:
                raise
            raise self.begin_error(f"cannot begin a write transaction: {exc}") from exc
        return self.db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.db.execute("COMMIT")
        elif self.db.in_transaction:  # SQLite may have rolled back already (SQLITE_FULL)
            self.db.execute("ROLLBACK")


def chunks(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size``: SQLite caps the parameters of one statement."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def keys_table(count: int) -> str:
    """``WITH k(source, identifier) AS (VALUES ...)`` for ``count`` record keys (two
    parameters each), to join a statement's tables against."""
    return f"WITH k(source, identifier) AS (VALUES {','.join(['(?, ?)'] * count)}) "
