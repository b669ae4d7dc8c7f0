"""Reading corners and school libraries that registered on the site, and their approval.

A registration is ``pending`` until an agency user approves or rejects it. Approved ones
are sources: ``config.network.load_sources`` adds them after the configuration file's
``[[sources]]`` (``registered_sources``), so the harvester needs no other entry point.
Three kinds: ``oai`` (the library runs SLiMS, INLISLite or our node; ``base_url`` is
theirs), ``hosted`` (the library uploaded a spreadsheet; the central server publishes it
at ``<web base>/tbm/<source_id>/oai`` from ``<data_dir>/hosted/<source_id>.sqlite3``) and
``push`` (a node with no address the province can reach: it sends its changes with
``jala node push``; its ``base_url`` is the placeholder ``push:<source_id>``, never
harvested because the source is switched to pushed on approval).

Sources registered with an address of their own are harvested with the address guard
(``public_only``) unless ``[web] allow_private_sources`` is true; hosted ones are ours.
No Flask here: the harvester imports this through ``load_sources``.

Errors: ``RegistrationError`` (an unknown registration, or a decision on one already
decided); the table is in ``<data_dir>/web.sqlite3`` (``config.webdb``).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config.settings import Settings
from config.sqlite import Transaction
from config.webdb import opened, web_db_path

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS registrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'pending',
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    district TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    whatsapp TEXT NOT NULL DEFAULT '',
    opening_hours TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL,
    base_url TEXT NOT NULL DEFAULT '',
    quirks TEXT NOT NULL DEFAULT 'generic',
    report TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL,
    decided TEXT,
    decided_by TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS registrations_status ON registrations (status, id);
"""
STATUSES = ("pending", "approved", "rejected")
KINDS = ("oai", "hosted", "push")
ADDED_COLUMNS = {"registrations": {"latitude": "REAL", "longitude": "REAL"}}
"""Columns files made before corners kept their own details lack."""
DETAILS = ("address", "opening_hours", "contact_name", "email", "whatsapp", "latitude",
           "longitude")
"""What an approved corner may change about itself."""
REGISTERED_SCHEDULE = "every 24h"
WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}
"""Listening on every interface: the worker reaches the site itself over loopback."""


class RegistrationError(Exception):
    """A registration that does not exist or cannot take the decision asked."""


def utc_now() -> str:
    """Current UTC time, ISO 8601 with Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Registration:
    """One library's request to join the network."""

    source_id: str
    kind: str
    name: str
    type: str
    district: str
    address: str = ""
    contact_name: str = ""
    email: str = ""
    whatsapp: str = ""
    opening_hours: str = ""
    latitude: float | None = None
    longitude: float | None = None
    base_url: str = ""
    quirks: str = "generic"
    report: dict[str, Any] = field(default_factory=dict)
    status: str = "pending"
    created: str = ""
    decided: str | None = None
    decided_by: str | None = None
    note: str = ""
    id: int | None = None


COLUMNS = [f.name for f in fields(Registration) if f.name != "id"]


def slugify(name: str) -> str:
    """A source id from a library's name: ASCII, lower case, dashes, a letter first."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48] or "perpustakaan"
    return slug if slug[0].isalpha() else f"p-{slug}"


class RegistrationStore:
    """The ``registrations`` table of ``web.sqlite3``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def at(cls, settings: Settings) -> RegistrationStore:
        """The store under ``settings.data_dir``."""
        return cls(web_db_path(settings))

    def _connect(self) -> Any:
        """A connection for one operation, table created on first use."""
        return opened(self.path, SCHEMA, ADDED_COLUMNS)

    def add(self, registration: Registration, taken: set[str]) -> Registration:
        """Store a new pending registration under a source id no one else has."""
        base = registration.source_id
        with self._connect() as conn, Transaction(conn):
            used = taken | {r[0] for r in conn.execute("SELECT source_id FROM registrations")}
            candidate, n = base, 2
            while candidate in used:
                candidate, n = f"{base}-{n}", n + 1
            registration.source_id = candidate
            registration.created = registration.created or utc_now()
            values = [json.dumps(getattr(registration, c), ensure_ascii=False)
                      if c == "report" else getattr(registration, c) for c in COLUMNS]
            cursor = conn.execute(
                f"INSERT INTO registrations ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(COLUMNS))})", values)
        registration.id = cursor.lastrowid
        return registration

    def get(self, registration_id: int) -> Registration:
        """One registration by number (RegistrationError when unknown)."""
        found = self._select("WHERE id=?", (registration_id,))
        if not found:
            raise RegistrationError(f"no registration {registration_id}")
        return found[0]

    def find(self, source_id: str) -> Registration | None:
        """The registration that gave ``source_id``, or None."""
        found = self._select("WHERE source_id=?", (source_id,))
        return found[0] if found else None

    def by_status(self, status: str, limit: int = 200) -> list[Registration]:
        """Registrations with ``status``, oldest first (the queue order)."""
        return self._select("WHERE status=? ORDER BY id LIMIT ?", (status, limit))

    def decide(self, registration_id: int, approve: bool, by: str,
               note: str = "") -> Registration:
        """Approve or reject a pending registration (only once)."""
        status = "approved" if approve else "rejected"
        with self._connect() as conn:
            changed = conn.execute(
                "UPDATE registrations SET status=?, decided=?, decided_by=?, note=? "
                "WHERE id=? AND status='pending'",
                (status, utc_now(), by, note, registration_id)).rowcount
        if not changed:
            current = self.get(registration_id)
            raise RegistrationError(f"registration {registration_id} is already "
                                    f"{current.status}")
        return self.get(registration_id)

    def update_details(self, source_id: str, details: dict[str, Any]) -> Registration:
        """Change a corner's own details (only the keys of ``DETAILS``)."""
        unknown = set(details) - set(DETAILS)
        if unknown:
            raise RegistrationError(f"not a detail a library may change: {sorted(unknown)}")
        assignments = ", ".join(f"{key}=?" for key in details)
        with self._connect() as conn:
            changed = conn.execute(f"UPDATE registrations SET {assignments} WHERE source_id=?",
                                   (*details.values(), source_id)).rowcount
        found = self.find(source_id)
        if not changed or found is None:
            raise RegistrationError(f"no registration {source_id!r}")
        return found

    def _select(self, where: str, args: tuple[Any, ...]) -> list[Registration]:
        """Registrations matching ``where`` (none while the file does not exist)."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(COLUMNS)}, id FROM registrations {where}",
                                args).fetchall()
        return [Registration(**{**dict(row), "report": json.loads(row["report"])})
                for row in rows]


def hosted_base_url(settings: Settings, source_id: str) -> str:
    """Where the central server publishes a hosted catalogue over OAI-PMH."""
    from search_ui.config import WEB_DEFAULTS  # plain data, no Flask

    web = settings.section("web", WEB_DEFAULTS)
    return f"{web['base_url'].rstrip('/') or _served_at(web['host'], web['port'])}" \
        f"/tbm/{source_id}/oai"


def _served_at(host: str, port: int) -> str:
    """The site's own address when no ``base_url`` is set (a wildcard host means loopback)."""
    host = WILDCARD_HOSTS.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _base_url(settings: Settings, reg: Registration) -> str:
    """Where a registered source is harvested (a placeholder for one that pushes)."""
    if reg.kind == "hosted":
        return hosted_base_url(settings, reg.source_id)
    return f"push:{reg.source_id}" if reg.kind == "push" else reg.base_url


def registered_sources(settings: Settings) -> list[dict[str, Any]]:
    """``[[sources]]``-shaped tables of the approved registrations, oldest first."""
    from search_ui.config import WEB_DEFAULTS

    web = settings.section("web", WEB_DEFAULTS)
    tables = []
    for reg in RegistrationStore.at(settings).by_status("approved", limit=100_000):
        coordinates = {"latitude": reg.latitude, "longitude": reg.longitude} \
            if reg.latitude is not None and reg.longitude is not None else {}
        tables.append({
            "id": reg.source_id, "name": reg.name, "type": reg.type,
            "district": reg.district, "address": reg.address, "email": reg.email,
            "whatsapp": reg.whatsapp, "opening_hours": reg.opening_hours,
            "base_url": _base_url(settings, reg),
            "schedule": REGISTERED_SCHEDULE, "quirks": reg.quirks, **coordinates,
            "public_only": reg.kind == "oai" and not web["allow_private_sources"],
            "allowed_networks": list(web["allowed_source_networks"]),
            "registration": reg.id,
        })
    return tables
