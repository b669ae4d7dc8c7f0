"""A central site's folder harvested once from a real node, for tests that run ``jala`` on it.

Usage::

    settings = harvested_site(tmp_path, records=30)
    # tmp_path/jala.toml (one source, "kota"), tmp_path/data/records.sqlite3 holding its
    # records, tmp_path/node.sqlite3 the node's catalogue; the node itself has stopped.

``config`` is TOML put before the ``[[sources]]`` table (``[harvester]`` keys, say).
"""

from __future__ import annotations

from pathlib import Path

from config.network import load_sources
from config.settings import Settings, load_settings
from harvester.pool import harvest_all
from tests.support.nodes import make_records, running_node


def harvested_site(root: Path, records: int = 30, config: str = "") -> Settings:
    """Serve ``records`` records from a node under ``root``, harvest them, return the settings."""
    with running_node(root / "node.sqlite3", page_size=50) as node:
        node.catalogue.upsert_many(make_records(records, prefix="kota"))
        (root / "jala.toml").write_text(
            f'[web]\nsecret_key = "t"\n\n{config}\n[[sources]]\nid = "kota"\nname = "Kota"\n'
            f'base_url = "{node.url}"\nschedule = "every 24h"\n', encoding="utf-8")
        settings = load_settings(root / "jala.toml", data_dir=root / "data", environ={})
        [run] = harvest_all(settings, load_sources(settings))
        assert run.status == "ok", run.last_error
    return settings
