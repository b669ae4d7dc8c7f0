"""A real small disk for a test to fill: a tmpfs mounted under its ``tmp_path``.

Usage::

    from tests.support.fulldisk import fill   # small_disk is in tests/conftest.py's plugins

    def test_full(small_disk):
        filler = fill(small_disk)   # not one byte left
        filler.unlink()             # space again

Mounting needs root (the test is skipped, saying why, where it is not permitted).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs mounted for the test (skipped where mounting is not permitted)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs to fill ({done.stderr.strip()}): needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk has not one byte left; return it."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        for chunk in (b"\0" * 65536, b"\0"):  # big blocks, then the last partial one
            try:
                while handle.write(chunk):
                    pass
            except OSError:
                pass
    return filler
