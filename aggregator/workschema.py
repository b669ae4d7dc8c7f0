"""The works database's tables, and bringing a file from an older version up to date.

``upgrade`` creates the tables of a new file and migrates an older one on open: the JSON
moved out of ``records`` into ``record_data``, blocking keys (re)filed when ``BLOCKING``
rises. A file from before ``match`` was stored cannot be migrated: the store's own error
(``WorkStoreError``) says to move it aside and rebuild.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from aggregator.blocking import filed_keys
from aggregator.matching import MatchView
from config.sqlite import Transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    source TEXT NOT NULL, identifier TEXT NOT NULL, seq INTEGER NOT NULL,
    title_key TEXT NOT NULL, subtitle_key TEXT NOT NULL, work_id TEXT,
    match TEXT NOT NULL,
    PRIMARY KEY (source, identifier)) WITHOUT ROWID;
DROP INDEX IF EXISTS records_title;
DROP INDEX IF EXISTS records_block;
CREATE INDEX IF NOT EXISTS records_work ON records (work_id);
CREATE TABLE IF NOT EXISTS record_data (
    source TEXT NOT NULL, identifier TEXT NOT NULL, data TEXT NOT NULL,
    UNIQUE (source, identifier));
CREATE TABLE IF NOT EXISTS record_isbns (
    isbn TEXT NOT NULL, source TEXT NOT NULL, identifier TEXT NOT NULL,
    PRIMARY KEY (isbn, source, identifier)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS record_isbns_record ON record_isbns (source, identifier);
CREATE TABLE IF NOT EXISTS assignments (
    source TEXT NOT NULL, identifier TEXT NOT NULL, work_id TEXT NOT NULL,
    PRIMARY KEY (source, identifier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS unmapped (
    source TEXT NOT NULL, identifier TEXT NOT NULL, reason TEXT NOT NULL,
    metadata_prefix TEXT NOT NULL, datestamp TEXT NOT NULL,
    PRIMARY KEY (source, identifier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
BLOCKS_TABLE = """
CREATE TABLE IF NOT EXISTS record_blocks (
    block INTEGER NOT NULL, source TEXT NOT NULL, identifier TEXT NOT NULL,
    PRIMARY KEY (block, source, identifier)) WITHOUT ROWID;
"""
"""Blocking key (``blocking``, a 64-bit integer) → record; recreated when ``BLOCKING`` rises."""

BLOCKING = 3
"""Version of ``blocking.filed_keys`` (3: keys hashed to 64-bit integers, title bits
first); a file whose ``record_blocks`` is older is refiled."""


def upgrade(db: sqlite3.Connection, path: Path, error: Callable[[str], Exception]) -> None:
    """Create what a new file lacks and migrate an older one (``error``: what to raise
    for a file too old to migrate)."""
    if {"source", "identifier"} <= _columns(db) and "match" not in _columns(db):
        db.close()
        raise error(f"{path} is from an early version this one cannot migrate: move "
                    "it aside and run `jala index rebuild` (works get new ids)")
    db.executescript(SCHEMA + BLOCKS_TABLE)
    _move_data_out(db)
    _file_blocks(db)


def _columns(db: sqlite3.Connection) -> set[str]:
    """Column names of ``records`` as the file has it (empty for a new file)."""
    return {row[1] for row in db.execute("PRAGMA table_info(records)")}


def _move_data_out(db: sqlite3.Connection) -> None:
    """Files written before ``record_data`` kept the JSON in ``records``: move it once."""
    if "data" in _columns(db):
        with Transaction(db):
            db.execute("INSERT OR REPLACE INTO record_data "
                       "SELECT source, identifier, data FROM records")
            db.execute("ALTER TABLE records DROP COLUMN data")


def _file_blocks(db: sqlite3.Connection) -> None:
    """Files from before ``record_blocks`` (or an older ``BLOCKING``): file every record."""
    if get_state(db, "blocking") == BLOCKING:
        return
    with Transaction(db):
        db.execute("DROP TABLE IF EXISTS record_blocks")  # its key type may differ
        db.execute(BLOCKS_TABLE)
        rows = db.execute("SELECT source, identifier, match FROM records")
        db.executemany("INSERT OR IGNORE INTO record_blocks VALUES (?, ?, ?)", (
            (block, source, identifier) for source, identifier, match in rows
            for block in filed_keys(MatchView.from_json(match))))
        set_state(db, "blocking", BLOCKING)


def get_state(db: sqlite3.Connection, name: str) -> int:
    """An integer of the indexer's state (cursor, counters, versions), 0 when never set."""
    row = db.execute("SELECT value FROM state WHERE name=?", (name,)).fetchone()
    return int(row[0]) if row else 0


def set_state(db: sqlite3.Connection, name: str, value: int) -> None:
    """Store an integer of the indexer's state."""
    db.execute("INSERT INTO state VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
               "SET value=excluded.value", (name, value))
