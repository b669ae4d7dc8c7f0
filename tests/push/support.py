"""Helpers of the push tests: a central server with push keys, a node's pusher, comparisons.

``central(folder, sources)`` gives settings whose ``[[sources]]`` name the pushing
libraries; ``issue(settings, source)`` switches a source to pushed and returns a fresh
key, as an admin does on the dashboard. ``assert_store_equals(...)`` compares the
central record store with a harvest of the same node, row for row.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from config.network import load_sources
from config.settings import Settings
from harvester import pushed
from harvester.pool import harvest_all
from harvester.store import RecordStore
from node_adapter.config import PUSH_DEFAULTS
from node_adapter.push import Pusher
from node_adapter.push_outbox import Outbox
from search_ui.push.keys import PushKeys
from tests.search_ui.staff_support import agency_settings
from tests.support.nodes import NodeHandle

FAST_PUSH = {**PUSH_DEFAULTS, "timeout": 2.0, "retry_max_seconds": 0.5,
             "give_up_seconds": 120.0, "batch_records": 50, "piece_bytes": 4096}


def central(folder: Path, source_ids: list[str], **receive: Any) -> Settings:
    """Settings of a central server whose registry lists ``source_ids`` (harvested by default)."""
    tables = "".join(f'[[sources]]\nid = "{sid}"\nname = "Perpustakaan {sid}"\n'
                     f'base_url = "http://127.0.0.1:9/oai"\ndistrict = "Kota Palangka Raya"\n\n'
                     for sid in source_ids)
    if receive:
        tables += "[receive]\n" + "".join(f"{k} = {v}\n" for k, v in receive.items())
    return agency_settings(folder, tables)


def issue(settings: Settings, source: str) -> str:
    """Switch ``source`` to pushed and issue its key."""
    store = RecordStore.at(settings)
    pushed.set_mode(store, source, "pushed")
    store.close()
    return PushKeys.at(settings).issue(source, "admin")


def pusher(node: NodeHandle, folder: Path, server_url: str, key: str,
           **options: Any) -> Pusher:
    """A pusher of ``node``'s catalogue with short timeouts and small batches."""
    values = {**FAST_PUSH, **options}
    outbox = Outbox(node.provider, folder, values["batch_records"], server_url + "/push")
    return Pusher(outbox, server_url, key, values, threading.Event())


def rows(store: RecordStore, source: str) -> dict[str, tuple[Any, ...]]:
    """Every stored row of ``source`` (deletions included), by identifier."""
    return {r.identifier: (r.datestamp, r.deleted, r.metadata_prefix, r.metadata,
                           r.set_specs) for r in store.iter_records(source, include_deleted=True)}


def harvested_rows(folder: Path, source: str, node_url: str) -> dict[str, tuple[Any, ...]]:
    """What a full harvest of the node stores, for comparison with what it pushed."""
    settings = Settings(raw={"harvester": {"jitter_seconds": 0, "read_timeout": 30.0},
                             "sources": [{"id": source, "name": source,
                                          "base_url": node_url}]}, data_dir=folder)
    [run] = harvest_all(settings, load_sources(settings), mode="full")
    assert run.status == "ok", run.last_error
    store = RecordStore.at(settings)
    try:
        return rows(store, source)
    finally:
        store.close()
