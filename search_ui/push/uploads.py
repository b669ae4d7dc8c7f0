"""Batches arriving in pieces: spooled on disk until whole, so a dropped link resumes mid-batch.

Each source has a directory ``<data_dir>/push-spool/<source>/`` holding at most one batch
in transit: ``<seq>.part`` (the bytes received so far, appended in order) and
``<seq>.json`` (its announced size and SHA-256, the node's cursor and pending count). A
piece is taken only at the offset the spool has reached; anything else is answered with
that offset, so the node sends the rest. A per-source lock file serialises pieces of one
source across threads and processes. A server killed mid-write leaves a prefix of the
batch on disk, which the checksum check on completion catches if it is not one.

Errors: ``OffsetMismatch`` (the piece does not start where the spool ends; carries
``received``) and ``harvester.pushed.BatchRefused``/``BatchTooLarge`` (a piece that cannot
belong to the announced batch, a whole batch whose checksum is wrong).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from harvester.pushed import BatchRefused, BatchTooLarge, PushError


class OffsetMismatch(PushError):
    """A piece that does not continue the spooled bytes."""

    status = 409

    def __init__(self, received: int) -> None:
        super().__init__(f"the next piece must start at byte {received}")
        self.received = received


@dataclass(frozen=True)
class Announced:
    """What every piece of a batch says about the whole."""

    seq: int
    total: int
    sha256: str
    cursor: str
    pending: int | None

    def same_bytes(self, other: Announced) -> bool:
        """Whether two announcements describe the very same batch."""
        return (self.seq, self.total, self.sha256) == (other.seq, other.total, other.sha256)


class Spool:
    """One source's batch in transit."""

    def __init__(self, root: Path, source: str) -> None:
        self.dir = root / source
        self.dir.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def locked(self) -> Iterator[Spool]:
        """Hold the source's lock for one piece (other requests for it wait)."""
        with open(self.dir / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield self

    def _part(self, seq: int) -> Path:
        """The bytes of batch ``seq`` received so far."""
        return self.dir / f"{seq}.part"

    def announced(self) -> tuple[Announced, int] | None:
        """The batch in transit and how many of its bytes are here, or None."""
        for meta in self.dir.glob("*.json"):
            batch = Announced(**json.loads(meta.read_text(encoding="utf-8")))
            part = self._part(batch.seq)
            return batch, part.stat().st_size if part.exists() else 0
        return None

    def add(self, batch: Announced, offset: int, piece: bytes, max_bytes: int) -> int:
        """Append ``piece`` at ``offset``; return how many bytes of the batch are here."""
        if batch.total > max_bytes:
            raise BatchTooLarge(f"{batch.total} bytes; at most {max_bytes} per batch")
        if offset + len(piece) > batch.total:
            raise BatchRefused(f"piece ends past the announced {batch.total} bytes")
        current = self.announced()
        if current is None or not current[0].same_bytes(batch):
            if offset:
                raise OffsetMismatch(0)
            self.clear()
            (self.dir / f"{batch.seq}.json").write_text(json.dumps(asdict(batch)),
                                                        encoding="utf-8")
            received = 0
        else:
            received = current[1]
        if offset != received:
            raise OffsetMismatch(received)
        with open(self._part(batch.seq), "ab") as handle:
            handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        return received + len(piece)

    def whole(self, batch: Announced) -> bytes:
        """The complete batch, its checksum verified (a wrong one empties the spool)."""
        body = self._part(batch.seq).read_bytes()
        if hashlib.sha256(body).hexdigest() != batch.sha256:
            self.clear()
            raise BatchRefused("the batch's SHA-256 does not match what was announced; "
                               "send it again from byte 0")
        return body

    def clear(self) -> None:
        """Forget the batch in transit."""
        for path in self.dir.iterdir():
            if path.name != ".lock":
                path.unlink(missing_ok=True)
