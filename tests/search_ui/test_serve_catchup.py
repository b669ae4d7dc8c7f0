"""``jala serve`` after a restart with a backlog: pages answer at once, the index catches up.

The catch-up is held by a real competing writer: the test keeps the works database's
write lock (``BEGIN IMMEDIATE`` on ``works.sqlite3``) until it has seen the site answer
while the worker says it is catching up, so the order of events is certain without any
timing; the worker's ``busy_timeout`` (30 s) or its retry outlasts the hold.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import requests

from aggregator.engine import open_engine
from aggregator.indexer import Indexer
from config.network import load_sources
from config.settings import load_settings
from harvester.pool import harvest_all
from tests.search_ui.serve_support import serve_config, serving
from tests.support.nodes import make_records, running_node


def _works(url: str) -> int:
    """How many works the running site's API counts."""
    return int(requests.get(url + "/api/v1/stats", timeout=5).json().get("works", -1))


def test_pages_answer_while_the_backlog_is_indexed_in_the_background(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_node(tmp_path / "node.sqlite3", page_size=100) as node:
        node.catalogue.upsert_many(make_records(15, prefix="kota"))
        config = serve_config(tmp_path / "jala.toml", node.url)
        settings = load_settings(config, data_dir=data, environ={})
        harvest_all(settings, load_sources(settings))
        with open_engine(settings, writer=True) as engine:
            assert Indexer.from_settings(settings, engine).run_incremental().changes == 15
        node.catalogue.upsert_many(make_records(300, prefix="kota"))
        assert harvest_all(settings, load_sources(settings))[0].added == 285

        works_db = sqlite3.connect(data / "works.sqlite3", isolation_level=None)
        works_db.execute("BEGIN IMMEDIATE")  # the catch-up cannot commit until released
        try:
            with serving("--config", str(config), "--data-dir", str(data),
                         verbose=True) as served:
                served.wait_for_line("catching up: 285 changes to index")
                assert _works(served.url) == 15
                page = requests.get(served.url + "/cari", timeout=5)
                assert page.ok and page.text.count('<li class="hit">') == 15
                assert "indexed IndexReport" not in served.output()
                works_db.execute("ROLLBACK")
                served.wait_for(lambda: _works(served.url) == 300)
                served.wait_for_line("indexed IndexReport(changes=285")  # logged after commit
        finally:
            works_db.close()
