"""SIGKILL of a command normalising in a spawned process: no child of it survives.

``jala index rebuild`` and ``jala serve`` (catching up at start) normalise a long backlog
in a spawned worker, beside which multiprocessing starts its resource tracker. Killed
outright, the command must not leave either running (each held ~36 MB for good).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aggregator.indexer import PARALLEL_BACKLOG
from harvester.store import RecordStore
from tests.support import ROOT
from tests.support.harvested import harvested_site
from tests.support.http import free_port

JALA = str(Path(sys.executable).parent / "jala")
PATIENCE = 60.0


@pytest.fixture(scope="module")
def backlog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A record store harvested from a real node, then grown past the parallel backlog."""
    root = tmp_path_factory.mktemp("backlog")
    store = RecordStore.at(harvested_site(root, 40, '[harvester]\nreconcile_schedule = ""\n'))
    harvested = list(store.iter_records())
    copies = [dataclasses.replace(harvested[n % len(harvested)],
                                  identifier=f"{harvested[n % len(harvested)].identifier}-{n}")
              for n in range(PARALLEL_BACKLOG + 5000)]
    with store.transaction() as db:
        store.write_records(db, copies)
    store.close()
    return root


def _children(pid: int) -> dict[int, str]:
    """The live processes whose parent is ``pid``, with their command lines (from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == pid and state != "Z":
            found[int(entry.name)] = command
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("command", [["index", "rebuild", "--quiet"], ["serve"]])
def test_sigkill_leaves_no_normaliser_or_resource_tracker(backlog: Path, tmp_path: Path,
                                                          command: list[str]):
    shutil.copytree(backlog, tmp_path / "copy")
    extra = ["--port", str(free_port())] if command == ["serve"] else []
    victim = subprocess.Popen(
        [JALA, *command, *extra, "--config", str(tmp_path / "copy" / "jala.toml"),
         "--data-dir", str(tmp_path / "copy" / "data")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    children: dict[int, str] = {}
    try:
        deadline = time.monotonic() + PATIENCE
        while not any("multiprocessing.spawn" in c for c in children.values()):
            assert victim.poll() is None, f"ended before it could be killed: {victim.stderr}"
            assert time.monotonic() < deadline, "the normaliser never started"
            time.sleep(0.05)
            children = _children(victim.pid)
        assert any("resource_tracker" in c for c in children.values())
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        deadline = time.monotonic() + PATIENCE
        while (survivors := [pid for pid in children if _alive(pid)]) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not survivors, {pid: children[pid] for pid in survivors}
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
