"""Which work each member record is in, and the successor a work names when records leave it.

``union_members`` says which work each member record last belonged to. When a work takes a
record another work held, that other work names it as its successor (``union_successors``):
if the other work then vanishes, the feed's tombstone says where its records went. A work
that is republished with new content names none (its row is deleted).

A batch is worked out in memory, in its order, as if its works were written one at a time:
``Moves.read`` loads the rows the batch can touch (its records' and its works'), ``place``,
``release`` and ``settle`` apply each work in turn, and ``write`` stores the difference in
a few statements. The order matters: a record moving from A to B names B as A's successor
only while A still holds it, so a batch in which A comes first and lets the record go
names no successor for it, as A's own write would have.

Errors: ``sqlite3.Error`` propagates (the caller's transaction rolls back).
"""

from __future__ import annotations

import sqlite3

from aggregator.member import Key
from config.sqlite import chunks, keys_table


class Moves:
    """The member and successor rows of one batch, changed in memory, written once."""

    def __init__(self, rows: dict[Key, str]) -> None:
        self._before = rows
        self._now = dict(rows)
        self._held: dict[str, set[Key]] = {}
        for key, work_id in rows.items():
            self._held.setdefault(work_id, set()).add(key)
        self._successors: dict[str, str | None] = {}

    @classmethod
    def read(cls, db: sqlite3.Connection, keys: list[Key], work_ids: list[str]) -> Moves:
        """The rows of these member records and of these works (every work the batch names,
        published or gone, whether or not it has members)."""
        rows: dict[Key, str] = {}
        for chunk in chunks(keys, 400):
            rows.update(((source, identifier), work_id) for source, identifier, work_id in
                        db.execute(f"{keys_table(len(chunk))}SELECT m.source, m.identifier, "
                                   "m.work_id FROM k JOIN union_members m "
                                   "USING (source, identifier)",
                                   [part for key in chunk for part in key]))
        for chunk in chunks(work_ids, 900):
            rows.update(((source, identifier), work_id) for source, identifier, work_id in
                        db.execute("SELECT source, identifier, work_id FROM union_members "
                                   f"WHERE work_id IN ({','.join('?' * len(chunk))})", chunk))
        return cls(rows)

    def place(self, work_id: str, keys: list[Key]) -> None:
        """The work holds exactly these records now; works it took them from name it."""
        for earlier in {self._now[key] for key in keys if key in self._now} - {work_id}:
            self._successors[earlier] = work_id
        self.release(work_id)
        for key in keys:
            previous = self._now.get(key)
            if previous is not None:
                self._held[previous].discard(key)
            self._now[key] = work_id
        self._held[work_id] = set(keys)

    def release(self, work_id: str) -> None:
        """The work holds no record any more."""
        for key in self._held.pop(work_id, ()):
            del self._now[key]

    def settle(self, work_id: str) -> None:
        """The work is published with new content: it names no successor."""
        self._successors[work_id] = None

    def write(self, db: sqlite3.Connection) -> None:
        """Store what changed since ``read``."""
        db.executemany("DELETE FROM union_members WHERE source = ? AND identifier = ?",
                       [key for key in self._before if key not in self._now])
        db.executemany("INSERT OR REPLACE INTO union_members VALUES (?, ?, ?)",
                       [(*key, work_id) for key, work_id in self._now.items()
                        if self._before.get(key) != work_id])
        db.executemany("DELETE FROM union_successors WHERE work_id = ?",
                       [(work_id,) for work_id, successor in self._successors.items()
                        if successor is None])
        db.executemany("INSERT OR REPLACE INTO union_successors VALUES (?, ?)",
                       [(work_id, successor) for work_id, successor in self._successors.items()
                        if successor is not None])
