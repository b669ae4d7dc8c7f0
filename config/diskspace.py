"""Whether a failure is a full disk, and the one line that says so and what to do.

SQLite says "database or disk is full" (``SQLITE_FULL``) when a write finds no space, but
"disk I/O error" when it cannot even size the shared-memory file a WAL database needs to
be opened; Python says ``ENOSPC``. The free space left beside the file decides the I/O
error's case. ``full_disk_as_error`` turns a full disk into that line, exit status 1 and
no traceback, for ``jala serve`` and ``jala sources``; the dashboard words it with
``disk_full``.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

LOW_SPACE = 1 << 20
"""Free bytes below which an I/O error is taken for a full disk."""


def disk_full(exc: BaseException, directory: Path) -> bool:
    """True when ``exc`` (or an error it was raised from) means the disk of ``directory``
    has no room."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        if isinstance(seen, sqlite3.Error):
            name = getattr(seen, "sqlite_errorname", "")
            if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR")
                                         and free_bytes(directory) < LOW_SPACE):
                return True
        seen = seen.__cause__ or seen.__context__
    return False


def free_bytes(directory: Path) -> int:
    """Bytes free to this user on the disk holding ``directory`` (its nearest existing part)."""
    place = Path(directory).absolute()
    while not place.exists() and place != place.parent:
        place = place.parent
    return shutil.disk_usage(place).free


def full_disk_line(directory: Path, exc: BaseException) -> str:
    """The one line that names the full disk's folder, the error and the way out."""
    return (f"the disk holding {Path(directory).absolute()} is full ({exc}; "
            f"{free_bytes(directory):,} bytes free): free space there, then start again")


@contextmanager
def full_disk_as_error(directory: Path) -> Iterator[None]:
    """A command's failure caused by a full disk under ``directory`` ends it with that line."""
    try:
        yield
    except Exception as exc:
        if disk_full(exc, directory):
            raise click.ClickException(full_disk_line(directory, exc)) from exc
        raise
