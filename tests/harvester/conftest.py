"""Fixtures of the harvester suite: settings with short timeouts, a harvest helper."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from config.network import load_sources
from config.settings import Settings
from harvester.pool import harvest_all
from harvester.runs import Run
from harvester.store import RecordStore

FAST = {"connect_timeout": 1.0, "read_timeout": 0.5, "retries": 2, "backoff_base": 0.01,
        "backoff_max": 0.05, "retry_after_cap": 2.0, "overlap_seconds": 0,
        "response_size_cap": 200_000, "jitter_seconds": 0, "workers": 4}


def make_settings(data_dir: Path, sources: list[dict[str, Any]], **options: Any) -> Settings:
    """Settings for a test network: sources given as ``[[sources]]`` tables."""
    tables = [{"name": s["id"], **s} for s in sources]
    return Settings(raw={"harvester": {**FAST, **options}, "sources": tables},
                    data_dir=data_dir)


@pytest.fixture
def harvest(tmp_path: Path) -> Callable[..., list[Run]]:
    """Harvest the given sources into ``tmp_path``'s store; return the runs."""

    def run(sources: list[dict[str, Any]], mode: str = "incremental",
            **options: Any) -> list[Run]:
        settings = make_settings(tmp_path, sources, **options)
        return harvest_all(settings, load_sources(settings), mode=mode)

    return run


@pytest.fixture
def store(tmp_path: Path) -> RecordStore:
    """The store the ``harvest`` fixture writes to."""
    return RecordStore(tmp_path / "records.sqlite3")
