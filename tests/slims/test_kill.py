"""SIGKILL a real ``jala node sync`` process mid-sync: the rerun loses and doubles nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from node_adapter.catalogue import Catalogue
from tests.slims.conftest import write_config
from tests.slims.librarian import add_collection, add_lookups
from tests.support import ROOT
from tests.support.mariadb import SlimsDatabase

JALA = [sys.executable, "-c", "from jala.cli import main; main()"]
TITLES = 4_000


def _stored(path: Path) -> int:
    """Records the catalogue file holds now (0 before it exists)."""
    if not path.exists():
        return 0
    with sqlite3.connect(path, timeout=30) as db:
        try:
            return db.execute("SELECT count(*) FROM records").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def test_sigkill_mid_sync_then_rerun(slims: SlimsDatabase, tmp_path: Path):
    with slims.connect() as connection, connection.cursor() as cursor:
        add_lookups(cursor)
        items = add_collection(cursor, TITLES)
    config = write_config(slims, tmp_path / "jala.toml", batch_titles=100)
    database = tmp_path / "node.sqlite3"
    command = [*JALA, "node", "sync", "--from", "slims", "--db", str(database), "--config",
               str(config), "--data-dir", str(tmp_path), "--quiet", "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), **slims.environ()}
    victim = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while _stored(database) < 300:
            assert victim.poll() is None, "the sync ended before it could be killed"
            time.sleep(0.01)
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    at_kill = _stored(database)
    assert 0 < at_kill < TITLES

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["mode"] == "full"  # the mark is written last: a killed sync left none
    assert (report["added"], report["unchanged"]) == (TITLES - at_kill, at_kill)
    with Catalogue(database) as catalogue:
        assert catalogue.count(include_deleted=True) == catalogue.count() == TITLES
        copies = [copy.barcode for i in range(1, TITLES + 1)
                  for copy in catalogue.get(str(i)).record.copies]
    assert len(copies) == len(set(copies)) == items
