"""Incremental indexing: one backlog of changes applied to an indexed catalogue (issue 14).

Run:
    .venv/bin/python bench/bench_pipeline.py --nodes 4 --records 25000 --keep /tmp/p14data
    .venv/bin/python bench/bench_incremental.py --data /tmp/p14data --changes 10000

Copies the kept data directory (record store, works database, tantivy index) to a
temporary one, indexes it first if it never was (not timed), then changes ``--changes``
stored records as a re-harvest would: every third record from the start, most of them a
copy's status (``tersedia`` → ``dipinjam``) or else a note added (the same work), every
tenth one deleted and
every tenth one a later edition (the year moves on by seven, so it leaves its work).
Timed: ``Indexer.run_incremental()`` over that backlog (normalise, in the worker processes
from 5,000 changes; cluster, documents, tantivy commit), wall and the main process's CPU;
printed as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.indexer import Indexer
from aggregator.workstore import WorkStore
from harvester.store import RecordStore, StoredRecord

YEAR = re.compile(r'(<marc:subfield code="c">)(\d{4})(</marc:subfield>)')


def changed(record: StoredRecord, index: int) -> StoredRecord:
    """The record as its library changed it: deleted, a later edition, or a copy lent."""
    if index % 10 == 0:
        return replace(record, deleted=True, metadata=None)
    text = record.metadata or ""
    if index % 10 == 1:
        text = YEAR.sub(lambda m: f"{m[1]}{int(m[2]) + 7}{m[3]}", text)
    elif ">tersedia<" in text:
        text = text.replace(">tersedia<", ">dipinjam<", 1)
    else:
        text = text.replace("</marc:record>", '<marc:datafield tag="500" ind1=" " ind2=" ">'
                            '<marc:subfield code="a">Sumbangan</marc:subfield>'
                            "</marc:datafield></marc:record>", 1)
    return replace(record, metadata=text)


def main() -> None:
    """Print one JSON line of results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="a directory kept by bench_pipeline.py --keep")
    parser.add_argument("--changes", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        shutil.copytree(args.data / "data", data)
        store = RecordStore(data / "records.sqlite3")
        engine = TantivyEngine(data / "index", writer=True)
        indexer = Indexer(store, WorkStore(data / "works.sqlite3"), engine, {})
        if indexer.cursor < store.last_seq():
            indexer.rebuild()
        picked = [r for i, r in enumerate(store.iter_records()) if i % 3 == 0][:args.changes]
        by_source: dict[str, list[StoredRecord]] = {}
        for index, record in enumerate(picked):
            by_source.setdefault(record.source, []).append(changed(record, index))
        with store.transaction() as db:
            for records in by_source.values():
                store.write_records(db, records)
        started, cpu = time.perf_counter(), time.process_time()
        report = indexer.run_incremental()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        engine.close()
    print(json.dumps({"changes": report.changes, "mapped": report.mapped,
                      "deleted": report.deleted, "works_upserted": report.works_upserted,
                      "works_deleted": report.works_deleted, "seconds": round(wall, 2),
                      "cpu_seconds": round(cpu, 2),
                      "changes_per_s": round(report.changes / wall)}))


if __name__ == "__main__":
    main()
