"""Total time limits for HTTP work, per request and per job, enforced by cutting sockets.

A socket timeout bounds each wait, not the whole: a provider sending one byte a second
never trips a read timeout and holds the caller for as long as it likes. ``Deadline``
remembers every socket its sessions open, and a monitor thread shuts them down
(``SHUT_RDWR`` wakes a blocked ``recv`` at once) when the request in hand has run longer
than ``per_request`` seconds or the whole job longer than ``total``. ``Transport`` then
raises ``DeadlineExceeded`` and starts no further request.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import requests

from harvester.errors import DeadlineExceeded

_TICK = 0.1


class _Tracked:
    """Connection mixin: hand each new socket to the deadline that may have to cut it."""

    deadline: Deadline

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        self.deadline.remember(sock)
        return sock


class Deadline:
    """Cuts the connections of tracked sessions once a request or the job runs too long."""

    def __init__(self, per_request: float, total: float) -> None:
        self.per_request = per_request
        self.total = total
        self.expired: str | None = None
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._job_ends = float("inf")
        self._request_ends: float | None = None
        self._finished = threading.Event()
        self._monitor = threading.Thread(target=self._watch, name="deadline", daemon=True)

    def __enter__(self) -> Deadline:
        self._job_ends = time.monotonic() + self.total
        self._monitor.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._finished.set()
        self._monitor.join()

    def track(self, session: requests.Session) -> None:
        """Route every connection ``session``'s adapters open through ``_Tracked``."""
        for adapter in session.adapters.values():
            manager = adapter.poolmanager  # type: ignore[attr-defined]
            tracked: dict[str, Any] = {}
            for scheme, pool in manager.pool_classes_by_scheme.items():
                connection = type(f"Tracked{pool.ConnectionCls.__name__}",
                                  (_Tracked, pool.ConnectionCls), {"deadline": self})
                tracked[scheme] = type(f"Tracked{pool.__name__}", (pool,),
                                       {"ConnectionCls": connection})
            manager.pool_classes_by_scheme = tracked

    def remember(self, sock: socket.socket) -> None:
        """Keep a socket to cut; one opened after expiry is cut at once."""
        with self._lock:
            self._sockets = [s for s in self._sockets if s.fileno() != -1] + [sock]
        if self.expired:
            self._cut()

    def check(self, what: str) -> None:
        """Raise ``DeadlineExceeded`` when the time is up."""
        if self.expired:
            raise DeadlineExceeded(f"{what}: {self.expired}")

    @contextmanager
    def request(self, what: str) -> Iterator[None]:
        """Time one request; whatever it raised or returned, a cut one is DeadlineExceeded."""
        self.check(what)
        self._request_ends = time.monotonic() + self.per_request
        try:
            yield
        except Exception:
            self._request_ends = None
            self.check(what)
            raise
        self._request_ends = None
        self.check(what)

    def _watch(self) -> None:
        """Poll the clocks until the job ends; cut everything once either has run out."""
        while not self._finished.wait(_TICK):
            now = time.monotonic()
            if now >= self._job_ends:
                self.expired = f"no complete answer within the {self.total:g} s allowed in all"
            elif self._request_ends is not None and now >= self._request_ends:
                self.expired = (f"no complete answer within the {self.per_request:g} s "
                                "allowed per request")
            if self.expired:
                self._cut()
                return

    def _cut(self) -> None:
        """Shut every remembered socket down, waking whoever is blocked on it."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed by its owner
                sock.shutdown(socket.SHUT_RDWR)
