"""A loopback TCP proxy that behaves like a bad mobile link: slow, cut, stalled, truncated.

Usage::

    with FaultProxy(target_port, rate=50_000, drop_every=3.0, stall=0.1, truncate=0.1,
                    seed=7) as proxy:
        requests.get(f"http://127.0.0.1:{proxy.port}/...")
        proxy.bytes_up, proxy.bytes_down, proxy.faults

``rate`` caps each direction's bytes per second (a token bucket shared by all
connections, like one radio link); ``drop_every`` closes every open connection that
often (the link going away); ``stall`` is the chance that a connection stops forwarding
for good part-way (the client must time out); ``truncate`` the chance that an answer is
cut within its first ``CUT_WITHIN`` bytes (inside the status line and headers, so even a
short answer is cut). Faults are drawn from ``random.Random(seed)``.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections import Counter
from types import TracebackType

CUT_WITHIN = 128


class _Bucket:
    """Bytes per second for one direction, shared by every connection."""

    def __init__(self, rate: int | None) -> None:
        self.rate = rate
        self.lock = threading.Lock()
        self.allowance = float(rate or 0)
        self.stamp = time.monotonic()

    def take(self, wanted: int) -> int:
        """Wait until some bytes may pass; return how many (at most ``wanted``)."""
        if not self.rate:
            return wanted
        while True:
            with self.lock:
                now = time.monotonic()
                self.allowance = min(self.rate / 4, self.allowance
                                     + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.allowance >= 1:
                    granted = min(wanted, int(self.allowance))
                    self.allowance -= granted
                    return granted
            time.sleep(0.01)


class FaultProxy:
    """Forward 127.0.0.1:<port> to 127.0.0.1:<target>, misbehaving as configured."""

    def __init__(self, target: int, *, rate: int | None = None, drop_every: float = 0.0,
                 stall: float = 0.0, truncate: float = 0.0, seed: int = 0) -> None:
        self.target = target
        self.up, self.down = _Bucket(rate), _Bucket(rate)
        self.drop_every, self.stall, self.truncate = drop_every, stall, truncate
        self.random = random.Random(seed)
        self.faults: Counter[str] = Counter()
        self.bytes_up = self.bytes_down = 0
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        if drop_every:
            self._threads.append(threading.Thread(target=self._dropper, daemon=True))

    def __enter__(self) -> FaultProxy:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()
        self.drop_all()

    def drop_all(self) -> None:
        """Cut every open connection at once."""
        with self._lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            _close(sock)

    def _dropper(self) -> None:
        """The link goes away every ``drop_every`` seconds."""
        while not self._stopping.wait(self.drop_every):
            with self._lock:
                busy = bool(self._open)
            if busy:
                self.faults["drop"] += 1
                self.drop_all()

    def _accept(self) -> None:
        """Take connections until stopped."""
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open |= {client, server}
                stall = self.random.random() < self.stall
                truncate = self.random.random() < self.truncate
                cut_after = self.random.randint(1, CUT_WITHIN)
            limit = cut_after if truncate else None
            threading.Thread(target=self._pump, args=(client, server, self.up, "up",
                                                      None, stall), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, self.down, "down",
                                                      limit, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, bucket: _Bucket,
              direction: str, limit: int | None, stall: bool) -> None:
        """Copy one direction, throttled; cut it after ``limit`` bytes; or stall part-way."""
        sent = 0
        stall_at = self.random.randint(0, 8000) if stall else None
        try:
            while True:
                data = source.recv(4096)
                if not data:
                    break
                view = memoryview(data)
                while view:
                    if stall_at is not None and sent >= stall_at:
                        self.faults["stall"] += 1
                        self._stopping.wait(30)  # hold the line open, forwarding nothing
                        return
                    granted = bucket.take(len(view))
                    if limit is not None and sent + granted > limit:
                        self.faults["truncate"] += 1
                        sink.sendall(view[:max(0, limit - sent)])
                        return
                    sink.sendall(view[:granted])
                    sent += granted
                    with self._lock:
                        if direction == "up":
                            self.bytes_up += granted
                        else:
                            self.bytes_down += granted
                    view = view[granted:]
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with self._lock:
                    self._open.discard(sock)
                _close(sock)


def _close(sock: socket.socket) -> None:
    """Close a socket whatever its state."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
