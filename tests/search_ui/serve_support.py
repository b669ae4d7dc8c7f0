"""``jala serve`` as a real process for a test: started on a free port, its output kept.

Usage::

    with serving("--config", str(config), "--data-dir", str(data)) as served:
        served.wait_for(lambda: requests.get(served.url + "/api/v1/stats").ok)
        served.wait_for_line("catching up")
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.support.http import free_port

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 60.0


@dataclass
class Served:
    """A running ``jala serve`` process, its address and every line it printed so far."""

    url: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def wait_for(self, check: Callable[[], bool]) -> None:
        """Poll ``check`` until true; fail with the server's output if it dies or never does."""
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"jala serve exited: {self.output()}")
            try:
                if check():
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        pytest.fail(f"jala serve never got there: {self.output()[-3000:]}")

    def wait_for_line(self, text: str) -> str:
        """The first line printed so far or later that contains ``text``."""
        self.wait_for(lambda: any(text in line for line in list(self.lines)))
        return next(line for line in self.lines if text in line)

    def output(self) -> str:
        """Everything printed so far."""
        return "".join(self.lines)


def jala_command(*args: str) -> list[str]:
    """The ``jala`` console script of this virtual environment, with ``args``."""
    return [str(Path(sys.executable).parent / "jala"), *args]


@contextmanager
def serving(*args: str, verbose: bool = False) -> Iterator[Served]:
    """Run ``jala serve`` with ``args`` (``jala -v`` logs INFO lines too); yield it once it
    answers; stop it with Ctrl-C."""
    port = free_port()
    command = jala_command(*(["-v"] if verbose else []), "serve", "--port", str(port), *args)
    process = subprocess.Popen(command, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    served = Served(f"http://127.0.0.1:{port}", process)
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: served.lines.extend(process.stdout or ()),
                              daemon=True)
    reader.start()
    try:
        served.wait_for(lambda: requests.get(served.url + "/robots.txt", timeout=5).ok)
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)


def serve_config(path: Path, source_url: str = "", extra: str = "") -> Path:
    """A configuration with one library (or none), and ``extra`` TOML text before it."""
    text = "[web]\nsecret_key = \"a-test-key-that-is-long-enough\"\n" + extra
    if source_url:
        text += ('\n[[sources]]\nid = "kota"\nname = "Perpustakaan Kota Uji"\n'
                 f'base_url = "{source_url}"\ndistrict = "Kota Uji"\nschedule = "every 24h"\n'
                 'whatsapp = "6281200000000"\n')
    path.write_text(text, encoding="utf-8")
    return path
