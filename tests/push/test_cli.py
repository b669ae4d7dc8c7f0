"""``jala node push --daemon`` keeps the province current and stops cleanly on SIGTERM;
``--status`` shows the last push and the changes pending; a refusal exits 1 with its reason."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from harvester.store import RecordStore
from search_ui.app import create_app
from search_ui.push.keys import PushKeys
from tests.push.support import central, issue
from tests.push.test_faults import ENV, JALA
from tests.support.http import live_server
from tests.support.nodes import make_records, running_node


def _status(command: list[str]) -> dict:
    """``--status --json``, parsed."""
    done = subprocess.run([*command, "--status"], env=ENV, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def test_daemon_status_and_refusal(tmp_path: Path):
    settings = central(tmp_path / "central", ["tbm-a"])
    key = issue(settings, "tbm-a")
    store = RecordStore.at(settings)
    db = tmp_path / "node" / "catalogue.sqlite3"
    with live_server(create_app({"SETTINGS": settings})) as server, running_node(
            db, repository_identifier="tbm-a.example.id") as node:
        node.catalogue.upsert_many(make_records(40, prefix="a"))
        config = tmp_path / "node" / "jala.toml"
        config.write_text(f'[node]\nrepository_identifier = "tbm-a.example.id"\n[push]\n'
                          f'server_url = "{server.url}"\nkey = "{key}"\ninterval_seconds = 1\n'
                          "timeout = 5.0\n", encoding="utf-8")
        command = [*JALA, "node", "push", "--db", str(db), "--config", str(config),
                   "--data-dir", str(db.parent), "--json"]
        assert _status(command)["pending"] == 40
        daemon = subprocess.Popen([*command, "--daemon"], env=ENV, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while store.count("tbm-a") < 40:
                assert time.monotonic() < deadline and daemon.poll() is None
                time.sleep(0.1)
            node.catalogue.upsert_many(make_records(45, prefix="a")[40:])
            node.catalogue.delete("a-1")
            while store.count("tbm-a") != 44:
                assert time.monotonic() < deadline and daemon.poll() is None
                time.sleep(0.1)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)
        assert daemon.returncode == 0
        status = _status(command)
        assert status["pending"] == 0 and status["last_push"] and status["acked_seq"] == 2
        node.catalogue.delete("a-2")
        assert _status(command)["pending"] == 1

        PushKeys.at(settings).revoke("tbm-a")
        refused = subprocess.run(command, env=ENV, capture_output=True, text=True)
        assert refused.returncode == 1
        assert "unknown or revoked push key" in refused.stderr


def test_one_shot_push_in_a_pipe_prints_plain_progress_and_quiet_none(tmp_path: Path):
    settings = central(tmp_path / "central", ["tbm-a"])
    key = issue(settings, "tbm-a")
    db = tmp_path / "node" / "catalogue.sqlite3"
    with live_server(create_app({"SETTINGS": settings})) as server, running_node(
            db, repository_identifier="tbm-a.example.id") as node:
        node.catalogue.upsert_many(make_records(30, prefix="a"))
        config = tmp_path / "node" / "jala.toml"
        config.write_text(f'[node]\nrepository_identifier = "tbm-a.example.id"\n[push]\n'
                          f'server_url = "{server.url}"\nkey = "{key}"\nbatch_records = 10\n',
                          encoding="utf-8")
        command = [*JALA, "node", "push", "--db", str(db), "--config", str(config),
                   "--data-dir", str(db.parent)]
        loud = subprocess.run(command, env=ENV, capture_output=True, text=True, check=True)
        assert loud.stderr.splitlines()[-1].startswith(
            "kirim / push (rekaman / records): 30/30 (100%), ")
        node.catalogue.upsert_many(make_records(35, prefix="a")[30:])
        quiet = subprocess.run([*command, "--quiet"], env=ENV, capture_output=True, text=True,
                               check=True)
        assert "kirim / push" not in quiet.stderr
        assert "records" in quiet.stdout  # the summary still shows
        assert RecordStore.at(settings).count("tbm-a") == 35
