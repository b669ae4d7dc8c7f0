"""The commands: jala harvest --json, jala sources, jala sources check, and the worker."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from harvester import runs, state
from harvester.jobs import JobQueue, run_pending
from harvester.scheduler import start_worker
from harvester.store import RecordStore
from jala.cli import cli
from tests.harvester.conftest import make_settings
from tests.harvester.provider import FaultyProvider
from tests.support.http import live_server


def write_config(path: Path, sources: dict[str, str]) -> Path:
    tables = "".join(f'[[sources]]\nid = "{i}"\nname = "{i}"\nbase_url = "{url}"\n'
                     f'schedule = "every 1h"\n\n' for i, url in sources.items())
    path.write_text("[harvester]\nread_timeout = 1.0\nretries = 1\nbackoff_base = 0.01\n"
                    f"jitter_seconds = 0\n\n{tables}", encoding="utf-8")
    return path


def test_harvest_json_then_sources(tmp_path: Path):
    with live_server(FaultyProvider()) as server:
        config = write_config(tmp_path / "jala.toml", {"good": server.url,
                                                       "dead": "http://127.0.0.1:9/oai"})
        runner = CliRunner()
        base = ["--config", str(config), "--data-dir", str(tmp_path)]
        result = runner.invoke(cli, ["harvest", *base, "--json"])
        assert result.exit_code == 1  # one source failed
        summary = {s["id"]: s for s in json.loads(result.stdout)}
        assert (summary["good"]["status"], summary["good"]["added"]) == ("ok", 12)
        assert summary["dead"]["status"] == "failed"
        assert {"updated", "deleted", "rejected"} <= set(summary["good"])

        again = runner.invoke(cli, ["harvest", *base, "good"])
        assert again.exit_code == 0 and "incremental" in again.stdout

        listing = runner.invoke(cli, ["sources", *base, "--json"])
        rows = {r["id"]: r for r in json.loads(listing.stdout)}
        assert (rows["good"]["status"], rows["good"]["records"]) == ("ok", 12)
        assert rows["good"]["last_success"] and rows["good"]["last_error"] is None
        assert rows["dead"]["status"] == "failed" and "TransportError" in rows["dead"]["last_error"]

        table = runner.invoke(cli, ["sources", *base])
        assert "good" in table.stdout and "12" in table.stdout

        unknown = runner.invoke(cli, ["harvest", *base, "nope"])
        assert unknown.exit_code == 2 and "unknown source" in unknown.output


def test_sources_check_reports_support_and_problems(tmp_path: Path):
    runner = CliRunner()
    with live_server(FaultyProvider()) as server:
        result = runner.invoke(cli, ["sources", "check", server.url, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["usable"] and report["facts"]["chosen_format"] == "oai_dc"
    assert report["facts"]["sample_records"] == 5 and report["facts"]["resumption_token"]
    assert report["problems"] == []
    config = write_config(tmp_path / "jala.toml", {})
    dead = runner.invoke(cli, ["sources", "check", "--config", str(config),
                               "http://127.0.0.1:9/oai"])
    assert dead.exit_code == 1 and "NOT usable" in dead.stdout


def test_worker_harvests_on_schedule_and_calls_the_hook(tmp_path: Path):
    provider = FaultyProvider()
    changed = []
    with live_server(provider) as server:
        settings = make_settings(tmp_path, [{"id": "w", "base_url": server.url,
                                             "schedule": "every 1h"}], reconcile_schedule="")
        scheduler = start_worker(settings, on_changes=lambda: changed.append(True))
        try:
            deadline = time.monotonic() + 20
            while not changed and time.monotonic() < deadline:
                time.sleep(0.05)
            job = scheduler.get_job("harvest:w")
            assert job.max_instances == 1 and job.coalesce
        finally:
            scheduler.shutdown(wait=True)
    assert changed == [True]
    store = RecordStore(tmp_path / "records.sqlite3")
    assert store.count("w") == 12
    assert state.load(store, "w").next_run > state.load(store, "w").last_success


def test_a_harvest_now_job_cut_short_by_a_stop_is_queued_again_and_resumes(tmp_path: Path):
    provider, stop = FaultyProvider(), threading.Event()

    def stopping_after_the_first_page(environ: dict[str, Any],
                                      start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "ListRecords" in environ.get("QUERY_STRING", ""):
            stop.set()  # as if SIGTERM arrived while this page was in flight
        return provider(environ, start_response)

    with live_server(stopping_after_the_first_page) as server:
        settings = make_settings(tmp_path, [{"id": "j", "base_url": server.url}])
        queue = JobQueue.at(settings)
        job = queue.request("j", requested_by="pustakawan")
        assert run_pending(settings, stop=stop) == 1
        assert queue.get(job.id).status == "queued"  # not done, not failed, not left running
        store = RecordStore(tmp_path / "records.sqlite3")
        assert store.count("j") == 5 and state.load(store, "j").checkpoint.token == "5"
        assert queue.requeue_abandoned() == 0
        assert run_pending(settings, stop=threading.Event()) == 1
    assert queue.get(job.id).status == "done"
    assert store.count("j") == 12
    assert [r.status for r in runs.recent(store, "j")] == ["ok", "interrupted"]
