"""How the worker's indexing is going, kept in memory for the dashboard of the same process.

Kept in memory, never in a file: when the disk is full no file can be written, and that is
when the dashboard must say so. ``IndexingHealth`` is written by ``aggregator.worker`` and
read by the dashboard (``IndexingHealth.state()``, a frozen snapshot) from any thread.
After a failure the next attempt waits ``[aggregator] index_retry_seconds``, doubled after
every further failure up to ``index_retry_max_seconds``; a success resets it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class IndexingState:
    """One moment of the worker's indexing: what it is doing, what went wrong since when."""

    behind: int = 0
    """Record-store changes the running indexing run started behind (0 when idle)."""
    failing_since: datetime | None = None
    error: str = ""
    retry_seconds: int = 0
    full_folder: str = ""
    """The folder whose disk was full when it last failed ("" when none was)."""

    @property
    def catching_up(self) -> bool:
        """True while a run is indexing changes the search does not show yet."""
        return self.behind > 0


class IndexingHealth:
    """The worker's indexing state, and when it may next try after a failure."""

    def __init__(self, first_retry: int, max_retry: int) -> None:
        self.first_retry = first_retry
        self.max_retry = max_retry
        self._guard = threading.Lock()
        self._state = IndexingState()
        self._next_attempt: datetime | None = None

    def state(self) -> IndexingState:
        """The current snapshot."""
        with self._guard:
            return self._state

    def due(self, now: datetime | None = None) -> bool:
        """True unless a failure's retry interval has not passed yet."""
        with self._guard:
            return self._next_attempt is None or (now or _now()) >= self._next_attempt

    def started(self, behind: int) -> None:
        """A run begins ``behind`` changes behind the record store."""
        with self._guard:
            self._state = replace(self._state, behind=behind)

    def succeeded(self) -> None:
        """A run ended well: no failure stands, no retry waits."""
        with self._guard:
            self._state = IndexingState()
            self._next_attempt = None

    def failed(self, error: BaseException, full_folder: str = "",
               now: datetime | None = None) -> int:
        """A run failed: remember since when, why and which full disk; return the seconds
        until the next try."""
        moment = now or _now()
        with self._guard:
            previous = self._state
            wait = self.first_retry if previous.failing_since is None \
                else min(self.max_retry, max(self.first_retry, previous.retry_seconds * 2))
            self._state = IndexingState(
                failing_since=previous.failing_since or moment,
                error=str(error) or type(error).__name__, retry_seconds=wait,
                full_folder=full_folder)
            self._next_attempt = moment + timedelta(seconds=wait)
            return wait


def _now() -> datetime:
    """The current UTC time."""
    return datetime.now(UTC)

