"""Open logins, kept on the server so that logging out really ends them.

Flask's session cookie is signed, not stored: on its own, a copied cookie would stay
valid for ``[web] session_hours`` after its owner pressed "Log out". So each login gets a
random token that the cookie carries, and only its SHA-256 is kept here (table ``logins``
of ``<data_dir>/web.sqlite3``, so reading the file does not let anyone log in). A request
is logged in while its token is here and unexpired; logout deletes it. Expired rows are
pruned at each new login.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from config.webdb import opened

SCHEMA = """
CREATE TABLE IF NOT EXISTS logins (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logins_name ON logins (name);
"""


def digest(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def stamp(moment: datetime) -> str:
    """A sortable UTC timestamp."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Logins:
    """The ``logins`` table: one row per open login."""

    def __init__(self, path: Path, hours: float) -> None:
        self.path = Path(path)
        self.lifetime = timedelta(hours=hours)

    def open(self, name: str) -> str:
        """Start a login for account ``name``; return the token its cookie will carry."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with opened(self.path, SCHEMA) as conn:
            conn.execute("DELETE FROM logins WHERE expires < ?", (stamp(now),))
            conn.execute("INSERT INTO logins (token_hash, name, created, expires) "
                         "VALUES (?,?,?,?)",
                         (digest(token), name, stamp(now), stamp(now + self.lifetime)))
        return token

    def name_of(self, token: object) -> str | None:
        """The account a token logs in, or None when it is unknown, ended or expired."""
        if not isinstance(token, str) or not token:
            return None
        with opened(self.path, SCHEMA) as conn:
            row = conn.execute("SELECT name FROM logins WHERE token_hash=? AND expires>=?",
                               (digest(token), stamp(datetime.now(UTC)))).fetchone()
        return row[0] if row else None

    def close(self, token: object) -> None:
        """End one login (logout)."""
        if isinstance(token, str) and token:
            with opened(self.path, SCHEMA) as conn:
                conn.execute("DELETE FROM logins WHERE token_hash=?", (digest(token),))

    def close_all(self, name: str) -> None:
        """End every login of account ``name`` (disabled, removed, or given a new password)."""
        with opened(self.path, SCHEMA) as conn:
            conn.execute("DELETE FROM logins WHERE name=?", (name,))
