"""Per-source harvest state kept beside the records: high-water mark, checkpoint, schedule.

The checkpoint of a listing in progress is written in the same transaction as the page it
follows (``commit_page``), so after a kill the next run resumes from the exact token.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from harvester.store import PageOutcome, StoredRecord

if TYPE_CHECKING:
    from harvester.store import RecordStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS source_state (
    source TEXT PRIMARY KEY,
    high_water TEXT,
    checkpoint TEXT,
    generation INTEGER NOT NULL DEFAULT 0,
    last_success TEXT,
    last_reconcile TEXT,
    last_error TEXT,
    next_run TEXT,
    notes TEXT NOT NULL DEFAULT '{}'
);
"""


@dataclass
class Checkpoint:
    """Where a listing stands: its arguments, the next token and the sets still to do."""

    mode: str
    metadata_prefix: str
    from_: str | None = None
    sets: list[str] = field(default_factory=lambda: [""])
    token: str | None = None
    response_date: str | None = None
    generation: int = 0
    restarts: int = 0
    unidentified_rejections: int = 0
    base_url: str | None = None

    @property
    def current_set(self) -> str | None:
        """The set being listed (None: the whole repository)."""
        return self.sets[0] or None if self.sets else None

    def to_json(self) -> str:
        """Serialise for the state table."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | None) -> Checkpoint | None:
        """Parse what ``to_json`` wrote (None when no listing is in progress)."""
        return cls(**json.loads(text)) if text else None


@dataclass
class SourceState:
    """Everything the harvester remembers about one source between runs."""

    source: str
    high_water: str | None = None
    checkpoint: Checkpoint | None = None
    generation: int = 0
    last_success: str | None = None
    last_reconcile: str | None = None
    last_error: str | None = None
    next_run: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def create_tables(store: RecordStore) -> None:
    """Create the state table if missing."""
    with store.transaction() as db:
        db.execute(SCHEMA)


def load(store: RecordStore, source: str) -> SourceState:
    """The state of ``source`` (a fresh one when never harvested)."""
    row = store.db.execute(
        "SELECT high_water, checkpoint, generation, last_success, last_reconcile, "
        "last_error, next_run, notes FROM source_state WHERE source=?", (source,)).fetchone()
    if row is None:
        return SourceState(source)
    high, checkpoint, generation, success, reconcile, error, next_run, notes = row
    return SourceState(source, high, Checkpoint.from_json(checkpoint), generation, success,
                       reconcile, error, next_run, json.loads(notes))


def save(db: sqlite3.Connection, state: SourceState) -> None:
    """Write ``state`` inside the caller's transaction."""
    checkpoint = state.checkpoint.to_json() if state.checkpoint else None
    db.execute(
        "INSERT INTO source_state (source, high_water, checkpoint, generation, last_success, "
        "last_reconcile, last_error, next_run, notes) VALUES (?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (source) DO UPDATE SET high_water=excluded.high_water, "
        "checkpoint=excluded.checkpoint, generation=excluded.generation, "
        "last_success=excluded.last_success, last_reconcile=excluded.last_reconcile, "
        "last_error=excluded.last_error, next_run=excluded.next_run, notes=excluded.notes",
        (state.source, state.high_water, checkpoint, state.generation, state.last_success,
         state.last_reconcile, state.last_error, state.next_run, json.dumps(state.notes)))


def update(store: RecordStore, state: SourceState) -> None:
    """Write ``state`` in its own transaction."""
    with store.transaction() as db:
        save(db, state)


def commit_page(store: RecordStore, state: SourceState, records: Iterable[StoredRecord],
                generation: int = 0, seen: Iterable[str] = ()) -> PageOutcome:
    """Store one page and the state's checkpoint atomically; return what changed.

    ``generation`` stamps the records and the ``seen`` identifiers (listed but rejected),
    so the sweep after a complete listing never deletes what the provider still has.
    """
    with store.transaction() as db:
        outcome = store.write_records(db, records, generation)
        if generation:
            store.touch(db, state.source, seen, generation)
        save(db, state)
    return outcome
