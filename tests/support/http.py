"""Run a WSGI app on a real loopback port (waitress, in a thread) for HTTP tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import waitress
from waitress import wasyncore
from waitress.server import BaseWSGIServer


def free_port() -> int:
    """A loopback port nobody listens on right now (for a server run as its own process)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A waitress server on 127.0.0.1 with a free port; ``url`` is its base address."""

    def __init__(self, app: Callable[..., Any], threads: int = 4) -> None:
        self._server: BaseWSGIServer = waitress.create_server(
            app, host="127.0.0.1", port=0, threads=threads, clear_untrusted_proxy_headers=True
        )
        self.port: int = self._server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        """Poll in short rounds so that stopping closes sockets on this thread, not under it."""
        socket_map = self._server._map
        while not self._stopping.is_set():
            wasyncore.loop(timeout=0.05, map=socket_map, count=1)
        for channel in list(socket_map.values()):
            channel.close()
        self._server.task_dispatcher.shutdown()

    def start(self) -> LiveServer:
        """Begin serving in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listening socket, open connections and the worker threads."""
        self._stopping.set()
        self._thread.join(timeout=10)


@contextmanager
def live_server(app: Callable[..., Any], threads: int = 4) -> Iterator[LiveServer]:
    """Serve ``app`` for the duration of the block."""
    server = LiveServer(app, threads=threads).start()
    try:
        yield server
    finally:
        server.stop()
