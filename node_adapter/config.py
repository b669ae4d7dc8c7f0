"""The node adapter's configuration: section ``[node]``, every key with its default.

    [node]
    database = ""                  # catalogue file; "" means <data_dir>/catalogue.sqlite3
    page_size = 100                # records or headers per ListRecords/ListIdentifiers page
    token_lifetime = 3600          # seconds a resumptionToken stays valid
    secret = ""                    # HMAC key for tokens; "" uses the catalogue's own random key
    repository_name = "Perpustakaan Jala Pustaka"
    repository_identifier = "jala-pustaka.example.id"   # domain style, in oai:<this>:<id>
    admin_email = "pustakawan@example.id"
    base_url = ""                  # public /oai address; "" uses the address asked for
    library_name = ""              # MARC 852 $a; "" uses repository_name
    library_type = "kabupaten"     # one of config.network.LIBRARY_TYPES (provinsi, kota, ...)
    district = ""
    address = ""
    phone = ""
    whatsapp = ""
    opening_hours = ""
    latitude = ""                  # decimal degrees, "" when unknown
    longitude = ""

Every key can be overridden by ``JALA_NODE_<KEY>``.

``jala node push`` (docs/push.md) reads section ``[push]``, each key overridable by
``JALA_PUSH_<KEY>``::

    [push]
    server_url = ""                # the province's site, e.g. https://jala.example.id
    key = ""                       # the source's push key from the agency's dashboard
    outbox = ""                    # batches in transit; "" means <catalogue>.push/ beside it
    batch_records = 500            # records (and deletions) per batch, at most
    piece_bytes = 32768            # bytes per request: what a bad link may lose at once
    timeout = 20.0                 # seconds to connect, and between bytes of an answer
    retry_max_seconds = 60.0       # backoff doubles from 0.5 s up to this
    give_up_seconds = 900.0        # a one-shot push fails after this long unreachable
    interval_seconds = 300         # --daemon: pause between rounds once nothing is pending

``jala node sync --from slims`` and ``jala node serve`` (docs/node-adapter.md) read section
``[slims]``, each key overridable by ``JALA_SLIMS_<KEY>``::

    [slims]
    host = "127.0.0.1"             # the SLiMS database server (MariaDB/MySQL)
    port = 3306
    database = "slims"
    user = "jala_baca"             # a read-only account (GRANT SELECT only)
    password_file = ""             # a file holding the password; else $JALA_SLIMS_PASSWORD
    timezone = "Asia/Jakarta"      # the zone SLiMS writes its local times in
    opac_url = ""                  # SLiMS's public address: attachments become links there
    sync_every = 0                 # jala node serve: minutes between syncs; 0 = no syncing
    overlap_seconds = 300          # re-read changes this far behind the last one seen
    batch_titles = 500             # titles read and written per transaction
    connect_timeout = 10           # seconds to reach the database
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from config.network import LIBRARY_TYPES
from config.settings import ConfigError, Settings

DEFAULTS: dict[str, Any] = {
    "database": "",
    "page_size": 100,
    "token_lifetime": 3600,
    "secret": "",
    "repository_name": "Perpustakaan Jala Pustaka",
    "repository_identifier": "jala-pustaka.example.id",
    "admin_email": "pustakawan@example.id",
    "base_url": "",
    "library_name": "",
    "library_type": "kabupaten",
    "district": "",
    "address": "",
    "phone": "",
    "whatsapp": "",
    "opening_hours": "",
    "latitude": "",
    "longitude": "",
}
PUSH_DEFAULTS: dict[str, Any] = {
    "server_url": "",
    "key": "",
    "outbox": "",
    "batch_records": 500,
    "piece_bytes": 32768,
    "timeout": 20.0,
    "retry_max_seconds": 60.0,
    "give_up_seconds": 900.0,
    "interval_seconds": 300,
}
SLIMS_DEFAULTS: dict[str, Any] = {
    "host": "127.0.0.1",
    "port": 3306,
    "database": "slims",
    "user": "jala_baca",
    "password_file": "",
    "timezone": "Asia/Jakarta",
    "opac_url": "",
    "sync_every": 0,
    "overlap_seconds": 300,
    "batch_titles": 500,
    "connect_timeout": 10,
}
_REPOSITORY_IDENTIFIER = re.compile(r"^[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+$")
_EMAIL = re.compile(r"^\S+@(\S+\.)+\S+$")


@dataclass(frozen=True)
class NodeConfig:
    """One node's settings, checked: what Identify, MARC 852 and /health say."""

    database: Path
    page_size: int
    token_lifetime: int
    secret: str
    repository_name: str
    repository_identifier: str
    admin_email: str
    base_url: str
    library_name: str
    library_type: str
    district: str
    address: str
    phone: str
    whatsapp: str
    opening_hours: str
    latitude: float | None
    longitude: float | None

    def library(self) -> dict[str, Any]:
        """The library's public details, for /health and the directory."""
        keys = ("library_name", "library_type", "district", "address", "phone", "whatsapp",
                "opening_hours", "latitude", "longitude")
        return {key.removeprefix("library_"): getattr(self, key) for key in keys}


def load_node_config(settings: Settings, overrides: Mapping[str, Any] | None = None) -> NodeConfig:
    """Read ``[node]`` (defaults, file, environment, then ``overrides``) and check it."""
    values = {**settings.section("node", DEFAULTS), **(overrides or {})}
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise ConfigError(f"[node] has unknown keys: {', '.join(sorted(unknown))}")
    if not _REPOSITORY_IDENTIFIER.match(str(values["repository_identifier"])):
        raise ConfigError("[node] repository_identifier must be domain style, e.g. perpus.go.id")
    if not _EMAIL.match(str(values["admin_email"])):
        raise ConfigError("[node] admin_email must be an e-mail address")
    if values["library_type"] not in LIBRARY_TYPES:
        raise ConfigError(f"[node] library_type must be one of {', '.join(LIBRARY_TYPES)}")
    for key in ("page_size", "token_lifetime"):
        if not isinstance(values[key], int) or values[key] < 1:
            raise ConfigError(f"[node] {key} must be a positive whole number")
    values["database"] = Path(values["database"] or settings.data_path("catalogue.sqlite3"))
    values["library_name"] = values["library_name"] or values["repository_name"]
    for key in ("latitude", "longitude"):
        values[key] = _coordinate(key, values[key])
    names = {f.name for f in fields(NodeConfig)}
    return NodeConfig(**{key: value for key, value in values.items() if key in names})


def _coordinate(key: str, value: Any) -> float | None:
    """A decimal degree, or None when not given."""
    if value in ("", None):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"[node] {key} must be a decimal number of degrees") from exc
