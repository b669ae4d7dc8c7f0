"""SIGKILL the harvester mid-listing, restart: the store equals the provider's catalogue."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from harvester import state
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
