"""The run log: one row per harvest of one source, for ``jala sources`` and the dashboard.

A run is opened as ``running`` and closed with its final status: ``ok`` (listing complete),
``partial`` (records stored but the listing could not finish: token loop, bad pages),
``failed`` (nothing could be harvested) or ``interrupted`` (the process was asked to stop;
the next run resumes from the checkpoint). A run left ``running`` by a killed process is
closed as ``interrupted`` by the next run of the same source.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from harvester.store import utc_now

if TYPE_CHECKING:
    from harvester.store import RecordStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    mode TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    status TEXT NOT NULL,
    added INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    pages INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
)
"""
INDEX = "CREATE INDEX IF NOT EXISTS runs_source ON runs (source, id)"


@dataclass
class Run:
    """One harvest of one source and what it did."""

    source: str
    mode: str
    started: str
    status: str = "running"
    ended: str | None = None
    added: int = 0
    updated: int = 0
    deleted: int = 0
    rejected: int = 0
    pages: int = 0
    bytes: int = 0
    last_error: str | None = None
    id: int | None = None
    listed: int = field(default=0, metadata={"stored": False})
    list_size: int | None = field(default=None, metadata={"stored": False})
    """Records listed so far and the provider's completeListSize: for progress, not stored."""

    def summary(self) -> dict[str, object]:
        """The fields ``jala harvest --json`` prints."""
        return {"id": self.source, "status": self.status, "mode": self.mode,
                "added": self.added, "updated": self.updated, "deleted": self.deleted,
                "rejected": self.rejected, "pages": self.pages, "bytes": self.bytes,
                "error": self.last_error}


COLUMNS = [f.name for f in fields(Run) if f.name != "id" and f.metadata.get("stored", True)]


def create_tables(store: RecordStore) -> None:
    """Create the run table if missing."""
    store.db.execute(SCHEMA)
    store.db.execute(INDEX)


def open_run(store: RecordStore, source: str, mode: str) -> Run:
    """Record the start of a run (closing any run a killed process left open)."""
    run = Run(source=source, mode=mode, started=utc_now())
    with store.transaction() as db:
        db.execute("UPDATE runs SET status='interrupted' WHERE source=? AND status='running'",
                   (source,))
        cursor = db.execute(
            f"INSERT INTO runs ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            [getattr(run, c) for c in COLUMNS])
    run.id = cursor.lastrowid
    return run


def close_run(store: RecordStore, run: Run) -> None:
    """Write the run's final counts and status."""
    run.ended = utc_now()
    assignments = ", ".join(f"{c}=?" for c in COLUMNS)
    with store.transaction() as db:
        db.execute(f"UPDATE runs SET {assignments} WHERE id=?",
                   [*(getattr(run, c) for c in COLUMNS), run.id])


def recent(store: RecordStore, source: str | None = None, limit: int = 20) -> list[Run]:
    """The latest runs, newest first (of one source or all)."""
    where, args = ("WHERE source=?", (source,)) if source else ("", ())
    return _select(store, f"{where} ORDER BY id DESC LIMIT ?", (*args, limit))


def since(store: RecordStore, started: str) -> list[Run]:
    """Every run that started at or after the UTC stamp ``started``, oldest first."""
    return _select(store, "WHERE started >= ? ORDER BY id", (started,))


def _select(store: RecordStore, clauses: str, args: tuple[object, ...]) -> list[Run]:
    """Runs read with the SQL ``clauses`` after the table name."""
    rows = store.db.execute(f"SELECT {', '.join(COLUMNS)}, id FROM runs {clauses}", args)
    return [Run(**dict(zip([*COLUMNS, "id"], row, strict=True))) for row in rows]
