"""Signals to a harvester process in the middle of a listing, then a restart.

SIGKILL: the store equals the provider's catalogue after the restart. SIGTERM and SIGINT
(``jala harvest --daemon`` and a one-shot ``jala harvest``): a clean exit, the run
recorded as interrupted at a committed page, the lock released, and the restart resumes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.network import load_sources
from config.settings import load_settings
from harvester import runs, state
from harvester.pool import harvest_all, source_lock
from harvester.store import RecordStore
from tests.support.nodes import make_records, running_node

ROOT = Path(__file__).resolve().parents[2]
JALA = [sys.executable, "-c", "from jala.cli import main; main()"]


def test_sigkill_then_resume_loses_and_duplicates_nothing(tmp_path: Path):
    total = 1200
    with running_node(tmp_path / "node.sqlite3", page_size=10,
                      repository_identifier="big.example.id") as node:
        node.catalogue.upsert_many(make_records(total, prefix="big"))
        node.catalogue.delete("big-17")
        config = tmp_path / "jala.toml"
        config.write_text(
            "[harvester]\nworkers = 1\nread_timeout = 5.0\n\n"
            f'[[sources]]\nid = "big"\nname = "Big"\nbase_url = "{node.url}"\n',
            encoding="utf-8")
        command = [*JALA, "harvest", "--config", str(config), "--data-dir", str(tmp_path),
                   "--json"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        store = RecordStore(tmp_path / "records.sqlite3")
        victim = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        try:
            while store.count("big", include_deleted=True) < 100:
                assert victim.poll() is None, "the harvest ended before it could be killed"
                time.sleep(0.005)
        finally:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
        stored_at_kill = store.count("big", include_deleted=True)
        checkpoint = state.load(store, "big").checkpoint
        assert checkpoint is not None and checkpoint.token
        assert stored_at_kill < total

        finished = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=120)
        assert finished.returncode == 0, finished.stderr
        [summary] = json.loads(finished.stdout)
        assert summary["status"] == "ok"
        assert summary["added"] + summary["deleted"] == total - stored_at_kill

        expected_live = {node.identifier(f"big-{i}") for i in range(total) if i != 17}
        assert {r.identifier for r in store.iter_records("big")} == expected_live
        assert store.get("big", node.identifier("big-17")).deleted
        assert store.count("big", include_deleted=True) == total
        seqs = [r.seq for r in store.iter_records("big", include_deleted=True)]
        assert len(set(seqs)) == total and store.last_seq() == total
        assert state.load(store, "big").checkpoint is None


@pytest.mark.parametrize(("daemon", "sig"), [(True, signal.SIGTERM), (True, signal.SIGINT),
                                             (False, signal.SIGTERM)])
def test_stop_signal_ends_at_a_committed_page_and_the_next_run_resumes(tmp_path: Path,
                                                                       daemon: bool, sig: int):
    total = 1000
    with running_node(tmp_path / "node.sqlite3", page_size=10,
                      repository_identifier="big.example.id") as node:
        node.catalogue.upsert_many(make_records(total, prefix="big"))
        config = tmp_path / "jala.toml"
        config.write_text(
            "[harvester]\nworkers = 1\nread_timeout = 5.0\njitter_seconds = 0\n"
            'reconcile_schedule = ""\n\n'
            f'[[sources]]\nid = "big"\nname = "Big"\nbase_url = "{node.url}"\n'
            'schedule = "every 2s"\n', encoding="utf-8")
        base = [*JALA, "harvest", "--config", str(config), "--data-dir", str(tmp_path)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        store = RecordStore(tmp_path / "records.sqlite3")
        harvester = subprocess.Popen([*base, "--daemon" if daemon else "--json"], cwd=tmp_path,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        try:
            while store.count("big") < 30:
                assert harvester.poll() is None, harvester.communicate()[1]
                time.sleep(0.005)
            harvester.send_signal(sig)
            out, err = harvester.communicate(timeout=60)
        finally:
            if harvester.poll() is None:
                harvester.kill()
                harvester.wait()
        assert harvester.returncode == (0 if daemon else 1), err
        [run] = runs.recent(store, "big", limit=1)
        assert (run.status, run.last_error.split(":")[0]) == ("interrupted", "Interrupted")
        assert run.ended and store.count("big") == run.added == 10 * run.pages < total
        assert state.load(store, "big").checkpoint.token  # the page after the last commit
        if not daemon:
            assert json.loads(out)[0]["status"] == "interrupted"
        with source_lock(tmp_path / "locks", "big"):
            pass  # released: taking it does not raise

        settings = load_settings(config, tmp_path)
        [finished] = harvest_all(settings, load_sources(settings))
        assert (finished.status, finished.added) == ("ok", total - run.added)
        assert {r.identifier for r in store.iter_records("big")} == \
            {node.identifier(f"big-{i}") for i in range(total)}
