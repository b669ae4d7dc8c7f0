"""What an administrator does to an existing staff account from the server's shell
(``jala users disable|enable|remove|reset-password``), kept apart from creating accounts
and logging in (``search_ui.accounts``).

- **disable**: the account stays (its name stays taken, its past decisions keep their
  author) but its open logins end at once and the login page refuses it until **enable**;
  table ``disabled_accounts`` of ``<data_dir>/web.sqlite3``.
- **remove**: the account, its open logins and its disabled mark are deleted.
- **reset-password**: a new password (the same rules as a new account) replaces the old
  one; open logins end and the account's failed logins are forgotten.

Each change is written to the decision log (``search_ui.decisions``). No Flask here.

Errors: ``search_ui.accounts.AccountError`` (no such account, password too short).
"""

from __future__ import annotations

from pathlib import Path

from werkzeug.security import generate_password_hash

from config.registrations import utc_now
from config.webdb import opened
from search_ui.accounts import MIN_PASSWORD, AccountError, Accounts
from search_ui.accounts import SCHEMA as USERS_SCHEMA
from search_ui.decisions import DecisionLog
from search_ui.logins import Logins

SCHEMA = USERS_SCHEMA + """
CREATE TABLE IF NOT EXISTS disabled_accounts (
    name TEXT PRIMARY KEY,
    since TEXT NOT NULL
);
"""


def disabled_accounts(path: Path) -> set[str]:
    """The names of every disabled account (the login page refuses them)."""
    with opened(path, SCHEMA) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM disabled_accounts")}


class AccountChanges:
    """Disable, enable, remove and reset staff accounts, each change logged by ``actor``."""

    def __init__(self, path: Path, actor: str) -> None:
        self.path = Path(path)
        self.actor = actor
        self.accounts = Accounts(self.path)
        self.logins = Logins(self.path, hours=0)
        self.log = DecisionLog(self.path)

    def _existing(self, name: str) -> str:
        """``name`` when such an account exists, else AccountError."""
        if self.accounts.get(name) is None:
            raise AccountError(f"no user {name!r}")
        return name

    def disable(self, name: str) -> None:
        """Refuse the account's logins from now on and end the open ones."""
        self._existing(name)
        with opened(self.path, SCHEMA) as conn:
            conn.execute("INSERT OR IGNORE INTO disabled_accounts (name, since) VALUES (?,?)",
                         (name, utc_now()))
        self.logins.close_all(name)
        self.log.record(self.actor, "disable-account", name)

    def enable(self, name: str) -> None:
        """Let a disabled account log in again."""
        self._existing(name)
        with opened(self.path, SCHEMA) as conn:
            conn.execute("DELETE FROM disabled_accounts WHERE name=?", (name,))
        self.log.record(self.actor, "enable-account", name)

    def remove(self, name: str) -> None:
        """Delete the account and end its logins."""
        self._existing(name)
        with opened(self.path, SCHEMA) as conn:
            conn.execute("DELETE FROM users WHERE name=?", (name,))
            conn.execute("DELETE FROM disabled_accounts WHERE name=?", (name,))
        self.logins.close_all(name)
        self.log.record(self.actor, "remove-account", name)

    def reset_password(self, name: str, password: str) -> None:
        """Give the account a new password; its open logins end."""
        self._existing(name)
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"password: at least {MIN_PASSWORD} characters")
        with opened(self.path, SCHEMA) as conn:
            conn.execute("UPDATE users SET password_hash=? WHERE name=?",
                         (generate_password_hash(password), name))
        self.logins.close_all(name)
        self.accounts.guard.forget(name)
        self.log.record(self.actor, "reset-password", name)
