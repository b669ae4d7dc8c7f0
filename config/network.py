"""The network registry: every library (OAI-PMH source) the province harvests.

Sources come from ``[[sources]]`` tables in the configuration file, then from the
registrations approved on the dashboard (``config.registrations``; a registered id that a
``[[sources]]`` table already uses is skipped with a warning). Library details (address,
hours, WhatsApp, coordinates) travel with the source so that the patron site can show them
without asking the node.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from config.settings import ConfigError, Settings

log = logging.getLogger(__name__)

LIBRARY_TYPES = ("provinsi", "kabupaten", "kota", "sekolah", "perguruan-tinggi", "taman-baca")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


def http_only(url: str) -> str:
    """The URL when it is plain http(s) with a host, else empty: no ``javascript:``,
    ``data:`` or ``file:`` address from a record or the registry ever becomes a link."""
    url = (url or "").strip()
    if _UNSAFE.search(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else ""


@dataclass(frozen=True)
class Source:
    """One harvestable library and what the patron site shows about it."""

    id: str
    name: str
    base_url: str
    type: str = "kabupaten"
    district: str = ""
    metadata_prefix: str = ""
    sets: tuple[str, ...] = ()
    schedule: str = "every 6h"
    quirks: str = "generic"
    enabled: bool = True
    address: str = ""
    phone: str = ""
    whatsapp: str = ""
    email: str = ""
    website: str = ""
    opening_hours: str = ""
    latitude: float | None = None
    longitude: float | None = None
    # True for registered sources: every connection (redirects too) must reach a public
    # address or one of ``allowed_networks`` (CIDR), see harvester.netguard.
    public_only: bool = False
    allowed_networks: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def web_address(self) -> str:
        """The library's website as pages, JSON-LD and the API may show it: http(s) or empty."""
        return http_only(self.website)

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> Source:
        """Build from one ``[[sources]]`` table, rejecting what would break later."""
        known = {f.name for f in fields(cls)} - {"extra"}
        for key in ("id", "name", "base_url"):
            if not str(table.get(key, "")).strip():
                raise ConfigError(f"[[sources]] entry {table.get('id', '?')!r} needs '{key}'")
        if table.get("type", "kabupaten") not in LIBRARY_TYPES:
            raise ConfigError(
                f"source {table['id']!r}: type must be one of {', '.join(LIBRARY_TYPES)}"
            )
        values = {k: v for k, v in table.items() if k in known}
        values["sets"] = tuple(table.get("sets", ()))
        values["allowed_networks"] = tuple(table.get("allowed_networks", ()))
        extra = {k: v for k, v in table.items() if k not in known}
        return cls(**values, extra=extra)


def load_sources(settings: Settings) -> list[Source]:
    """Return the configured sources in file order, then approved registrations; ids unique."""
    from config.registrations import registered_sources

    sources = [Source.from_table(t) for t in settings.tables("sources")]
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise ConfigError(f"source id {source.id!r} appears twice")
        seen.add(source.id)
    for table in registered_sources(settings):
        if table["id"] in seen:
            log.warning("registration %s skipped: source id %r is in the configuration",
                        table["registration"], table["id"])
            continue
        seen.add(table["id"])
        sources.append(Source.from_table(table))
    return sources
