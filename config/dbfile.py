"""Every SQLite file of the project, opened so that a damaged one is named with its way out.

Each store connects through ``connect(path, remedy, ...)`` (``sqlite3.connect``'s keyword
arguments pass through). The connection reads the schema at once, and on that first read
and on every later statement or fetch it turns SQLite's "file is not a database" and
"database disk image is malformed" (a file overwritten, truncated or not SQLite at all)
into ``DamagedFile``, whose message names the file and the remedy its store gave:
restore a backup, re-harvest, rebuild, re-import. ``jala.cli`` reports it as one error
line (exit status 1) wherever it surfaces, also wrapped in a store's own error.

Errors: ``DamagedFile``, a ``sqlite3.DatabaseError`` so that code handling SQLite errors
still handles it; every other ``sqlite3.Error`` (locked, read-only, disk full) passes
unchanged.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
"""Primary result codes that mean the file's content is not a sound database."""


class DamagedFile(sqlite3.DatabaseError):
    """A store's file cannot be read as a database: names it and the way out."""

    def __init__(self, path: Path, reason: str, remedy: str) -> None:
        super().__init__(f"{path} is damaged ({reason}): {remedy}")
        self.path = path
        self.reason = reason
        self.remedy = remedy

    def __reduce__(self) -> tuple[type[DamagedFile], tuple[Path, str, str]]:
        """Pickled whole, so one raised in a worker process is reported as damage."""
        return DamagedFile, (self.path, self.reason, self.remedy)


def damage_in(error: BaseException | None) -> DamagedFile | None:
    """The ``DamagedFile`` behind an error (itself, or what it was raised from), if any."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DamagedFile):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def connect(path: Path, remedy: str, **options: Any) -> sqlite3.Connection:
    """A connection to ``path`` whose damage errors name it and ``remedy``; schema read once."""
    conn = sqlite3.connect(path, factory=CheckedConnection, **options)
    conn.file, conn.remedy = Path(path), remedy
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def _damage(conn: CheckedConnection, error: sqlite3.DatabaseError) -> DamagedFile | None:
    """``error`` as a ``DamagedFile`` of ``conn``'s file, or None when it is no damage."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(error, DamagedFile) or code is None or code & 0xFF not in DAMAGE_CODES:
        return None
    return DamagedFile(conn.file, str(error), conn.remedy)


def _checked(method: Callable[..., Any]) -> Callable[..., Any]:
    """A cursor method that raises ``DamagedFile`` where SQLite finds the file damaged."""

    @functools.wraps(method)
    def run(cursor: sqlite3.Cursor, *args: Any) -> Any:
        try:
            return method(cursor, *args)
        except sqlite3.DatabaseError as exc:
            damage = _damage(cursor.connection, exc)
            if damage is None:
                raise
            raise damage from exc

    return run


class CheckedConnection(sqlite3.Connection):
    """A connection whose statements run on ``CheckedCursor``s."""

    file: Path
    remedy: str

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        """A cursor that names this file when it finds damage."""
        return super().cursor(factory or CheckedCursor)

    def execute(self, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        """``Cursor.execute`` on a checked cursor (the C method would use a plain one)."""
        return self.cursor().execute(*args)

    def executemany(self, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        """``Cursor.executemany`` on a checked cursor."""
        return self.cursor().executemany(*args)

    def executescript(self, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        """``Cursor.executescript`` on a checked cursor."""
        return self.cursor().executescript(*args)


class CheckedCursor(sqlite3.Cursor):
    """A cursor on which damage may show at any statement or page read, named when it does."""

    execute = _checked(sqlite3.Cursor.execute)
    executemany = _checked(sqlite3.Cursor.executemany)
    executescript = _checked(sqlite3.Cursor.executescript)
    fetchone = _checked(sqlite3.Cursor.fetchone)
    fetchmany = _checked(sqlite3.Cursor.fetchmany)
    fetchall = _checked(sqlite3.Cursor.fetchall)
    __next__ = _checked(sqlite3.Cursor.__next__)
