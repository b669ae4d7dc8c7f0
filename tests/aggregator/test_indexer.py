"""The indexer on a real record store and a real tantivy index: incremental equals rebuild."""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from aggregator.ahead import worker_pool
from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.indexer import Indexer
from aggregator.normalise.batches import _normalise_range
from aggregator.union.store import UnionStore, workstore_members
from aggregator.workstore import WorkStore
from config.dbfile import DamagedFile
from config.network import Source
from config.province import load_province
from config.settings import Settings
from harvester.store import RecordStore, StoredRecord
from node_adapter.oai.formats import FORMATS, INSTITUTION_SLOT
from node_adapter.records import BibRecord, Copy
from tests.aggregator.duplicates import DUPLICATES
from tests.aggregator.provider_records import provider_records

DAY = re.compile(r"\d{4}-\d\d-\d\d")
LIBRARIES = {
    "prov": Source("prov", "Dinas Perpustakaan Provinsi", "http://x/oai", type="provinsi",
                   district="Kota Palangka Raya"),
    "kota": Source("kota", "Perpustakaan Kota Palangka Raya", "http://x/oai", type="kota",
                   district="Kota Palangka Raya"),
}


def node_records() -> Iterator[StoredRecord]:
    """The duplicates set as our nodes publish it: marc21 from some libraries, oai_dc elsewhere."""
    rows = json.loads(DUPLICATES.read_text(encoding="utf-8"))["records"]
    for number, row in enumerate(rows):
        yield node_record(number, row)


def node_record(number: int, row: dict, datestamp: str = "2024-03-01T00:00:00Z"
                ) -> StoredRecord:
    """One row of the duplicates set as its library's node publishes it."""
    prefix = "marc21" if row["source"] in {"prov", "kota", "unpar"} else "oai_dc"
    record = BibRecord(
        local_id=row["identifier"], title=row["title"], subtitle=row["subtitle"],
        creators=row["creators"], publisher=row["publisher"],
        year=int(row["year"]) if row["year"] else None, isbn=row["isbns"],
        language=row["language"], material_type=row["material_type"],
        copies=[Copy(f"B{number}-{i}", "Rak Umum", "", "tersedia" if i else "dipinjam")
                for i in range(number % 3)])
    xml = FORMATS[prefix].render(record).replace(INSTITUTION_SLOT, row["source"])
    return StoredRecord(row["source"], row["identifier"], datestamp, False, prefix, xml)


def write(store: RecordStore, records: list[StoredRecord]) -> None:
    """Store records as one harvest page per source would."""
    by_source: dict[str, list[StoredRecord]] = {}
    for record in records:
        by_source.setdefault(record.source, []).append(record)
    for batch in by_source.values():
        with store.transaction() as db:
            store.write_records(db, batch)


def changed(record: StoredRecord, **changes: object) -> StoredRecord:
    """A new version of a stored record."""
    return StoredRecord(**{**record.__dict__, **changes})


def snapshot(indexer: Indexer, engine: TantivyEngine) -> dict[str, dict]:
    """Every work as the engine holds it, checked against works.sqlite3."""
    expected = {work.id: work.to_dict() for work in indexer.all_works()}
    held = {work_id: engine.get(work_id) for work_id in expected}
    assert engine.count() == len(expected)
    assert all(work is not None for work in held.values())
    stored = {work_id: work.to_dict() for work_id, work in held.items()}  # type: ignore[union-attr]
    assert stored == expected
    return stored


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[RecordStore, Indexer, TantivyEngine]]:
    """A record store, a works database and a writable tantivy index."""
    store = RecordStore(tmp_path / "records.sqlite3")
    engine = TantivyEngine(tmp_path / "index", writer=True, heap_mb=50, threads=1)
    indexer = Indexer(store, WorkStore(tmp_path / "works.sqlite3"), engine, LIBRARIES,
                      batch_size=7)
    yield store, indexer, engine
    engine.close()


def test_incremental_updates_equal_a_rebuild(setup, tmp_path: Path) -> None:
    store, indexer, engine = setup
    records = list(node_records())
    slims = list(provider_records("slims9/oai2/ListRecords-page1.xml", "oai_dc", "kotim"))
    mods = list(provider_records("harvard-librarycloud/oai-page.xml", "mods", "tbm"))[:2]
    write(store, records[:30])
    first = indexer.run_incremental()
    assert first.changes == 30 and first.cursor == store.last_seq()
    write(store, records[30:] + slims + mods)
    indexer.run_incremental()
    # updates: a retitled record, a deletion that splits nothing, one that empties a work,
    # a record that turns unmappable, a bridge record and a deleted record coming back
    laskar = records[0]
    write(store, [
        changed(records[1], datestamp="2024-04-01T00:00:00Z",
                metadata=records[1].metadata.replace("Laskar pelangi", "Laskar Pelangi 2")),
        changed(records[2], deleted=True, metadata=None),
        changed(next(r for r in records if "Negeri 5" in (r.metadata or "")), deleted=True,
                metadata=None),
        changed(records[3], metadata="<oai_dc:dc>broken"),
        changed(laskar, deleted=True, metadata=None),
    ])
    indexer.run_incremental()
    write(store, [changed(laskar, datestamp="2024-05-01T00:00:00Z")])
    report = indexer.run_incremental()
    assert report.changes == 1
    assert indexer.run_incremental().changes == 0
    incremental = snapshot(indexer, engine)

    rebuilt = indexer.rebuild()
    assert rebuilt.cursor == store.last_seq()
    assert snapshot(indexer, engine) == incremental

    fresh = Indexer(store, WorkStore(tmp_path / "fresh.sqlite3"), engine, LIBRARIES)
    fresh.rebuild()
    regrouped = {tuple(sorted(h["record_id"] for h in w["holdings"]))
                 for w in snapshot(fresh, engine).values()}
    assert regrouped == {tuple(sorted(h["record_id"] for h in w["holdings"]))
                         for w in incremental.values()}


def groups(indexer: Indexer) -> dict[str, set[str]]:
    """Work id → the record keys in it, as works.sqlite3 has them."""
    return {work_id: {f"{r.source}|{r.identifier}" for r in records}
            for work_id, records in indexer.works.iter_works()}


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_batches_of_mixed_adds_edits_and_deletions_equal_a_rebuild(setup, tmp_path: Path,
                                                                    seed: int) -> None:
    store, indexer, engine = setup
    rng = random.Random(seed)
    rows = json.loads(DUPLICATES.read_text(encoding="utf-8"))["records"]
    live: dict[int, dict] = {}
    for day in range(1, 9):
        stamp = f"2024-04-{day:02d}T00:00:00Z"
        batch = []
        for number in rng.sample(range(len(rows)), 15):  # one batch spans several of 7
            action = rng.random()
            if number in live and action < 0.3:
                batch.append(changed(node_record(number, rows[number]), deleted=True,
                                     metadata=None, datestamp=stamp))
                del live[number]
                continue
            row = rows[number]
            if number in live and action < 0.7:  # an edit that may move it to another work
                donor = rng.choice(rows)
                row = {**live[number], "title": donor["title"],
                       "isbns": donor["isbns"] if action < 0.5 else row["isbns"]}
            batch.append(node_record(number, row, stamp))
            live[number] = row
        write(store, batch)
        indexer.run_incremental()
    held = groups(indexer)
    write(store, [node_record(n, row, "2024-05-01T00:00:00Z") for n, row in live.items()])
    indexer.run_incremental()
    assert groups(indexer) == held  # a re-harvest of every record keeps every id
    incremental = snapshot(indexer, engine)

    indexer.rebuild()
    assert snapshot(indexer, engine) == incremental

    fresh = Indexer(store, WorkStore(tmp_path / "fresh.sqlite3"), engine, LIBRARIES)
    fresh.rebuild()
    assert sorted(map(sorted, groups(fresh).values())) == sorted(map(sorted, held.values()))


def test_works_carry_holdings_library_by_library(setup) -> None:
    store, indexer, engine = setup
    write(store, list(node_records()))
    indexer.run_incremental()
    works = {w.id: w for w in indexer.all_works()}
    laskar = next(w for w in works.values() if w.title.lower() == "laskar pelangi"
                  and w.material_type == "buku")
    assert [h.library_id for h in laskar.holdings] == ["kota", "kotim", "prov", "sman1", "tbm"]
    prov = next(h for h in laskar.holdings if h.library_id == "prov")
    assert (prov.library_name, prov.district, prov.library_type) == (
        "Dinas Perpustakaan Provinsi", "Kota Palangka Raya", "provinsi")
    held = {h.library_id: (h.copies, h.available, h.copies_known) for h in laskar.holdings}
    assert held["prov"] == (0, 0, False)  # MARC without 852: copies unknown
    assert held["kota"] == (1, 0, True)  # one copy, on loan
    assert held["tbm"] == (0, 0, False)  # oai_dc never states copies
    assert laskar.isbns == ["9789793062792"] and laskar.year == 2005
    assert engine.get(laskar.id).holdings == laskar.holdings  # type: ignore[union-attr]
    assert len(works) == 29


def test_unmappable_records_are_listed_with_reasons_and_cleared_when_fixed(setup) -> None:
    store, indexer, _ = setup
    mods = list(provider_records("harvard-librarycloud/oai-page.xml", "mods", "tbm"))
    record = next(node_records())
    broken = changed(record, metadata="<oai_dc:dc>")
    write(store, [*mods, broken])
    report = indexer.run_incremental()
    assert report.unmapped == len(mods) + 1
    listed = {u.identifier: u.reason for u in indexer.works.unmapped()}
    assert listed[record.identifier].startswith("broken XML")
    assert all(listed[m.identifier] == "unsupported metadata format 'mods'" for m in mods)
    write(store, [record])
    indexer.run_incremental()
    assert record.identifier not in {u.identifier for u in indexer.works.unmapped()}
    assert store.get(mods[0].source, mods[0].identifier) is not None  # kept in the store


@pytest.mark.parametrize("workers", [1, 2])
def test_normalising_in_worker_processes_changes_nothing(setup, tmp_path: Path,
                                                         workers: int) -> None:
    store, indexer, engine = setup
    mods = list(provider_records("harvard-librarycloud/oai-page.xml", "mods", "tbm"))[:2]
    records = list(node_records())
    write(store, [*records, *mods, changed(records[3], metadata="<oai_dc:dc>broken")])
    write(store, [changed(records[2], deleted=True, metadata=None)])
    inline = indexer.run_incremental()
    expected = snapshot(indexer, engine)
    other = TantivyEngine(tmp_path / "index2", writer=True, heap_mb=50, threads=1)
    ahead = Indexer(store, WorkStore(tmp_path / "ahead.sqlite3"), other, LIBRARIES,
                    batch_size=7, normalise_workers=workers, parallel_backlog=0)
    try:
        assert ahead.run_incremental() == inline
        assert inline.unmapped == 3 and inline.deleted == 1
        assert snapshot(ahead, other) == expected
        assert ahead.works.unmapped() == indexer.works.unmapped()
        assert ahead.rebuild().mapped == inline.mapped
        assert snapshot(ahead, other) == expected
        unions = [publish_rebuild(each, tmp_path / f"union{n}.sqlite3")
                  for n, each in enumerate((indexer, ahead))]
        assert unions[0] == unions[1]  # rendered in the workers as in process
        assert len(unions[0]["records"]) == len(expected)
    finally:
        other.close()


def publish_rebuild(indexer: Indexer, path: Path) -> dict[str, list[tuple]]:
    """A rebuild publishing into a fresh union table: what the table then holds, stamps
    left out (two rebuilds run at different moments)."""
    province = load_province(Settings(raw={}, data_dir=path.parent))
    union = UnionStore(path, LIBRARIES, province, workstore_members(indexer.works))
    try:
        assert indexer.rebuild(publish=union).published.changed > 0  # type: ignore[union-attr]
    finally:
        union.close()
    queries = {"records": "SELECT local_id, content, sets FROM records",
               "fragments": "SELECT * FROM fragments", "members": "SELECT * FROM union_members"}
    with closing(sqlite3.connect(path)) as db:  # MARC counts copies "per <day>": left out
        return {name: sorted(tuple(DAY.sub("<day>", v) if isinstance(v, str) else v
                                   for v in row) for row in db.execute(sql))
                for name, sql in queries.items()}


def test_a_store_damaged_under_a_worker_is_reported_as_damage(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    RecordStore(path).close()
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        side.unlink(missing_ok=True)
    path.write_bytes(os.urandom(64 * 1024))
    with worker_pool(1) as workers, pytest.raises(DamagedFile) as raised:
        next(workers.ahead([(_normalise_range, (str(path), 0, 10, 10, 1 << 20))]))
    assert raised.value.path == path  # crossed back whole, so `jala` names the file
    assert "jala harvest --full" in raised.value.remedy
