"""Load settings from one TOML file, overridable by JALA_* environment variables.

Precedence, lowest first: the component's documented defaults (each component keeps its
own in ``<component>/config.py``), the TOML file, then the environment. The file is
``--config PATH``, else ``$JALA_CONFIG``, else ``config/jala.toml`` when it exists.
An environment variable ``JALA_<SECTION>_<KEY>`` overrides ``[section] key`` and is coerced
to the type of the default (``true``/``false``, integers, floats, comma-separated lists).
``JALA_DATA_DIR`` (or ``--data-dir``) moves the data directory, default ``./var``.
"""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

DEFAULT_CONFIG_PATH = Path("config/jala.toml")
DEFAULT_DATA_DIR = Path("var")


class ConfigError(Exception):
    """The configuration file or an override is unusable; the message says which key."""


@dataclass(frozen=True)
class Settings:
    """Parsed configuration: raw TOML tables plus where the data lives."""

    raw: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    environ: Mapping[str, str] = field(default_factory=dict)

    def section(self, name: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
        """Return ``[name]`` merged over ``defaults`` with JALA_NAME_KEY overrides applied."""
        table = self.raw.get(name, {})
        if not isinstance(table, Mapping):
            raise ConfigError(f"[{name}] must be a table")
        merged = {**defaults, **table}
        prefix = f"JALA_{name.upper()}_"
        for env_key, text in self.environ.items():
            if env_key.startswith(prefix):
                key = env_key[len(prefix):].lower()
                merged[key] = _coerce(text, defaults.get(key), env_key)
        return merged

    def tables(self, name: str) -> list[dict[str, Any]]:
        """Return an array of tables such as ``[[sources]]`` (empty when absent)."""
        value = self.raw.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise ConfigError(f"[[{name}]] must be an array of tables")
        return [dict(v) for v in value]

    def data_path(self, *parts: str) -> Path:
        """Return a path under the data directory, creating its parent folder."""
        path = self.data_dir.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


def _coerce(text: str, default: Any, key: str) -> Any:
    """Turn an environment string into the type of the default it replaces."""
    try:
        if isinstance(default, bool):
            if text.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(text)
            return text.lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        if isinstance(default, list):
            return [part.strip() for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise ConfigError(f"{key}={text!r} is not a valid {type(default).__name__}") from exc
    return text


def load_settings(
    path: str | Path | None = None,
    data_dir: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Read the TOML file (explicit, $JALA_CONFIG or the default) into ``Settings``."""
    env = dict(os.environ if environ is None else environ)
    explicit = path or env.get("JALA_CONFIG")
    config_path = Path(explicit) if explicit else DEFAULT_CONFIG_PATH
    raw: dict[str, Any] = {}
    if config_path.exists():
        try:
            raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config_path}: {exc}") from exc
    elif explicit:
        raise ConfigError(f"{config_path}: no such configuration file")
    else:
        config_path = None
    chosen_dir = data_dir or env.get("JALA_DATA_DIR") or raw.get("data_dir") or DEFAULT_DATA_DIR
    return Settings(raw=raw, path=config_path, data_dir=Path(chosen_dir), environ=env)


def settings_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--config`` and ``--data-dir`` to a click command and pass ``settings``."""

    @click.option("--config", "config_path", type=click.Path(dir_okay=False),
                  help="TOML configuration file (default: $JALA_CONFIG or config/jala.toml).")
    @click.option("--data-dir", type=click.Path(file_okay=False),
                  help="Data directory (default: $JALA_DATA_DIR or ./var).")
    @functools.wraps(command)
    def wrapper(*args: Any, config_path: str | None, data_dir: str | None, **kwargs: Any) -> Any:
        try:
            settings = load_settings(config_path, data_dir)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        return command(*args, settings=settings, **kwargs)

    return wrapper
