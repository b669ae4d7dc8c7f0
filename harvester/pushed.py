"""Sources whose node pushes its changes: their mode, the last batch acknowledged, and storing one.

A pushed batch is a gzip-compressed OAI-PMH ``ListRecords`` response (what the node's
provider renders, deletions as ``status="deleted"`` headers). It is read by the very
parser a harvest uses (``harvester.pages``) and stored with ``RecordStore.write_records``
as its source, so the change feed, the index and the dashboard see it as a harvested page.

Table ``push_state`` (in ``records.sqlite3``, beside the records it acknowledges), one row
per source that was ever switched: ``mode`` (``pushed`` or ``harvested``; a source without
a row is harvested), ``batch_seq`` (the last batch stored), ``cursor`` (the node's own
position after that batch, opaque here), ``last_push``, ``pending`` (what the node said
was left), ``records`` (stored so far). The batch and its acknowledgement are committed in
one transaction: a batch is stored exactly once, whatever is killed when.

Errors (each carries the HTTP status the receiver answers with and a reason for the node)::

    PushError            base
    ├── BatchRefused     400: not gzip, not OAI-PMH, a record unreadable: nothing stored
    ├── BatchConflict    409: out-of-order sequence number, or the source is harvested
    └── BatchTooLarge    413: more bytes or records than the limits allow
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from harvester.errors import MalformedResponse
from harvester.harvest import to_records
from harvester.pages import OAI, Page, parse_xml, read_page
from harvester.quirks import profile
from harvester.store import PageOutcome, RecordStore, utc_now

MODES = ("harvested", "pushed")
SCHEMA = """
CREATE TABLE IF NOT EXISTS push_state (
    source TEXT PRIMARY KEY,
    mode TEXT NOT NULL DEFAULT 'harvested',
    batch_seq INTEGER NOT NULL DEFAULT 0,
    cursor TEXT NOT NULL DEFAULT '',
    last_push TEXT,
    pending INTEGER,
    records INTEGER NOT NULL DEFAULT 0
)
"""


class PushError(Exception):
    """A batch that cannot be stored; ``status`` is the HTTP answer, the message the reason."""

    status = 400


class BatchRefused(PushError):
    """The batch is unreadable: nothing of it is stored."""


class BatchConflict(PushError):
    """The batch comes out of order, or its source is not in pushed mode."""

    status = 409


class BatchTooLarge(PushError):
    """The batch exceeds the size limits."""

    status = 413


@dataclass(frozen=True)
class PushState:
    """Where one source's pushing stands."""

    source: str
    mode: str = "harvested"
    batch_seq: int = 0
    cursor: str = ""
    last_push: str | None = None
    pending: int | None = None
    records: int = 0

    def to_json(self) -> dict[str, Any]:
        """What the receiver tells the node and the dashboard shows."""
        return {"source": self.source, "mode": self.mode, "batch_seq": self.batch_seq,
                "cursor": self.cursor, "last_push": self.last_push, "pending": self.pending,
                "records": self.records}


@dataclass(frozen=True)
class Limits:
    """How much one batch may hold, compressed and inflated."""

    max_bytes: int
    max_inflated_bytes: int
    max_records: int


def _table(store: RecordStore) -> None:
    """Create the table on first use (idempotent)."""
    store.db.execute(SCHEMA)


def load(store: RecordStore, source: str) -> PushState:
    """The state of ``source`` (harvested, nothing pushed, when never switched)."""
    _table(store)
    row = store.db.execute(
        "SELECT mode, batch_seq, cursor, last_push, pending, records FROM push_state "
        "WHERE source=?", (source,)).fetchone()
    return PushState(source, *row) if row else PushState(source)


def pushed_sources(store: RecordStore) -> set[str]:
    """Ids of the sources in pushed mode: the harvester leaves them alone."""
    _table(store)
    return {r[0] for r in store.db.execute("SELECT source FROM push_state WHERE mode='pushed'")}


def set_mode(store: RecordStore, source: str, mode: str) -> PushState:
    """Switch a source between pushed and harvested; its acknowledged batches stay."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    _table(store)
    with store.transaction() as db:
        db.execute("INSERT INTO push_state (source, mode) VALUES (?, ?) "
                   "ON CONFLICT (source) DO UPDATE SET mode=excluded.mode", (source, mode))
    return load(store, source)


def inflate(body: bytes, limit: int) -> bytes:
    """The gzip member in ``body``, refused when broken, cut short or larger than ``limit``."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise BatchRefused(f"the batch is not valid gzip: {exc}") from exc
    if len(data) > limit:
        raise BatchTooLarge(f"the batch inflates past {limit} bytes")
    if not inflater.eof:
        raise BatchRefused("the batch's gzip stream is cut short")
    if inflater.unused_data.strip():
        raise BatchRefused("the batch has bytes after its gzip stream")
    return data


def read_batch(xml: bytes, limits: Limits) -> tuple[str, Page]:
    """The metadata prefix and records of a batch; any unreadable record refuses it whole."""
    try:
        root = parse_xml(xml)
        request = root.find(f"{OAI}request")
        prefix = request.get("metadataPrefix", "") if request is not None else ""
        if not prefix:
            raise MalformedResponse("<request> names no metadataPrefix")
        page = read_page(root, "ListRecords", profile("generic"))
    except MalformedResponse as exc:
        raise BatchRefused(str(exc)) from exc
    if page.rejected:
        first = page.rejected[0]
        raise BatchRefused(f"record {first.identifier or '(no identifier)'} is unreadable: "
                           f"{first.reason}; {len(page.rejected)} record(s) refused")
    if len(page.records) > limits.max_records:
        raise BatchTooLarge(f"{len(page.records)} records; at most {limits.max_records} "
                            "per batch")
    return prefix, page


def store_batch(store: RecordStore, source: str, seq: int, body: bytes, cursor: str,
                pending: int | None, limits: Limits) -> tuple[PushState, PageOutcome]:
    """Store batch ``seq`` of ``source`` with its acknowledgement; a repeat stores nothing."""
    if len(body) > limits.max_bytes:
        raise BatchTooLarge(f"{len(body)} bytes; at most {limits.max_bytes} per batch")
    current = load(store, source)
    check_order(current, seq)
    if seq == current.batch_seq:
        return current, PageOutcome()
    prefix, page = read_batch(inflate(body, limits.max_inflated_bytes), limits)
    with store.transaction() as db:
        row = db.execute("SELECT mode, batch_seq FROM push_state WHERE source=?",
                         (source,)).fetchone()
        check_order(PushState(source, *row), seq)  # a parallel request may have won
        if seq == row[1]:
            return load(store, source), PageOutcome()
        outcome = store.write_records(db, to_records(source, prefix, page))
        db.execute("UPDATE push_state SET batch_seq=?, cursor=?, last_push=?, pending=?, "
                   "records=records+? WHERE source=?",
                   (seq, cursor, utc_now(), pending, len(page.records), source))
    return load(store, source), outcome


def check_order(current: PushState, seq: int) -> None:
    """Only the next batch (or a repeat of the last one) of a pushed source is taken."""
    if current.mode != "pushed":
        raise BatchConflict(f"source {current.source} is harvested, not pushed: the agency "
                            "switches it on the dashboard")
    if seq not in (current.batch_seq, current.batch_seq + 1):
        raise BatchConflict(f"batch {seq} is out of order: the next one is "
                            f"{current.batch_seq + 1}")
