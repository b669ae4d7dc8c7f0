"""The node's outbox: its changes since the province's last acknowledgement, cut into batches.

A batch is the next ``batch_records`` catalogue rows after the acknowledged cursor, in the
``(updated, local_id)`` order the provider pages by, rendered by the provider itself as
one OAI-PMH ``ListRecords`` response in ``marc21`` (tombstones as deleted headers) and
gzip-compressed. It is written to ``<outbox>/<seq>.xml.gz`` with ``<seq>.json`` (its
checksum, size, the cursor it starts after and the one it ends at) before any byte is
sent, so a node killed mid-batch sends the very same bytes again and the province
resumes at the byte it had. Changes made meanwhile get later keys: the next batch.
Memory holds one batch, never the catalogue.

Errors: ``sqlite3.Error`` and ``OSError`` from the catalogue or the outbox directory
propagate unchanged (a local failure, never the link's).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from node_adapter.oai.provider import Provider
from node_adapter.oai.response import document

PREFIX = "marc21"
"""The format a harvest of this node prefers, so pushed and harvested records are alike."""


@dataclass(frozen=True)
class Batch:
    """One batch ready to send."""

    seq: int
    after: str
    cursor: str
    records: int
    total: int
    sha256: str
    pending: int

    def path(self, outbox: Path) -> Path:
        """Where its bytes are."""
        return outbox / f"{self.seq}.xml.gz"


def cursor_text(key: tuple[str, str] | None) -> str:
    """The cursor as the province stores it (``""`` before the first batch)."""
    return json.dumps(list(key)) if key else ""


def cursor_key(text: str) -> tuple[str, str] | None:
    """Back from the stored text to a paging key."""
    if not text:
        return None
    updated, local_id = json.loads(text)
    return str(updated), str(local_id)


class Outbox:
    """Batches of one catalogue, kept in a directory until the province has them."""

    def __init__(self, provider: Provider, directory: Path, batch_records: int,
                 base_url: str) -> None:
        self.provider = provider
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.batch_records = batch_records
        self.base_url = base_url

    def pending(self, cursor: str) -> int:
        """Changes (records and deletions) after ``cursor`` not yet acknowledged."""
        return self.provider.catalogue.count_matching(after=cursor_key(cursor))

    def next_batch(self, seq: int, after: str, max_bytes: int, max_records: int) -> Batch | None:
        """Batch ``seq`` starting after cursor ``after``: the one on disk, or a new one."""
        kept = self._kept(seq, after)
        if kept is not None:
            return kept
        self.discard()
        limit = min(self.batch_records, max_records)
        while True:
            batch = self._build(seq, after, limit)
            if batch is None or batch.total <= max_bytes or limit == 1:
                return batch
            limit = max(1, limit // 2)  # too big for the province: fewer records per batch

    def read(self, batch: Batch) -> bytes:
        """The batch's compressed bytes."""
        return batch.path(self.dir).read_bytes()

    def discard(self) -> None:
        """Forget every batch on disk (acknowledged, or cut for another start)."""
        for path in self.dir.glob("*.xml.gz"):
            path.unlink()
        for path in self.dir.glob("[0-9]*.json"):
            path.unlink()

    def _kept(self, seq: int, after: str) -> Batch | None:
        """The batch on disk when it is the one asked for and whole."""
        meta = self.dir / f"{seq}.json"
        if not meta.exists():
            return None
        batch = Batch(**json.loads(meta.read_text(encoding="utf-8")))
        path = batch.path(self.dir)
        if batch.after != after or not path.exists() or path.stat().st_size != batch.total:
            return None
        return batch

    def _build(self, seq: int, after: str, limit: int) -> Batch | None:
        """Render, compress and write the next ``limit`` rows; None when nothing is left."""
        catalogue = self.provider.catalogue
        rows = catalogue.page(prefix=PREFIX, limit=limit, after=cursor_key(after))
        if not rows:
            return None
        xml = "".join(document(self.base_url, "ListRecords", {"metadataPrefix": PREFIX},
                               self.provider.records(rows)))
        body = gzip.compress(xml.encode("utf-8"), compresslevel=9, mtime=0)
        end = (rows[-1][0], rows[-1][1])
        batch = Batch(seq, after, cursor_text(end), len(rows), len(body),
                      hashlib.sha256(body).hexdigest(), catalogue.count_matching(after=end))
        part = self.dir / f"{seq}.xml.gz.tmp"
        part.write_bytes(body)
        part.replace(batch.path(self.dir))
        (self.dir / f"{seq}.json").write_text(json.dumps(asdict(batch)), encoding="utf-8")
        return batch
