"""One-time links that let a new account choose its own password (a corner's volunteer).

The agency never learns or sends a password: on approval an admin gets a link to pass on
(e.g. by WhatsApp). Table ``password_links`` of ``<data_dir>/web.sqlite3`` keeps only the
SHA-256 of each link's random token (as ``search_ui.logins`` does), the account it is for,
and when it expires (``[web] password_link_hours``) or was used. A link works once: using
it and setting the password happen in one transaction, and a new link for the same
account ends the older ones. No Flask here.

Errors: ``LinkError`` (unknown, used or expired link), with a reason in both languages.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from werkzeug.security import generate_password_hash

from config.webdb import opened
from search_ui.accounts import SCHEMA as USERS_SCHEMA
from search_ui.accounts import check_password
from search_ui.logins import digest, stamp

SCHEMA = USERS_SCHEMA + """
CREATE TABLE IF NOT EXISTS password_links (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    expires TEXT NOT NULL,
    used TEXT
);
CREATE INDEX IF NOT EXISTS password_links_name ON password_links (name);
"""


class LinkError(Exception):
    """A set-password link that cannot be used: unknown, already used, or expired."""

    def __init__(self, id_text: str, en_text: str) -> None:
        super().__init__(en_text)
        self.id_text, self.en_text = id_text, en_text


UNKNOWN = LinkError("tautan ini tidak dikenal", "this link is not known")
USED = LinkError("tautan ini sudah dipakai", "this link has been used already")
EXPIRED = LinkError("tautan ini sudah kedaluwarsa", "this link has expired")


class PasswordLinks:
    """The ``password_links`` table."""

    def __init__(self, path: Path, hours: float) -> None:
        self.path = Path(path)
        self.lifetime = timedelta(hours=hours)

    def issue(self, name: str) -> str:
        """A new link token for account ``name`` (older unused ones end); returned once."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with opened(self.path, SCHEMA) as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE password_links SET used=? WHERE name=? AND used IS NULL",
                         (stamp(now), name))
            conn.execute("INSERT INTO password_links (token_hash, name, created, expires) "
                         "VALUES (?,?,?,?)",
                         (digest(token), name, stamp(now), stamp(now + self.lifetime)))
            conn.execute("COMMIT")
        return token

    def name_of(self, token: str) -> str:
        """The account a usable token is for (LinkError when it is not usable)."""
        with opened(self.path, SCHEMA) as conn:
            row = conn.execute("SELECT name, expires, used FROM password_links "
                               "WHERE token_hash=?", (digest(token),)).fetchone()
        if row is None:
            raise UNKNOWN
        if row["used"]:
            raise USED
        if row["expires"] < stamp(datetime.now(UTC)):
            raise EXPIRED
        return str(row["name"])

    def redeem(self, token: str, password: str) -> str:
        """Set the account's password and use the link up, at once; return the account name.

        ``AccountError`` for a password too short (the link stays usable), ``LinkError``
        for a link that is not usable (nothing changes)."""
        check_password(password)
        now = stamp(datetime.now(UTC))
        with opened(self.path, SCHEMA) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                name = self.name_of(token)
                conn.execute("UPDATE password_links SET used=? WHERE token_hash=?",
                             (now, digest(token)))
                conn.execute("UPDATE users SET password_hash=? WHERE name=?",
                             (generate_password_hash(password), name))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return name
