"""The union catalogue's configuration: section ``[union]``, every key with its default.

    [union]
    database = ""          # union table; "" means <data_dir>/union.sqlite3
    repository_name = "Katalog Induk Jala Pustaka"
    repository_identifier = "union.jala-pustaka.example.id"   # oai:<this>:<work id>
    admin_email = "pustakawan@example.id"
    base_url = ""          # public /oai address; "" uses the address asked for
    page_size = 100        # records or headers per ListRecords/ListIdentifiers page
    token_lifetime = 3600  # seconds a resumptionToken stays valid
    secret = ""            # HMAC key for tokens; "" uses the union file's own random key
    licence = "CC0-1.0"    # the open data dump's licence (an SPDX id), in its manifest
    licence_url = "https://creativecommons.org/publicdomain/zero/1.0/"
    dump_dir = ""          # where /data's files are written; "" means <data_dir>/opendata
    sru_default_records = 10   # /sru records per answer when maximumRecords is not given
    sru_max_records = 50       # the most /sru sends at once (a larger maximumRecords is cut)

Every key can be overridden by ``JALA_UNION_<KEY>``. A member library opts out of
re-publication with ``republish = false`` in its ``[[sources]]`` table: its holdings are
left out of every published work (a work held only there is not published at all).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from aggregator.query import MAX_PAGE_SIZE
from config.network import Source
from config.settings import ConfigError, Settings

DEFAULTS: dict[str, Any] = {
    "database": "",
    "repository_name": "Katalog Induk Jala Pustaka",
    "repository_identifier": "union.jala-pustaka.example.id",
    "admin_email": "pustakawan@example.id",
    "base_url": "",
    "page_size": 100,
    "token_lifetime": 3600,
    "secret": "",
    "licence": "CC0-1.0",
    "licence_url": "https://creativecommons.org/publicdomain/zero/1.0/",
    "dump_dir": "",
    "sru_default_records": 10,
    "sru_max_records": 50,
}


@dataclass(frozen=True)
class UnionConfig:
    """The union feed's settings: what its Identify says and where its files live."""

    database: Path
    repository_name: str
    repository_identifier: str
    admin_email: str
    base_url: str
    page_size: int
    token_lifetime: int
    secret: str
    licence: str
    licence_url: str
    dump_dir: Path
    sru_default_records: int
    sru_max_records: int

    @property
    def library_name(self) -> str:
        """The provider's MARC 852 slot filler; union records name their libraries already."""
        return self.repository_name


def load_union_config(settings: Settings) -> UnionConfig:
    """Read ``[union]`` over the defaults and check it."""
    values = settings.section("union", DEFAULTS)
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise ConfigError(f"[union] has unknown keys: {', '.join(sorted(unknown))}")
    for key in ("page_size", "token_lifetime", "sru_default_records", "sru_max_records"):
        if not isinstance(values[key], int) or values[key] < 1:
            raise ConfigError(f"[union] {key} must be a positive whole number")
    if not values["sru_default_records"] <= values["sru_max_records"] <= MAX_PAGE_SIZE:
        raise ConfigError(f"[union] needs sru_default_records <= sru_max_records <= "
                          f"{MAX_PAGE_SIZE}")
    values["database"] = Path(values["database"] or settings.data_path("union.sqlite3"))
    values["dump_dir"] = Path(values["dump_dir"] or settings.data_dir / "opendata")
    names = {f.name for f in fields(UnionConfig)}
    return UnionConfig(**{key: value for key, value in values.items() if key in names})


def republishes(source: Source | None) -> bool:
    """Whether a member lets the province pass its holdings on (``republish``, default yes)."""
    if source is None:
        return True
    value = source.extra.get("republish", True)
    if not isinstance(value, bool):
        raise ConfigError(f"source {source.id!r}: republish must be true or false")
    return value
