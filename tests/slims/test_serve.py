"""``jala node serve`` with ``[slims] sync_every``: the node syncs on its own and publishes,
again at every turn of its schedule, and a failed turn loses nothing."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from node_adapter.catalogue import Catalogue
from node_adapter.slims.schedule import start_syncing
from tests.slims.conftest import settings_for, write_config
from tests.slims.librarian import add_collection, add_lookups, add_title
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


def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait (at most a minute) until ``condition`` holds."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.1)


def test_the_schedule_syncs_again_each_turn_and_a_failed_turn_loses_nothing(
        slims: SlimsDatabase, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    with slims.connect() as connection, connection.cursor() as cursor:
        add_lookups(cursor)
        add_collection(cursor, 10)
    database = tmp_path / "node.sqlite3"
    scheduler = start_syncing(settings_for(slims, tmp_path, sync_every=15), database)
    assert scheduler is not None
    catalogue = Catalogue(database)
    try:
        job = scheduler.get_job("slims-sync")
        assert job.trigger.interval == timedelta(minutes=15)
        _until(lambda: catalogue.count() == 10, "the first sync as the schedule starts")

        with slims.connect() as connection, connection.cursor() as cursor:
            add_title(cursor, 9001, "Sejarah Sungai Kahayan")
            cursor.execute("RENAME TABLE mst_gmd TO mst_gmd_old")  # an upgrade gone wrong
        with caplog.at_level(logging.ERROR, logger="node_adapter.slims.schedule"):
            job.modify(next_run_time=datetime.now(UTC))
            _until(lambda: "SLiMS sync failed" in caplog.text, "a failed turn, logged")
        assert "mst_gmd" in caplog.text and catalogue.count() == 10, "nothing lost"

        with slims.connect() as connection, connection.cursor() as cursor:
            cursor.execute("RENAME TABLE mst_gmd_old TO mst_gmd")
        job.modify(next_run_time=datetime.now(UTC))
        _until(lambda: catalogue.count() == 11, "the next turn publishes the new title")
        assert catalogue.get("9001") is not None
    finally:
        scheduler.shutdown()
        catalogue.close()
