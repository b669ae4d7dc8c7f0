"""Merging records into the catalogue's tables: match by id or ISBN, decide, write in bulk.

A ``Merger`` lives for one write transaction that ``Catalogue`` has opened. It takes
records a chunk at a time, looks the chunk's matches up with one query per table, decides
for each record whether it is new, changed or unchanged, and writes the changed ones with
``executemany``: content, the rendered header, one XML fragment per format, ISBNs (as
ISBN-13 keys) and set memberships. It also turns records into tombstones.

Matching: a record is found by its id, else by a valid ISBN. Inside one transaction a
record that reaches a book already written by it is merged (the later fields, both
records' copies) when it has the same title, or by its ISBN only when it is the same book:
volumes of a set share an ISBN and stay apart. Invalid ISBNs are never keys.
A mirrored library system (``match_isbn=False``, the SLiMS sync) is matched by id only:
its own rows are the truth, and two of its titles sharing an ISBN stay two records.

Status times: a copy that comes without ``status_known`` keeps the time stored for the
same barcode and status, else gets the write's change stamp (to the second). So every
writer through ``Catalogue.upsert_many`` (import, sync) dates the statuses it brings.

Errors: ``sqlite3.Error`` propagates; the catalogue's transaction rolls everything back.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from biblio.isbn import to_isbn13
from node_adapter.intake.identity import book_key
from node_adapter.oai.formats import FORMATS
from node_adapter.oai.response import header_tail
from node_adapter.oai.sets import set_names
from node_adapter.records import BibRecord


def isbn_keys(record: BibRecord) -> list[str]:
    """The keys a record is matched by: ISBN-13, so a re-import with ISBN-10 finds it."""
    return [to_isbn13(isbn) or isbn for isbn in record.isbn]


@dataclass
class UpsertSummary:
    """What one ``upsert_many`` did; a revived tombstone counts as added.

    ``merged`` counts records folded into a book the same call had already written."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    merged: int = 0


@dataclass
class _Stored:
    """A record row as the chunk being merged sees it."""

    content: str | None
    updated: str
    sets: str
    record: BibRecord | None = None
    names: tuple[tuple[str, str], ...] = ()


class Merger:
    """Merges chunks of records stamped ``when`` into the tables, counting what it did."""

    def __init__(self, db: sqlite3.Connection, when: str, *, match_isbn: bool = True) -> None:
        """``match_isbn=False`` for a source whose own ids are the truth (a mirrored ILS)."""
        self._db = db
        self._when = when
        self._status_time = f"{when[:19]}Z"
        self._match_isbn = match_isbn
        self.summary = UpsertSummary()
        self.seen: set[str] = set()

    def merge(self, chunk: list[BibRecord]) -> None:
        """Look a chunk's matches up in bulk, decide each record, then write with executemany."""
        by_isbn = self._isbn_owners({key for record in chunk for key in isbn_keys(record)}) \
            if self._match_isbn else {}
        stored = self._stored({r.local_id for r in chunk} | set(by_isbn.values()))
        planned: dict[str, _Stored] = {}
        verdicts: dict[str, str] = {}
        for incoming in chunk:
            target = self._target(incoming, stored, planned, by_isbn)
            record = incoming if target == incoming.local_id else dataclasses.replace(
                incoming, local_id=target)
            prior = planned.get(target) or stored.get(target)
            if target in self.seen:
                record = _combined(_record_of(prior), record)
                self.summary.merged += 1
            else:
                self.seen.add(target)
                verdicts[target] = "added" if prior is None or prior.content is None \
                    else "updated"
            record = _with_status_times(record, stored.get(target), self._status_time)
            content = _canonical_json(record)
            if prior is not None and prior.content == content:
                continue
            names = tuple(set_names(record))
            leaves = " ".join(spec for spec, _ in names if ":" in spec)
            planned[target] = _Stored(content, self._when, leaves, record, names)
            if self._match_isbn:
                by_isbn.update((key, target) for key in isbn_keys(record))
        for target, verdict in verdicts.items():
            before = stored.get(target)
            if target in planned and not (before and before.content == planned[target].content):
                setattr(self.summary, verdict, getattr(self.summary, verdict) + 1)
            else:
                planned.pop(target, None)
                self.summary.unchanged += 1
        self._write(planned, stored)

    def _target(self, incoming: BibRecord, stored: dict[str, _Stored],
                planned: dict[str, _Stored], by_isbn: dict[str, str]) -> str:
        """The id a record is stored under: its own, or the record sharing a valid ISBN."""
        if incoming.local_id in stored or incoming.local_id in planned or not self._match_isbn:
            return incoming.local_id
        for key in isbn_keys(incoming):
            owner = by_isbn.get(key)
            if owner is None:
                continue
            if owner not in self.seen or book_key(incoming.title, incoming.subtitle) == \
                    _book_key_of(planned.get(owner) or stored[owner]):
                return owner
        return incoming.local_id

    def _isbn_owners(self, isbns: set[str]) -> dict[str, str]:
        """Live records holding any of these ISBNs."""
        owners: dict[str, str] = {}
        for batch in _batches(sorted(isbns)):
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT isbn, local_id FROM isbns WHERE isbn IN ({marks})", batch)
            for isbn, local_id in rows:
                owners.setdefault(isbn, local_id)
        return owners

    def _stored(self, local_ids: set[str]) -> dict[str, _Stored]:
        """Current rows (live or tombstone) for these ids."""
        found: dict[str, _Stored] = {}
        for batch in _batches(sorted(local_ids)):
            marks = ",".join("?" * len(batch))
            rows = self._db.execute("SELECT local_id, content, updated, sets FROM records"
                                    f" WHERE local_id IN ({marks})", batch)
            for local_id, content, updated, sets in rows:
                found[local_id] = _Stored(content, updated, sets)
        return found

    def _write(self, planned: dict[str, _Stored], stored: dict[str, _Stored]) -> None:
        """Store content, fragments, ISBNs and set memberships of changed records."""
        if not planned:
            return
        when = self._when
        ids = [(local_id,) for local_id in planned]
        old_members = [(spec, stored[i].updated, i) for i in planned if i in stored
                       for spec in with_parents(stored[i].sets)]
        self._db.executemany("DELETE FROM set_members WHERE set_spec = ? AND updated = ?"
                             " AND local_id = ?", old_members)
        self._db.executemany("DELETE FROM isbns WHERE local_id = ?", ids)
        self._db.executemany(
            "INSERT INTO records (local_id, content, created, updated, sets, head)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (local_id) DO UPDATE SET"
            " content = excluded.content, updated = excluded.updated, sets = excluded.sets,"
            " head = excluded.head",
            [(i, s.content, when, when, s.sets, header_tail(i, when, s.sets))
             for i, s in planned.items()])
        records = [(i, s.record) for i, s in planned.items() if s.record is not None]
        self._db.executemany(
            "INSERT OR REPLACE INTO fragments VALUES (?, ?, ?)",
            [(i, prefix, fmt.render(r)) for i, r in records for prefix, fmt in FORMATS.items()])
        self._db.executemany("INSERT OR IGNORE INTO isbns VALUES (?, ?)",
                             [(key, i) for i, r in records for key in isbn_keys(r)])
        self._db.executemany("INSERT INTO set_members VALUES (?, ?, ?)",
                             [(spec, when, i) for i, s in planned.items()
                              for spec in with_parents(s.sets)])
        self._db.executemany("INSERT OR IGNORE INTO set_names VALUES (?, ?)",
                             {pair for s in planned.values() for pair in s.names})

    def tombstone(self, local_id: str) -> None:
        """Drop content, keep id, sets and the time of deletion."""
        updated, sets = self._db.execute("SELECT updated, sets FROM records WHERE local_id = ?",
                                         (local_id,)).fetchone()
        self._db.execute("UPDATE records SET content = NULL, updated = ?, head = ?"
                         " WHERE local_id = ?",
                         (self._when, header_tail(local_id, self._when, sets), local_id))
        self._db.execute("UPDATE set_members SET updated = ? WHERE updated = ? AND local_id = ?"
                         f" AND set_spec IN ({','.join('?' * len(with_parents(sets)))})",
                         (self._when, updated, local_id, *with_parents(sets)))
        self._db.execute("DELETE FROM fragments WHERE local_id = ?", (local_id,))
        self._db.execute("DELETE FROM isbns WHERE local_id = ?", (local_id,))


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_LEFT_OUT_WHEN_EMPTY = ("invalid_isbn", "invalid_issn", "responsibility", "edition",
                        "collation", "series", "more_digital_urls")
_COPY_LEFT_OUT_WHEN_EMPTY = ("collection", "due_date")
"""Fields added after catalogues were first filled: omitted while empty, so the records
stored before them still compare unchanged (and keep their datestamps) on re-import."""


def _canonical_json(record: BibRecord) -> str:
    """The stored content: comparing these strings tells whether a record changed."""
    content = {**vars(record), "copies": [_without_empty(vars(c), _COPY_LEFT_OUT_WHEN_EMPTY)
                                          for c in record.copies]}
    return _CANONICAL.encode(_without_empty(content, _LEFT_OUT_WHEN_EMPTY))


def _without_empty(content: dict[str, object], names: tuple[str, ...]) -> dict[str, object]:
    """``content`` without those of ``names`` that are empty."""
    return {key: value for key, value in content.items() if value or key not in names}


def _record_of(row: _Stored | None) -> BibRecord | None:
    """The record a row holds (None for a tombstone)."""
    if row is None or row.content is None:
        return None
    return row.record or BibRecord.from_dict(json.loads(row.content))


def _book_key_of(row: _Stored) -> str | None:
    """The book key of a stored row, None for a tombstone."""
    record = _record_of(row)
    return None if record is None else book_key(record.title, record.subtitle)


def _combined(earlier: BibRecord | None, later: BibRecord) -> BibRecord:
    """The later record holding the earlier one's copies too (renumbering generated codes)."""
    if earlier is None:
        return later
    copies = list(earlier.copies)
    barcodes = {copy.barcode for copy in copies}
    generated = f"{later.local_id}-"
    for copy in later.copies:
        if copy.barcode in barcodes and not copy.barcode.startswith(generated):
            continue
        if copy.barcode in barcodes:
            number = len(copies) + 1
            while f"{generated}{number}" in barcodes:
                number += 1
            copy = dataclasses.replace(copy, barcode=f"{generated}{number}")
        copies.append(copy)
        barcodes.add(copy.barcode)
    return dataclasses.replace(later, copies=copies)


def _with_status_times(record: BibRecord, before: _Stored | None, when: str) -> BibRecord:
    """Copies without a status time keep the one stored for the same status, else get ``when``."""
    if all(copy.status_known for copy in record.copies):
        return record
    known: dict[tuple[str, str], str] = {}
    if before is not None and before.content is not None:  # its copies only: no BibRecord
        known = {(c["barcode"], c["status"]): c.get("status_known", "")
                 for c in json.loads(before.content)["copies"]}
    return dataclasses.replace(record, copies=[
        copy if copy.status_known else dataclasses.replace(
            copy, status_known=known.get((copy.barcode, copy.status)) or when)
        for copy in record.copies])


def with_parents(leaves: str) -> list[str]:
    """Every set a record with these leaf specs belongs to, parents included."""
    specs = leaves.split()
    return specs + sorted({spec.split(":", 1)[0] for spec in specs if ":" in spec})


def _batches(values: list[str], size: int = 900) -> Iterator[list[str]]:
    """Slices small enough for SQLite's bound-parameter limit."""
    for offset in range(0, len(values), size):
        yield values[offset:offset + size]
