"""Settings: file, environment overrides and the network registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.network import LIBRARY_TYPES, load_sources
from config.settings import ConfigError, load_settings
from tests.support import ROOT

DEFAULTS = {"page_size": 100, "gzip": True, "ratio": 0.5, "langs": ["id"], "name": "x"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jala.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_overrides_defaults_and_env_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[node]\npage_size = 50\nname = "Perpus"\n')
    env = {"JALA_NODE_GZIP": "off", "JALA_NODE_RATIO": "0.25", "JALA_NODE_LANGS": "id, en"}
    node = load_settings(path, environ=env).section("node", DEFAULTS)
    assert node == {"page_size": 50, "gzip": False, "ratio": 0.25, "langs": ["id", "en"],
                    "name": "Perpus"}


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), environ={"JALA_NODE_PAGE_SIZE": "many"})
    with pytest.raises(ConfigError, match="JALA_NODE_PAGE_SIZE"):
        settings.section("node", DEFAULTS)


def test_broken_toml_and_missing_explicit_file_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"jala\.toml"):
        load_settings(write(tmp_path, "[node\n"), environ={})
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "missing.toml", environ={})


def test_data_dir_precedence(tmp_path: Path) -> None:
    path = write(tmp_path, 'data_dir = "from-file"\n')
    assert load_settings(path, environ={}).data_dir == Path("from-file")
    assert load_settings(path, environ={"JALA_DATA_DIR": "env"}).data_dir == Path("env")
    assert load_settings(path, "flag", environ={"JALA_DATA_DIR": "env"}).data_dir == Path("flag")


def test_demo_registry_loads() -> None:
    sources = load_sources(load_settings(ROOT / "config" / "jala.toml", environ={}))
    assert len(sources) >= 4
    assert all(s.type in LIBRARY_TYPES and s.base_url.startswith("http") for s in sources)
    assert sources[0].extra["sample"] == "provinsi"


def test_registry_rejects_duplicates_and_unknown_types(tmp_path: Path) -> None:
    entry = '[[sources]]\nid = "a"\nname = "A"\nbase_url = "http://x/oai"\n'
    with pytest.raises(ConfigError, match="twice"):
        load_sources(load_settings(write(tmp_path, entry * 2), environ={}))
    with pytest.raises(ConfigError, match="type must be"):
        load_sources(load_settings(write(tmp_path, entry + 'type = "mall"\n'), environ={}))
