"""One writer per index across processes: an exclusive ``flock`` on a file beside it.

The server's worker, the scheduler and CLI commands (``jala index rebuild``) all open the
index through this lock, so a second writer fails at once with ``IndexLockedError``
instead of corrupting what the first is writing. The kernel drops the lock when the
holder exits, even after a crash, so a stale lock file never blocks anyone.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from aggregator.engine.base import IndexLockedError


class WriterLock:
    """An exclusive, non-blocking lock on ``path`` held until ``release``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self) -> WriterLock:
        """Take the lock or raise ``IndexLockedError`` naming the holder's process id."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "another process"
            os.close(fd)
            raise IndexLockedError(
                f"the index is being written by process {holder} (lock {self.path}); "
                "wait for it to finish or stop it"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Let the next writer in."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
