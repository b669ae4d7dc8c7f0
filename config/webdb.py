"""The web role's own SQLite file, ``<data_dir>/web.sqlite3``: accounts, registrations, jobs.

Kept apart from the record store (the harvester's file) so that the web role never writes
where the worker writes; each concept creates its own tables on first use. A damaged file
raises ``config.dbfile.DamagedFile`` naming it, with ``DAMAGED`` as its way out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from config import dbfile
from config.settings import Settings

FILE_NAME = "web.sqlite3"
DAMAGED = ("restore it from a backup: it alone holds the dashboard's accounts, registrations "
           "and jobs")
"""The way out of a damaged ``web.sqlite3`` (``config.dbfile``)."""


def web_db_path(settings: Settings) -> Path:
    """Where the web role's database lives."""
    return settings.data_dir / FILE_NAME


Columns = dict[str, dict[str, str]]
"""Columns added to tables after their first release: ``{table: {column: declaration}}``."""


def connect(path: Path, schema: str = "", added: Columns | None = None) -> sqlite3.Connection:
    """A connection in WAL mode (readers never wait for the writer), ``schema`` applied.

    ``added`` columns missing from a file made by an older release are added to it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = dbfile.connect(path, DAMAGED, timeout=30, isolation_level=None,
                          check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.row_factory = sqlite3.Row
    if schema:
        conn.executescript(schema)
    for table, columns in (added or {}).items():
        present = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
        for column, declaration in columns.items():
            if column not in present:
                try:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
                except sqlite3.OperationalError as exc:  # another connection added it first
                    if "duplicate column" not in str(exc):
                        raise
    return conn


@contextmanager
def opened(path: Path, schema: str = "", added: Columns | None = None,
           ) -> Iterator[sqlite3.Connection]:
    """``connect`` for the length of a block, closed after it (uncommitted work rolls back)."""
    conn = connect(path, schema, added)
    try:
        yield conn
    finally:
        conn.close()


def insert_statement(table: str, columns: list[str], verb: str = "INSERT") -> str:
    """An INSERT of one row's ``columns`` into ``table`` with a placeholder each."""
    return (f"{verb} INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})")


class WebStore:
    """A store kept in ``web.sqlite3``: opened on a path, or found from the settings."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def at(cls, settings: Settings) -> Self:
        """The store under ``settings.data_dir``."""
        return cls(web_db_path(settings))
