"""Search analytics: what patrons look for and what they do not find, for the dashboard.

Each query's text, filters, sort, hit count, latency and channel (``site``: the patron
site; ``api``; ``cli``) go to SQLite (``<data_dir>/analytics.sqlite3``); the dashboard's
figures count the site's searches, the others are counted apart. Searches the server makes
for itself (sitemaps, statistics) are not logged. Nothing about the person is kept: no address, no
cookie, no session. The hot path only appends the query to an in-memory queue; a
background thread formats and writes batches, so a search never waits on the disk. A
damaged file raises ``config.dbfile.DamagedFile`` when the log is opened (``DAMAGED``).
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aggregator.query import SearchQuery
from config import dbfile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    text TEXT NOT NULL,
    filters TEXT NOT NULL,
    sort TEXT NOT NULL,
    page INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    took_ms REAL NOT NULL,
    channel TEXT NOT NULL DEFAULT 'site'
);
CREATE INDEX IF NOT EXISTS queries_at ON queries (at);
"""
_BATCH = 500
DAMAGED = "move it aside: a new search log starts (only the search statistics are lost)"
"""The way out of a damaged ``analytics.sqlite3`` (``config.dbfile``)."""
WRITE_DELAY = 0.5
"""Seconds searches gather before one write (a read flushes at once): not one per search."""


@dataclass(frozen=True)
class QueryCount:
    """A normalised query text, how often it was asked, and its latest hit count."""

    text: str
    count: int
    hits: int


class QueryLog:
    """Append-only log of searches with the reads the dashboard needs."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(queries)")}
            if "channel" not in columns:
                conn.execute("ALTER TABLE queries ADD COLUMN channel TEXT NOT NULL "
                             "DEFAULT 'site'")
        self._queue: queue.Queue[tuple[float, SearchQuery, int, float, str] | None] = \
            queue.Queue()
        self._hurry = threading.Event()
        self._writer = threading.Thread(target=self._drain, name="query-log", daemon=True)
        self._writer.start()

    def record(self, query: SearchQuery, hits: int, took_ms: float, channel: str = "site"
               ) -> None:
        """Queue one search for writing (cheap: formatting and disk on the writer thread)."""
        self._queue.put((time.time(), query, hits, took_ms, channel))

    def flush(self) -> None:
        """Wait until every queued search is on disk."""
        if self._writer.is_alive():
            self._hurry.set()
            self._queue.join()

    def top_queries(self, limit: int = 20, days: int = 30) -> list[QueryCount]:
        """The most asked query texts over the last ``days`` (empty text left out)."""
        return self._counts("", limit, days)

    def zero_result_queries(self, limit: int = 20, days: int = 30) -> list[QueryCount]:
        """The most asked query texts that found nothing: the collection's gaps."""
        return self._counts("AND hits = 0", limit, days)

    def summary(self, days: int = 30) -> dict[str, float]:
        """Searches, share with no result and median latency over the last ``days``."""
        self.flush()
        with self._connect() as conn:
            total, zero = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(hits = 0), 0) FROM queries "
                "WHERE at >= ? AND channel = 'site'", (_since(days),),
            ).fetchone()
            median = conn.execute(
                "SELECT took_ms FROM queries WHERE at >= ? AND channel = 'site' "
                "ORDER BY took_ms LIMIT 1 OFFSET ?", (_since(days), max(0, (total - 1) // 2)),
            ).fetchone()
            others = dict(conn.execute(
                "SELECT channel, COUNT(*) FROM queries WHERE at >= ? AND channel != 'site' "
                "GROUP BY channel", (_since(days),)).fetchall())
        return {"searches": total, "zero_result_share": zero / total if total else 0.0,
                "median_ms": median[0] if median else 0.0,
                "api_searches": others.get("api", 0), "cli_searches": others.get("cli", 0)}

    def per_day(self, days: int = 30, utc_offset_seconds: int = 0) -> list[tuple[str, int, int]]:
        """(day, searches, searches that found nothing) of the site, oldest day first; days
        are counted in the zone ``utc_offset_seconds`` east of UTC (the province's)."""
        self.flush()
        with self._connect() as conn:
            return [tuple(row) for row in conn.execute(
                "SELECT date(at, ?) AS day, COUNT(*), COALESCE(SUM(hits = 0), 0) FROM queries "
                "WHERE at >= ? AND channel = 'site' GROUP BY day ORDER BY day",
                (f"{utc_offset_seconds:+d} seconds", _since(days)))]

    def close(self) -> None:
        """Write what is queued and stop the writer thread."""
        self._queue.put(None)
        self._hurry.set()
        self._writer.join(timeout=10)

    def _counts(self, condition: str, limit: int, days: int) -> list[QueryCount]:
        """Group query texts over a window, most frequent first."""
        self.flush()
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT text, COUNT(*) AS n, MAX(id) FROM queries "
                f"WHERE at >= ? AND text != '' AND channel = 'site' {condition} "
                "GROUP BY text ORDER BY n DESC, text LIMIT ?",
                (_since(days), limit),
            ).fetchall()
            latest = {text: conn.execute("SELECT hits FROM queries WHERE id = ?", (last,))
                      .fetchone()[0] for text, _, last in rows}
        return [QueryCount(text, n, latest[text]) for text, n, _ in rows]

    def _drain(self) -> None:
        """Background writer: batch queued searches into one transaction each."""
        conn = self._connect()
        while True:
            item = self._queue.get()
            if item is not None and self._queue.qsize() < _BATCH:
                self._hurry.wait(WRITE_DELAY)
                self._hurry.clear()
            batch = [item] if item is not None else []
            while item is not None and len(batch) < _BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    batch.append(item)
            if batch:
                with conn:
                    conn.executemany(
                        "INSERT INTO queries (at, text, filters, sort, page, hits, took_ms, "
                        "channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [_row(*item) for item in batch])
            for _ in range(len(batch) + (item is None)):
                self._queue.task_done()
            if item is None:
                conn.close()
                return

    def _connect(self) -> sqlite3.Connection:
        """A connection in WAL mode so the dashboard reads while searches are written."""
        conn = dbfile.connect(self.path, DAMAGED, timeout=10, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn


def _row(at: float, query: SearchQuery, hits: int, took_ms: float, channel: str) -> tuple:
    """The stored row of one search: UTC time, normalised text, filters as JSON."""
    filters = {k: list(v) for k, v in sorted(query.filters.items()) if v}
    if query.year_from is not None or query.year_to is not None:
        filters["year_range"] = [str(query.year_from or ""), str(query.year_to or "")]
    return (
        datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        " ".join(query.text.lower().split())[:500],
        json.dumps(filters, ensure_ascii=False, sort_keys=True),
        query.sort,
        query.page,
        hits,
        round(took_ms, 3),
        channel,
    )


def _since(days: int) -> str:
    """The UTC timestamp ``days`` ago, in the stored format."""
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
