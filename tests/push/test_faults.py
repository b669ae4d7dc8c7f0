"""Real processes over a bad link: ``jala node push`` to ``jala serve`` through a proxy that
throttles to 50 KB/s, drops every connection every few seconds, stalls and truncates;
each side is SIGKILLed mid-batch once. In the end the central store equals, row for row,
what a harvest of the same node stores.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from harvester import pushed
from harvester.store import RecordStore
from tests.push.support import central, harvested_rows, issue, rows
from tests.support.faultproxy import FaultProxy
from tests.support.nodes import make_records, running_node

ROOT = Path(__file__).resolve().parents[2]
JALA = [sys.executable, "-c", "from jala.cli import main; main()"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
RECORDS, DELETED = 20_000, 500


def _free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


def _serve(settings_path: Path, data_dir: Path, port: int, log: Path) -> subprocess.Popen:
    """``jala serve --no-worker`` on ``port``, once it answers."""
    process = subprocess.Popen(
        [*JALA, "serve", "--no-worker", "--config", str(settings_path), "--data-dir",
         str(data_dir), "--port", str(port)], env=ENV, cwd=data_dir,
        stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            requests.get(f"http://127.0.0.1:{port}/api/push/v1/state", timeout=1)
            return process
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError("jala serve did not start")


def _wait(condition, what: str, limit: float = 300) -> None:
    """Poll until ``condition()`` holds (a deadline against hanging, not a speed check)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL and reap."""
    process.send_signal(signal.SIGKILL)
    process.wait()


@pytest.mark.slow
def test_push_over_a_bad_link_with_both_sides_killed_ends_equal(tmp_path: Path):
    settings = central(tmp_path / "central", ["tbm-kalteng"])
    key = issue(settings, "tbm-kalteng")
    store = RecordStore.at(settings)
    port = _free_port()
    node_db = tmp_path / "node" / "catalogue.sqlite3"
    node_config = tmp_path / "node" / "jala.toml"
    with running_node(node_db, repository_identifier="tbm-kalteng.example.id") as node, \
            FaultProxy(port, rate=50_000, drop_every=3.0, stall=0.12, truncate=0.12,
                       seed=10) as proxy:
        node.catalogue.upsert_many(make_records(RECORDS, prefix="k"))
        for n in range(0, RECORDS, RECORDS // DELETED):
            node.catalogue.delete(f"k-{n}")
        node_config.write_text(
            f'[node]\nrepository_identifier = "tbm-kalteng.example.id"\n\n'
            f'[push]\nserver_url = "http://127.0.0.1:{proxy.port}"\nkey = "{key}"\n'
            "timeout = 2.0\nretry_max_seconds = 1.0\nbatch_records = 500\n", encoding="utf-8")
        push = [*JALA, "node", "push", "--db", str(node_db), "--config", str(node_config),
                "--data-dir", str(node_db.parent), "--json"]
        server_log = tmp_path / "serve.log"
        server = _serve(settings.path, settings.data_dir, port, server_log)
        spool = settings.data_dir / "push-spool" / "tbm-kalteng"
        try:
            node_process = subprocess.Popen(push, env=ENV, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE)
            # the node dies in the middle of batch 3: part of it is on the server
            _wait(lambda: pushed.load(store, "tbm-kalteng").batch_seq >= 2
                  and any(p.stat().st_size > 0 for p in spool.glob("*.part")),
                  "a batch in transit")
            _kill(node_process)
            node_process = subprocess.Popen(push, env=ENV, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE)
            # the server dies in the middle of a later batch, and comes back
            _wait(lambda: pushed.load(store, "tbm-kalteng").batch_seq >= 8
                  and any(p.stat().st_size > 0 for p in spool.glob("*.part")),
                  "a later batch in transit")
            _kill(server)
            time.sleep(1.0)
            server = _serve(settings.path, settings.data_dir, port, server_log)
            out, err = node_process.communicate(timeout=600)
            assert node_process.returncode == 0, err.decode()
        finally:
            _kill(server)
            if node_process.poll() is None:
                _kill(node_process)
        report = json.loads(out.decode().strip().splitlines()[-1])
        assert report["pending"] == 0
        assert proxy.faults["drop"] and proxy.faults["stall"] and proxy.faults["truncate"]
        expected = harvested_rows(tmp_path / "harvest", "tbm-kalteng", node.url)
    assert len(expected) == RECORDS
    assert rows(store, "tbm-kalteng") == expected
    state = pushed.load(store, "tbm-kalteng")
    assert state.batch_seq == RECORDS // 500 and state.pending == 0
    assert store.last_seq() == RECORDS  # every record stored once: no batch twice
