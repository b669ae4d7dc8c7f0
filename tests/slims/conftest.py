"""One real MariaDB server per session; each test gets a fresh SLiMS database on it."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from config.settings import Settings
from node_adapter.slims.cli import sync_command
from tests.support.mariadb import MariaDB, SlimsDatabase, available, running_mariadb

_NAMES = itertools.count(1)


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MariaDB]:
    """Debian's mariadbd on a free loopback port with a temporary data dir."""
    assert available(), "Debian's mariadb-server is missing: run `make mariadb`"
    with running_mariadb(tmp_path_factory.mktemp("mariadb")) as server:
        yield server


@pytest.fixture
def slims(mariadb: MariaDB) -> SlimsDatabase:
    """A fresh database with the connector's own DDL and the read-only account."""
    return mariadb.create_database(f"slims_{next(_NAMES)}")


def settings_for(database: SlimsDatabase, data_dir: Path, **slims_keys: object) -> Settings:
    """Settings whose ``[slims]`` reaches ``database`` with the read-only account."""
    return Settings(raw={"slims": database.slims_section(**slims_keys)}, data_dir=data_dir,
                    environ=database.environ())


def write_config(database: SlimsDatabase, path: Path, **slims_keys: Any) -> Path:
    """A ``jala.toml`` whose ``[slims]`` reaches ``database`` (no password in it)."""
    lines = ["[slims]"] + [f"{key} = {json.dumps(value)}" for key, value in
                           database.slims_section(**slims_keys).items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_sync(database: SlimsDatabase, tmp_path: Path, *options: str,
             env: dict[str, str] | None = None, **slims_keys: Any) -> Result:
    """``jala node sync --from slims`` into ``tmp_path/node.sqlite3``, password from the env."""
    config = write_config(database, tmp_path / "jala.toml", **slims_keys)
    return CliRunner().invoke(sync_command, [
        "--from", "slims", "--db", str(tmp_path / "node.sqlite3"), "--config", str(config),
        "--data-dir", str(tmp_path), "--quiet", *options],
        env=database.environ() if env is None else env, catch_exceptions=False)
