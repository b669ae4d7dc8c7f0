"""A "harvest now" job whose harvest fills the disk ends ``failed`` once space returns.

Real parts on a real full disk: a node over loopback, the record store and the job queue
on a small tmpfs. The queue's WAL is truncated before the disk is filled nearly to the
last byte, so the claim's few pages fit, the harvest takes the rest and fails, and the
job's outcome cannot be written either: the worker keeps it and writes it at the first
poll after space returns, and the next "harvest now" runs.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from config.settings import load_settings
from config.webdb import web_db_path
from harvester.jobs import JobQueue, JobRunner
from tests.support.fulldisk import fill
from tests.support.nodes import make_records, running_node

ROOM_FOR_A_CLAIM = 128 * 1024
"""Bytes left free: the queue's shared memory and a few WAL pages, not 300 records."""


def test_a_job_failed_by_a_full_disk_is_marked_failed_when_space_returns(
        tmp_path: Path, small_disk: Path) -> None:
    config = tmp_path / "jala.toml"
    with running_node(tmp_path / "node.sqlite3", page_size=100) as node:
        node.catalogue.upsert_many(make_records(300, prefix="kota"))
        config.write_text(f'[harvester]\nretries = 0\n\n[[sources]]\nid = "kota"\nname = "K"\n'
                          f'base_url = "{node.url}"\ndistrict = "Kota Uji"\n', encoding="utf-8")
        settings = load_settings(config, data_dir=small_disk / "data", environ={})
        queue = JobQueue.at(settings)
        runner = JobRunner(settings)
        job = queue.request("kota", "ani")
        with sqlite3.connect(web_db_path(settings)) as web:
            web.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        filler = fill(small_disk)
        with open(filler, "r+b") as handle:
            handle.truncate(filler.stat().st_size - ROOM_FOR_A_CLAIM)

        assert runner() == 1
        assert runner.unwritten, "the outcome could not be written on the full disk"
        filler.unlink()
        assert runner() == 0
        failed = queue.get(job.id)
        assert failed.status == "failed" and "full" in failed.message, failed
        again = queue.request("kota", "ani")
        assert again.id != job.id and runner() == 1
        assert queue.get(again.id).status == "done"
