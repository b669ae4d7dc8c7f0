"""The shared write transaction: commits, rolls back, and names a failure to begin."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from config.sqlite import Transaction


class BoundaryError(Exception):
    """A store's own error for a local failure."""


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit WAL connection that gives up on a lock at once."""
    db = sqlite3.connect(path, timeout=0, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS t (v INTEGER)")
    return db


def test_commits_a_block_and_rolls_back_one_that_raised(tmp_path: Path) -> None:
    db = connect(tmp_path / "a.sqlite3")
    with Transaction(db):
        db.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(RuntimeError), Transaction(db):
        db.execute("INSERT INTO t VALUES (2)")
        raise RuntimeError("half way")
    assert [row[0] for row in db.execute("SELECT v FROM t")] == [1]
    assert not db.in_transaction


def test_a_locked_database_is_the_callers_error_or_sqlites(tmp_path: Path) -> None:
    holder, waiter = connect(tmp_path / "b.sqlite3"), connect(tmp_path / "b.sqlite3")
    with Transaction(holder):
        with pytest.raises(BoundaryError, match="cannot begin a write transaction"):
            Transaction(waiter, BoundaryError).__enter__()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            Transaction(waiter).__enter__()
    with Transaction(waiter):
        waiter.execute("INSERT INTO t VALUES (3)")
    assert holder.execute("SELECT count(*) FROM t").fetchone()[0] == 1


def test_a_full_database_reports_itself_not_a_failed_rollback(tmp_path: Path) -> None:
    # PRAGMA max_page_count makes the file "full" as a full disk does: SQLite answers
    # SQLITE_FULL and, for a statement without a statement journal (one row), rolls the
    # whole transaction back on its own.
    db = connect(tmp_path / "c.sqlite3")
    with Transaction(db):
        db.execute("INSERT INTO t VALUES (1)")
    db.execute(f"PRAGMA max_page_count={db.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"), \
            Transaction(db):
        db.execute("INSERT INTO t VALUES (2)")
        db.execute("INSERT INTO t VALUES (randomblob(100000))")
    assert not db.in_transaction
    assert [row[0] for row in db.execute("SELECT v FROM t")] == [1]
