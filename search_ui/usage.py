"""How much the network is used, per library and day, without anything about the person:
work-page views and WhatsApp "ask or reserve" and "extend a loan" clicks.

Counted on the server: a work page counts one view for every library holding the work;
the WhatsApp buttons of a work page lead through ``/karya/<work>/wa/<library>/<kind>``,
which counts the click and redirects to ``wa.me``. Only (UTC day, library, event) and a
count are kept: no address, no cookie, no work id (table ``usage`` of
``<data_dir>/web.sqlite3``). Requests that reach the server are counted, crawlers'
included (the redirect links carry ``rel="nofollow"``, the redirect ``noindex``). Counts
gather in memory and are written at most every ``FLUSH_SECONDS`` and before every read,
so a page view never waits on the disk more than once in that time; a crash loses at most
those seconds of counts. No Flask here.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from config.webdb import WebStore, opened

SCHEMA = """
CREATE TABLE IF NOT EXISTS usage (
    day TEXT NOT NULL,
    library TEXT NOT NULL,
    event TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, library, event)
);
"""
EVENTS = ("view", "ask", "extend")
FLUSH_SECONDS = 5.0


def _today() -> str:
    """The UTC day, as stored."""
    return datetime.now(UTC).strftime("%Y-%m-%d")


class UsageCounts(WebStore):
    """The ``usage`` table, fed through an in-memory tally shared by the web threads."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._lock = threading.Lock()
        self._pending: Counter[tuple[str, str, str]] = Counter()
        self._flushed = time.monotonic()

    def count(self, event: str, libraries: Iterable[str]) -> None:
        """Count one ``event`` for each of ``libraries``; write the tally when it is due."""
        if event not in EVENTS:
            raise ValueError(f"unknown usage event {event!r}")
        day = _today()
        with self._lock:
            self._pending.update((day, library, event) for library in set(libraries))
            due = time.monotonic() - self._flushed >= FLUSH_SECONDS
        if due:
            self.flush()

    def flush(self) -> None:
        """Write the tally gathered so far."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._flushed = time.monotonic()
        if not pending:
            return
        with opened(self.path, SCHEMA) as conn:
            conn.executemany("INSERT INTO usage (day, library, event, n) VALUES (?,?,?,?) "
                             "ON CONFLICT (day, library, event) DO UPDATE SET n = n + excluded.n",
                             [(*key, n) for key, n in pending.items()])

    def totals(self, days: int) -> Counter[tuple[str, str]]:
        """(library, event) → count over the last ``days`` UTC days, today included."""
        self.flush()
        since = (datetime.now(UTC) - timedelta(days=days - 1)).strftime("%Y-%m-%d")
        with opened(self.path, SCHEMA) as conn:
            rows = conn.execute("SELECT library, event, SUM(n) FROM usage WHERE day >= ? "
                                "GROUP BY library, event", (since,)).fetchall()
        return Counter({(library, event): n for library, event, n in rows})
