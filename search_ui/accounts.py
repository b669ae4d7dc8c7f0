"""Agency staff accounts and the record of failed logins that rate-limits guessing.

Accounts live in ``<data_dir>/web.sqlite3`` (table ``users``): a name, a role (``admin``
decides registrations; ``staff`` watches the network and asks for harvests; ``library``
is a hosted reading corner's volunteer, scoped to its ``source`` and nothing else) and a
password hash from ``werkzeug.security`` (scrypt). Which failed logins are counted and
when an attempt must wait is ``search_ui.login_guard``'s concern (``Accounts.guard``).
No Flask here: ``jala users`` uses it too.

Errors: ``AccountError`` (unknown role, name or password not acceptable, name taken).
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from config.registrations import utc_now
from config.webdb import opened
from search_ui.login_guard import LoginGuard, LoginLimits
from search_ui.throttle import REAL_CLOCK, Clock, Throttle

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created TEXT NOT NULL,
    last_login TEXT,
    source TEXT
);
"""
STAFF_ROLES = ("admin", "staff")
ROLES = (*STAFF_ROLES, "library")
"""``library`` accounts are opened by approving a hosted corner, never by hand."""
MIN_PASSWORD = 10
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
"""Up to 64 characters: a corner's account is named after its source id."""
USER_COLUMNS = "name, role, created, last_login, source"
# Checked against when the account does not exist, so both answers take as long.
_DUMMY_HASH = generate_password_hash("not-a-password-anyone-has")


class AccountError(Exception):
    """An account cannot be created or changed as asked."""


def check_password(password: str) -> None:
    """Refuse (AccountError) a password too short to withstand guessing."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")


@dataclass(frozen=True)
class User:
    """One staff member."""

    name: str
    role: str
    created: str
    last_login: str | None
    source: str | None = None

    def can(self, role: str) -> bool:
        """True when this account holds ``role`` (an admin can do everything staff can)."""
        return self.role == role or (self.role == "admin" and role == "staff")


class Accounts:
    """The ``users`` table, and the guard that counts failed logins against it."""

    def __init__(self, path: Path, limits: LoginLimits | None = None,
                 clock: Clock = REAL_CLOCK) -> None:
        self.path = Path(path)
        self.guard = LoginGuard(Throttle(self.path, clock), limits or LoginLimits())

    def _open(self) -> AbstractContextManager[sqlite3.Connection]:
        """A connection with the table as this code knows it (``source`` added to old files)."""
        return opened(self.path, SCHEMA, {"users": {"source": "TEXT"}})

    def add(self, name: str, password: str, role: str, source: str | None = None) -> User:
        """Create an account (AccountError when the name, role or password is not acceptable).

        A ``library`` account needs the ``source`` it may manage; other roles have none."""
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if (role == "library") != bool(source):
            raise AccountError("a library account needs its source, and only it has one")
        if not NAME.match(name):
            raise AccountError("name: 2-64 lower-case letters, digits, '.', '_' or '-'")
        check_password(password)
        with self._open() as conn:
            if conn.execute("SELECT 1 FROM users WHERE name=?", (name,)).fetchone():
                raise AccountError(f"user {name!r} exists already")
            conn.execute("INSERT INTO users (name, role, password_hash, created, source) "
                         "VALUES (?,?,?,?,?)",
                         (name, role, generate_password_hash(password), utc_now(), source))
        return self.get(name)  # type: ignore[return-value]

    def set_password(self, name: str, password: str) -> None:
        """Give an existing account a new password (AccountError when it is too short)."""
        check_password(password)
        with self._open() as conn:
            changed = conn.execute("UPDATE users SET password_hash=? WHERE name=?",
                                   (generate_password_hash(password), name)).rowcount
        if not changed:
            raise AccountError(f"no user {name!r}")

    def get(self, name: str) -> User | None:
        """The account called ``name``, or None."""
        with self._open() as conn:
            row = conn.execute(f"SELECT {USER_COLUMNS} FROM users WHERE name=?",
                               (name,)).fetchone()
        return User(**dict(row)) if row else None

    def of_source(self, source: str) -> User | None:
        """The library account that manages ``source``, or None."""
        with self._open() as conn:
            row = conn.execute(f"SELECT {USER_COLUMNS} FROM users WHERE source=? LIMIT 1",
                               (source,)).fetchone()
        return User(**dict(row)) if row else None

    def all(self) -> list[User]:
        """Every account, by name."""
        with self._open() as conn:
            rows = conn.execute(f"SELECT {USER_COLUMNS} FROM users ORDER BY name")
            return [User(**dict(r)) for r in rows]

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password is right, else None (the guard counts the outcome).

        Unknown names cost the same hash check as known ones, so probing names teaches
        nothing."""
        with self._open() as conn:
            row = conn.execute("SELECT password_hash FROM users WHERE name=?",
                               (name,)).fetchone()
            good = check_password_hash(row[0] if row else _DUMMY_HASH, password) and bool(row)
            if good:
                conn.execute("UPDATE users SET last_login=? WHERE name=?", (utc_now(), name))
        return self.get(name) if good else None
