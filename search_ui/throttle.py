"""Counting recent events per key, so floods of password guesses or spam are refused.

An event is a row ``(kind, key, at)`` of the ``events`` table in ``<data_dir>/web.sqlite3``:
a failed login counts against the account name and against the client address, a
registration sent counts against the client address. A ``Limit`` allows at most ``most``
events of its kind for one key within ``window_seconds``; past it the caller refuses the
request (429) without doing the expensive part (a password hash, a provider check, an
import). Rows older than four windows of their kind are pruned whenever one is written.
No Flask here: ``search_ui.accounts`` (used by ``jala users``) counts with it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from config.webdb import opened

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_key ON events (kind, key, at);
"""
KEPT_WINDOWS = 4


@dataclass(frozen=True)
class Limit:
    """At most ``most`` events of ``kind`` for one key within ``window_seconds``."""

    kind: str
    most: int
    window_seconds: int

    def since(self) -> str:
        """The oldest timestamp still inside the window."""
        return _ago(self.window_seconds)


class Throttle:
    """The ``events`` table: record what happened, tell when a limit is reached."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def reached(self, limit: Limit, key: str) -> bool:
        """True when ``key`` already has ``limit.most`` events inside the window."""
        with opened(self.path, SCHEMA) as conn:
            count = conn.execute("SELECT count(*) FROM events WHERE kind=? AND key=? AND at>=?",
                                 (limit.kind, key, limit.since())).fetchone()[0]
        return count >= limit.most

    def record(self, events: Iterable[tuple[Limit, str]]) -> None:
        """Count one event per ``(limit, key)`` now, and forget events long past."""
        pairs = list(events)
        now = _ago(0)
        with opened(self.path, SCHEMA) as conn:
            conn.executemany("INSERT INTO events (kind, key, at) VALUES (?,?,?)",
                             [(limit.kind, key, now) for limit, key in pairs])
            conn.executemany("DELETE FROM events WHERE kind=? AND at<?",
                             [(limit.kind, _ago(limit.window_seconds * KEPT_WINDOWS))
                              for limit in {limit for limit, _key in pairs}])

    def forget(self, kind: str, key: str) -> None:
        """Drop every event of ``kind`` for ``key`` (a right password clears the account's)."""
        with opened(self.path, SCHEMA) as conn:
            conn.execute("DELETE FROM events WHERE kind=? AND key=?", (kind, key))


def _ago(seconds: int) -> str:
    """The UTC timestamp ``seconds`` ago, in the stored (sortable) form."""
    return (datetime.now(UTC) - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
