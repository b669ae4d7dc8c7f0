"""The agency's decision log: who decided what, when and why, so the dashboard can answer
"who let this library in?" long after the registration page is gone.

Table ``decisions`` of ``<data_dir>/web.sqlite3``, append-only: a UTC stamp, the actor (a
dashboard account, or ``cli:<system user>`` for ``jala users``), an action code from
``ACTIONS``, its subject (a source id or an account name) and the reason or detail given.
Written by the dashboard (registrations, push modes and keys, the census list) and by
``jala users``; read by the dashboard. No Flask here.

Errors: ``ValueError`` for an action code not in ``ACTIONS`` (a bug of ours); storage
errors are sqlite3's.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from config.registrations import utc_now
from config.webdb import WebStore, opened

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
"""
ACTIONS = ("approve", "reject", "push-mode", "push-key", "push-revoke", "known-import",
           "disable-account", "enable-account", "remove-account", "reset-password")
NOTE_LIMIT = 500


@dataclass(frozen=True)
class Decision:
    """One logged decision."""

    id: int
    at: str
    actor: str
    action: str
    subject: str
    note: str


def command_line_actor() -> str:
    """How a decision taken at the server's shell names its actor: the system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name and no passwd entry (a bare container)
        return "cli:?"


class DecisionLog(WebStore):
    """The ``decisions`` table."""

    def record(self, actor: str, action: str, subject: str, note: str = "") -> None:
        """Append one decision."""
        if action not in ACTIONS:
            raise ValueError(f"unknown decision {action!r}")
        with opened(self.path, SCHEMA) as conn:
            conn.execute("INSERT INTO decisions (at, actor, action, subject, note) "
                         "VALUES (?,?,?,?,?)",
                         (utc_now(), actor, action, subject, note[:NOTE_LIMIT]))

    def recent(self, limit: int = 50) -> list[Decision]:
        """The latest decisions, newest first (none while the file does not exist)."""
        if not self.path.exists():
            return []
        with opened(self.path, SCHEMA) as conn:
            rows = conn.execute("SELECT id, at, actor, action, subject, note FROM decisions "
                                "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [Decision(**dict(row)) for row in rows]
