"""Counting recent events per key, so floods of password guesses or spam are refused.

An event is a row ``(kind, key, at)`` of the ``events`` table in ``<data_dir>/web.sqlite3``:
failed logins (``search_ui.login_guard`` says against which keys), a registration sent
against the client address. A ``Limit`` allows at most ``most`` events of its kind for one
key within ``window_seconds``; past it the caller refuses the request (429) without doing
the expensive part (a password hash, a provider check, an import). Rows older than four
windows of their kind are pruned whenever one is written. The clock can be handed in, so
tests move time instead of sleeping. No Flask here: ``jala users`` counts with it too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
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
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"
Clock = Callable[[], datetime]
REAL_CLOCK: Clock = partial(datetime.now, UTC)


@dataclass(frozen=True)
class Limit:
    """At most ``most`` events of ``kind`` for one key within ``window_seconds``."""

    kind: str
    most: int
    window_seconds: int


class Throttle:
    """The ``events`` table: record what happened, tell when a limit is reached."""

    def __init__(self, path: Path, clock: Clock = REAL_CLOCK) -> None:
        self.path = Path(path)
        self.clock = clock

    def _ago(self, seconds: float) -> str:
        """The UTC timestamp ``seconds`` ago, in the stored (sortable) form."""
        return (self.clock() - timedelta(seconds=seconds)).strftime(STAMP)

    def recent(self, limit: Limit, key: str) -> list[datetime]:
        """When the events of ``key`` inside the window happened, newest first."""
        with opened(self.path, SCHEMA) as conn:
            rows = conn.execute("SELECT at FROM events WHERE kind=? AND key=? AND at>=? "
                                "ORDER BY at DESC", (limit.kind, key,
                                                     self._ago(limit.window_seconds)))
            return [datetime.strptime(row[0], STAMP).replace(tzinfo=UTC) for row in rows]

    def reached(self, limit: Limit, key: str) -> bool:
        """True when ``key`` already has ``limit.most`` events inside the window."""
        return len(self.recent(limit, key)) >= limit.most

    def wait(self, limit: Limit, key: str) -> int:
        """Whole seconds until ``key`` is below the limit again (0 when it is now)."""
        recent = self.recent(limit, key)
        if len(recent) < limit.most:
            return 0
        frees = recent[limit.most - 1] + timedelta(seconds=limit.window_seconds)
        return self.seconds_until(frees)

    def seconds_until(self, moment: datetime) -> int:
        """Whole seconds from now until ``moment`` (at least 1 while it is ahead, else 0)."""
        return max(0, math.ceil((moment - self.clock()).total_seconds()))

    def record(self, events: Iterable[tuple[Limit, str]]) -> None:
        """Count one event per ``(limit, key)`` now, and forget events long past."""
        pairs = list(events)
        now = self._ago(0)
        with opened(self.path, SCHEMA) as conn:
            conn.executemany("INSERT INTO events (kind, key, at) VALUES (?,?,?)",
                             [(limit.kind, key, now) for limit, key in pairs])
            conn.executemany("DELETE FROM events WHERE kind=? AND at<?",
                             [(limit.kind, self._ago(limit.window_seconds * KEPT_WINDOWS))
                              for limit in {limit for limit, _key in pairs}])

    def forget(self, kind: str, key: str) -> None:
        """Drop every event of ``kind`` for ``key`` (a right password clears its failures)."""
        with opened(self.path, SCHEMA) as conn:
            conn.execute("DELETE FROM events WHERE kind=? AND key=?", (kind, key))

    def forget_suffix(self, kind: str, suffix: str) -> None:
        """Drop every event of ``kind`` whose key ends with ``suffix`` (one name's pairs)."""
        with opened(self.path, SCHEMA) as conn:
            conn.execute("DELETE FROM events WHERE kind=? AND substr(key, -?) = ?",
                         (kind, len(suffix), suffix))
