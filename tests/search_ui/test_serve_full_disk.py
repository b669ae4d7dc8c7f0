"""A full disk under ``jala serve`` and its commands, on real small tmpfs mounts.

The index gets its own tmpfs (``[aggregator] index_dir``), filled to the last byte while
the record store has room: harvests succeed, indexing fails (tantivy kills its writer),
the dashboard says so, and the backlog is indexed by itself once space returns, without
a restart or a harvest. ``jala sources`` and ``jala serve`` on a full data disk end with
one line naming the folder. Mounting needs root; without it these tests are skipped.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests

from config.settings import load_settings
from harvester.jobs import JobQueue
from tests.search_ui.serve_support import ROOT, jala_command, serve_config, serving
from tests.search_ui.staff_support import PASSWORD, TOKEN, add_user
from tests.support.fulldisk import fill
from tests.support.nodes import make_records, running_node


def _works(url: str) -> int:
    """How many works the running site's API counts."""
    return int(requests.get(url + "/api/v1/stats", timeout=5).json().get("works", -1))


def test_indexing_on_a_full_disk_is_shown_retried_and_caught_up(tmp_path: Path,
                                                                 small_disk: Path) -> None:
    data = tmp_path / "data"
    with running_node(tmp_path / "node.sqlite3", page_size=100) as node:
        node.catalogue.upsert_many(make_records(15, prefix="kota"))
        config = serve_config(tmp_path / "jala.toml", node.url, extra=(
            'secure_cookies = false\n[harvester]\njob_poll_seconds = 1\n'
            f'[aggregator]\nindex_dir = "{small_disk / "index"}"\n'
            'index_retry_seconds = 1\nindex_retry_max_seconds = 2\n'))
        settings = load_settings(config, data_dir=data, environ={})
        add_user(settings, "ani", "admin")
        with serving("--config", str(config), "--data-dir", str(data)) as served:
            url, admin = served.url, requests.Session()
            served.wait_for(lambda: _works(url) == 15)
            token = TOKEN.search(admin.get(url + "/masuk", timeout=5).text).group(1)  # type: ignore[union-attr]
            assert admin.post(url + "/masuk", data={"name": "ani", "password": PASSWORD,
                                                    "csrf_token": token}, timeout=5).ok
            filler = fill(small_disk)
            node.catalogue.upsert_many(make_records(200, prefix="kota"))
            token = TOKEN.search(admin.get(url + "/dasbor/", timeout=5).text).group(1)  # type: ignore[union-attr]
            queued = admin.post(url + "/dasbor/sumber/kota/panen", data={"csrf_token": token},
                                timeout=5)
            assert queued.ok and "Panen kota sudah diantrekan" in queued.text, queued.text
            served.wait_for(lambda: "Pengindeksan gagal sejak" in
                            admin.get(url + "/dasbor/", timeout=5).text)
            page = admin.get(url + "/dasbor/", timeout=5).text
            assert "dicoba lagi setiap" in page and "WIB" in page
            assert f"Kosongkan ruang pada disk tempat {small_disk / 'index'}" in page
            assert JobQueue.at(settings).recent(1)[0].status == "done"  # the harvest went well
            assert _works(url) == 15
            filler.unlink()
            served.wait_for(lambda: _works(url) == 200)
            # the line goes when the run that the site already sees has finished
            served.wait_for(lambda: 'id="indexing"' not in
                            admin.get(url + "/dasbor/", timeout=5).text)
            assert requests.get(url + "/cari", timeout=5).text.count('<li class="hit">') == 20


@pytest.mark.parametrize("command", [["sources"], ["serve", "--port", "0"],
                                     ["serve", "--port", "0", "--no-worker"]])
def test_commands_on_a_full_disk_say_so_in_one_line(tmp_path: Path, small_disk: Path,
                                                    command: list[str]) -> None:
    data = small_disk / "data"
    config = serve_config(tmp_path / "jala.toml")
    assert subprocess.run(jala_command("sources", "--config", str(config), "--data-dir",
                                       str(data)), cwd=ROOT, capture_output=True).returncode == 0
    fill(small_disk)
    done = subprocess.run(jala_command(*command, "--config", str(config), "--data-dir",
                                       str(data)), cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"Error: the disk holding {data} is full (")
    assert "free space there" in line
