"""``jala node serve`` with ``[slims] sync_every``: the node syncs on its own and publishes."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.slims.conftest import write_config
from tests.slims.librarian import add_collection, add_lookups
from tests.support import ROOT
from tests.support.http import free_port
from tests.support.mariadb import SlimsDatabase

JALA = [sys.executable, "-c", "from jala.cli import main; main()"]


def test_serve_syncs_from_slims_as_it_starts(slims: SlimsDatabase, tmp_path: Path):
    with slims.connect() as connection, connection.cursor() as cursor:
        add_lookups(cursor)
        add_collection(cursor, 40)
    config = write_config(slims, tmp_path / "jala.toml", sync_every=15)
    port = free_port()
    server = subprocess.Popen(
        [*JALA, "node", "serve", "--db", str(tmp_path / "node.sqlite3"), "--port", str(port),
         "--config", str(config), "--data-dir", str(tmp_path)],
        env={**os.environ, "PYTHONPATH": str(ROOT), **slims.environ()},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        health = {}
        while health.get("records") != 40:
            assert server.poll() is None, server.communicate()[0]
            assert time.monotonic() < deadline, health
            with contextlib.suppress(requests.ConnectionError):
                health = requests.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
            time.sleep(0.1)
        answer = requests.get(f"http://127.0.0.1:{port}/oai", timeout=5, params={
            "verb": "ListIdentifiers", "metadataPrefix": "marc21"})
        assert answer.text.count("<identifier>") == 40
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Syncing from SLiMS every 15 min" in output
