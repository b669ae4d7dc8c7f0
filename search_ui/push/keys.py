"""Push credentials: one secret key per source, issued by an agency admin, shown once.

Table ``push_keys`` of ``<data_dir>/web.sqlite3``: only the SHA-256 of each key is kept
(a key is 32 random bytes, so a fast hash is as strong as a slow one), with the source it
may write, who issued it and when, and when it was revoked. Issuing a new key for a source
revokes the one before, so a source has at most one live key. No Flask here.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from config.registrations import utc_now
from config.settings import Settings
from config.webdb import opened, web_db_path

SCHEMA = """
CREATE TABLE IF NOT EXISTS push_keys (
    key_hash TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    hint TEXT NOT NULL,
    issued TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    revoked TEXT
);
CREATE INDEX IF NOT EXISTS push_keys_source ON push_keys (source);
"""
KEY_PREFIX = "jpk_"


@dataclass(frozen=True)
class PushKey:
    """A key's public facts: never the key itself."""

    source: str
    hint: str
    issued: str
    issued_by: str
    revoked: str | None


def _digest(key: str) -> str:
    """What is stored of a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class PushKeys:
    """The ``push_keys`` table."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def at(cls, settings: Settings) -> PushKeys:
        """The keys of ``settings``' web database."""
        return cls(web_db_path(settings))

    def issue(self, source: str, issued_by: str) -> str:
        """A new key for ``source`` (the old one revoked); returned once, stored hashed."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        now = utc_now()
        with opened(self.path, SCHEMA) as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("UPDATE push_keys SET revoked=? WHERE source=? AND revoked IS NULL",
                       (now, source))
            db.execute("INSERT INTO push_keys VALUES (?, ?, ?, ?, ?, NULL)",
                       (_digest(key), source, key[:len(KEY_PREFIX) + 4], now, issued_by))
            db.execute("COMMIT")
        return key

    def revoke(self, source: str) -> bool:
        """Revoke the source's live key; False when it had none."""
        with opened(self.path, SCHEMA) as db:
            cursor = db.execute("UPDATE push_keys SET revoked=? WHERE source=? AND revoked "
                                "IS NULL", (utc_now(), source))
            return cursor.rowcount > 0

    def source_of(self, key: str) -> str | None:
        """The source a live key may write, or None for an unknown or revoked key."""
        if not key.startswith(KEY_PREFIX):
            return None
        with opened(self.path, SCHEMA) as db:
            row = db.execute("SELECT source FROM push_keys WHERE key_hash=? AND revoked IS "
                             "NULL", (_digest(key),)).fetchone()
        return row["source"] if row else None

    def live(self) -> dict[str, PushKey]:
        """Each source's live key, by source id."""
        with opened(self.path, SCHEMA) as db:
            rows = db.execute("SELECT source, hint, issued, issued_by, revoked FROM push_keys "
                              "WHERE revoked IS NULL").fetchall()
        return {row["source"]: PushKey(*row) for row in rows}
