"""The id sweep on disk: which SLiMS titles a sync reads, and which records it tombstones.

SLiMS's visible ids with their copy signatures are streamed into a temporary table of a
second connection to the catalogue file and compared there, in SQL, with the catalogue's
live records and the signatures stored at the last sync. So a sync holds one batch of
titles in memory, never a list as long as the library: its memory does not grow with
the catalogue. What to read is decided before the first write; what to tombstone (live
records SLiMS no longer shows) is the same before and after the writes, which only touch
visible titles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from types import TracebackType

from config import dbfile
from node_adapter.catalogue import DAMAGED

CHUNK = 5000
_TABLES = """
CREATE TEMP TABLE visible (biblio_id INTEGER PRIMARY KEY, signature TEXT NOT NULL);
CREATE TEMP TABLE wanted (biblio_id INTEGER PRIMARY KEY);
"""
# A SLiMS title's record is the catalogue row whose local id is its biblio_id as text.
_LIVE = "SELECT local_id FROM records WHERE content IS NOT NULL"


class Sweep:
    """Temporary tables beside one catalogue file, for one sync; closed with it."""

    def __init__(self, catalogue_path: Path) -> None:
        self.db = dbfile.connect(catalogue_path, DAMAGED, isolation_level=None)
        self.db.execute("PRAGMA temp_store = FILE")
        self.db.executescript(_TABLES)

    def __enter__(self) -> Sweep:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.db.close()

    def load(self, visible: Iterable[tuple[int, str]]) -> None:
        """Every visible title's id and copy signature, as SLiMS streams them."""
        rows = iter(visible)
        while chunk := list(islice(rows, CHUNK)):
            self.db.execute("BEGIN")
            self.db.executemany("INSERT INTO temp.visible VALUES (?, ?)", chunk)
            self.db.execute("COMMIT")

    def want(self, full: bool, changed: Iterable[int] = ()) -> int:
        """Choose the titles to read: all visible ones, or the changed, differing and missing."""
        self.db.execute("BEGIN")
        if full:
            self.db.execute("INSERT INTO temp.wanted SELECT biblio_id FROM temp.visible")
        else:
            self.db.executemany("INSERT OR IGNORE INTO temp.wanted SELECT biblio_id"
                                " FROM temp.visible WHERE biblio_id = ?",
                                ((biblio_id,) for biblio_id in changed))
            self.db.execute("INSERT OR IGNORE INTO temp.wanted SELECT v.biblio_id"
                            " FROM temp.visible v LEFT JOIN main.slims_titles t"
                            " ON t.biblio_id = v.biblio_id WHERE t.signature IS NOT v.signature")
            self.db.execute("INSERT OR IGNORE INTO temp.wanted SELECT v.biblio_id"
                            " FROM temp.visible v LEFT JOIN main.records r"
                            " ON r.local_id = CAST(v.biblio_id AS TEXT)"
                            " WHERE r.content IS NULL")
        self.db.execute("COMMIT")
        return self.db.execute("SELECT count(*) FROM temp.wanted").fetchone()[0]

    def batches(self, size: int) -> Iterator[dict[int, str]]:
        """The chosen titles with their signatures, ``size`` at a time in id order."""
        after = -1
        while rows := self.db.execute(
                "SELECT w.biblio_id, v.signature FROM temp.wanted w"
                " JOIN temp.visible v ON v.biblio_id = w.biblio_id"
                " WHERE w.biblio_id > ? ORDER BY w.biblio_id LIMIT ?", (after, size)).fetchall():
            yield dict(rows)
            after = rows[-1][0]

    def gone(self) -> list[int]:
        """Live records of SLiMS titles that SLiMS no longer shows (deleted or hidden)."""
        return [int(local_id) for (local_id,) in self.db.execute(
            f"SELECT local_id FROM ({_LIVE}) WHERE local_id NOT GLOB '*[^0-9]*'"
            " AND local_id != '' AND CAST(local_id AS INTEGER) NOT IN"
            " (SELECT biblio_id FROM temp.visible) ORDER BY CAST(local_id AS INTEGER)")]
