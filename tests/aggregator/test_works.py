"""Clustering into works: precision and recall on the duplicates set, stable ids, locality."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from aggregator import works as works_module
from aggregator.blocking import filed_keys, probe_keys
from aggregator.clusterer import Clusterer
from aggregator.matching import match_view
from aggregator.merging import build_work
from aggregator.model import Holding
from aggregator.normalise.schema import NormalisedRecord
from aggregator.works import finalise_ids, same_work
from aggregator.workstore import WorkStore, WorkStoreError
from config.network import Source
from tests.aggregator.duplicates import labelled_records, precision_recall


def cluster(path: Path, records: list[NormalisedRecord]) -> WorkStore:
    """Feed records one by one, as the change feed would."""
    works = WorkStore(path)
    clusterer = Clusterer(works, year_tolerance=1)
    with works.transaction():
        for seq, record in enumerate(records, start=1):
            clusterer.put(record, seq)
    return works


def grouping(works: WorkStore) -> dict[str, set[str]]:
    """Work id → the record keys in it."""
    return {work_id: {f"{r.source}|{r.identifier}" for r in records}
            for work_id, records in works.iter_works()}


def truth() -> dict[str, set[str]]:
    """True label → the record keys in it."""
    groups: dict[str, set[str]] = {}
    for label, record in labelled_records():
        groups.setdefault(label, set()).add(f"{record.source}|{record.identifier}")
    return groups


def test_duplicates_set_precision_and_recall(tmp_path: Path) -> None:
    works = cluster(tmp_path / "works.sqlite3", [r for _, r in labelled_records()])
    precision, recall = precision_recall(truth(), grouping(works))
    assert precision == 1.0
    assert recall >= 0.95
    assert len(grouping(works)) <= len(truth()) + 2


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_order_of_arrival_changes_nothing(tmp_path: Path, seed: int) -> None:
    records = [r for _, r in labelled_records()]
    reference = grouping(cluster(tmp_path / "a.sqlite3", records))
    random.Random(seed).shuffle(records)
    shuffled = grouping(cluster(tmp_path / "b.sqlite3", records))
    assert sorted(map(sorted, reference.values())) == sorted(map(sorted, shuffled.values()))


def test_ids_survive_a_reharvest_and_a_record_leaving_and_returning(tmp_path: Path) -> None:
    records = [r for _, r in labelled_records()]
    works = cluster(tmp_path / "works.sqlite3", records)
    before = grouping(works)
    clusterer = Clusterer(works)
    laskar = next(r for r in records if r.identifier == "oai:prov:1")
    with works.transaction():
        for seq, record in enumerate(records, start=100):
            clusterer.put(record, seq)  # re-harvest: the same records again
    assert grouping(works) == before
    laskar_id = works.member(("prov", "oai:prov:1")).work_id
    with works.transaction():
        clusterer.remove(("prov", "oai:prov:1"))
        clusterer.put(laskar, 500)
    assert works.member(("prov", "oai:prov:1")).work_id == laskar_id
    assert grouping(works) == before


def test_a_bridging_record_merges_and_its_removal_splits_back(tmp_path: Path) -> None:
    records = {r.identifier: r for _, r in labelled_records()}
    # A retitled record with an ISBN and one without stand apart until a record has both.
    first, second = records["oai:prov:1"], records["oai:kota:1"]
    bridge = NormalisedRecord(**{**second.to_dict(), "identifier": "bridge", "holding":
                                 second.holding, "isbns": first.isbns + second.isbns})
    apart_a = NormalisedRecord(**{**first.to_dict(), "holding": first.holding,
                                  "title": "Laskar Pelangi edisi khusus", "creators": []})
    works = cluster(tmp_path / "w.sqlite3", [apart_a])
    clusterer = Clusterer(works)
    other = NormalisedRecord(**{**second.to_dict(), "holding": second.holding, "isbns": []})
    with works.transaction():
        touched_other = clusterer.put(other, 2)
    id_a = works.member(("prov", "oai:prov:1")).work_id
    id_b = works.member(("kota", "oai:kota:1")).work_id
    assert id_a != id_b and touched_other == {id_b}
    with works.transaction():
        touched = clusterer.put(bridge, 3)
    merged = {works.member(k).work_id for k in [("prov", "oai:prov:1"), ("kota", "oai:kota:1"),
                                                 ("kota", "bridge")]}
    assert len(merged) == 1 and merged <= {id_a, id_b} and touched == {id_a, id_b}
    with works.transaction():
        clusterer.remove(("kota", "bridge"))
    assert {works.member(("prov", "oai:prov:1")).work_id,
            works.member(("kota", "oai:kota:1")).work_id} == {id_a, id_b}


@pytest.mark.parametrize("rename_batch", [3, works_module.RENAME_BATCH])
def test_rebuild_from_scratch_keeps_remembered_ids(tmp_path: Path, rename_batch: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(works_module, "RENAME_BATCH", rename_batch)  # renames written midway
    records = [r for _, r in labelled_records()]
    works = cluster(tmp_path / "works.sqlite3", records)
    before = grouping(works)
    with works.transaction():
        works.clear_records()
        clusterer = Clusterer(works, final_ids=False)
        for seq, record in enumerate(reversed(records), start=1):
            clusterer.put(record, seq)
        assert all(work_id.startswith("t") for work_id in grouping(works))
        finalise_ids(works)
    assert grouping(works) == before


def test_fresh_databases_derive_the_same_ids(tmp_path: Path) -> None:
    records = [r for _, r in labelled_records()]
    first = grouping(cluster(tmp_path / "a.sqlite3", records))
    second = grouping(cluster(tmp_path / "b.sqlite3", records))
    assert first == second
    assert all(len(work_id) == 17 and work_id.startswith("w") for work_id in first)


def test_an_update_touches_only_its_neighbourhood(tmp_path: Path) -> None:
    records = [r for _, r in labelled_records()]
    works = cluster(tmp_path / "works.sqlite3", records)
    hujan = next(r for r in records if r.title == "Hujan")
    renamed = NormalisedRecord(**{**hujan.to_dict(), "holding": hujan.holding,
                                  "title": "Hujan Bulan Juni"})
    old_id = works.member((hujan.source, hujan.identifier)).work_id
    with works.transaction():
        touched = Clusterer(works).put(renamed, 999)
    assert touched == {old_id}


def test_merged_work_description_and_holdings() -> None:
    base = {"source": "kota", "identifier": "a", "title": "Laskar Pelangi",
            "holding": Holding("kota", "a", copies=2, available=1, copies_known=True,
                               call_number="899.221 HIR l", location="Rak Fiksi",
                               status_known="2024-03-02T01:00:00Z")}
    records = [
        NormalisedRecord(**{**base, "year": 2006, "subjects": ["Novel"], "language": "ind",
                            "datestamp": "2024-02-01T00:00:00Z", "isbns": ["9789793062792"],
                            "creators": ["Hirata, Andrea"], "publisher": "Bentang",
                            "classification": "899.221", "description": "Pendek."}),
        NormalisedRecord(**{**base, "identifier": "b", "year": 2005,
                            "subjects": ["novel", "Belitong"],
                            "datestamp": "2024-03-01T00:00:00Z", "description": "Lebih panjang.",
                            "holding": Holding("kota", "b", copies=1, available=1,
                                               copies_known=True,
                                               status_known="2024-03-01T06:30:00Z")}),
        NormalisedRecord(**{**base, "source": "tbm", "identifier": "c", "subtitle": "sebuah novel",
                            "language": "ind", "datestamp": "2024-01-01T00:00:00Z",
                            "holding": Holding("tbm", "c", copies_known=False)}),
    ]
    libraries = {"kota": Source("kota", "Perpustakaan Kota", "http://x", type="kota",
                                district="Kota Palangka Raya")}
    work = build_work("w1", records, libraries)
    assert (work.title, work.subtitle, work.creators) == (
        "Laskar Pelangi", "sebuah novel", ["Hirata, Andrea"])
    assert (work.year, work.language, work.classification) == (2005, "ind", "899.221")
    assert work.subjects == ["Novel", "Belitong"] and work.description == "Lebih panjang."
    assert work.isbns == ["9789793062792"] and work.updated == "2024-03-01T00:00:00Z"
    kota, tbm = work.holdings
    assert (kota.library_id, kota.library_name, kota.district) == (
        "kota", "Perpustakaan Kota", "Kota Palangka Raya")
    assert (kota.record_id, kota.copies, kota.available, kota.call_number) == (
        "a", 3, 2, "899.221 HIR l")
    assert kota.status_known == "2024-03-01T06:30:00Z"  # as old as its oldest record's
    assert (tbm.library_name, tbm.copies_known, tbm.status_known) == ("tbm", False, "")
    assert build_work("w1", list(reversed(records)), libraries) == work


def test_a_returning_record_that_changed_does_not_take_its_old_work_id(tmp_path: Path) -> None:
    records = {r.identifier: r for _, r in labelled_records()}
    stays, leaves = records["oai:unpar:1"], records["oai:prov:3"]  # Bumi Manusia 1980
    works = cluster(tmp_path / "w.sqlite3", [stays, leaves])
    clusterer = Clusterer(works)
    work_id = works.member((stays.source, stays.identifier)).work_id
    assert works.member((leaves.source, leaves.identifier)).work_id == work_id
    with works.transaction():
        clusterer.remove((leaves.source, leaves.identifier))
        retitled = NormalisedRecord(**{**leaves.to_dict(), "holding": leaves.holding,
                                       "title": "Anak Semua Bangsa"})
        clusterer.put(retitled, 9)
    assert works.member((stays.source, stays.identifier)).work_id == work_id
    assert works.member((leaves.source, leaves.identifier)).work_id != work_id


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_any_sequence_of_changes_ends_where_a_rebuild_does(tmp_path: Path, seed: int,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setattr(works_module, "RENAME_BATCH", 3)  # the rebuild's renames in batches
    rng = random.Random(seed)
    records = [r for _, r in labelled_records()]
    works = WorkStore(tmp_path / "works.sqlite3")
    clusterer = Clusterer(works)
    live: dict[tuple[str, str], NormalisedRecord] = {}
    with works.transaction():
        for seq in range(1, 400):
            record = rng.choice(records)
            key = (record.source, record.identifier)
            action = rng.random()
            if action < 0.25 and key in live:
                clusterer.remove(key)
                del live[key]
                continue
            if action < 0.4:  # an edit that may move the record to another work
                donor = rng.choice(records)
                record = NormalisedRecord(**{**record.to_dict(), "holding": record.holding,
                                             "title": donor.title, "isbns": donor.isbns})
            clusterer.put(record, seq)
            live[key] = record
    incremental = grouping(works)
    with works.transaction():
        works.clear_records()
        rebuild = Clusterer(works, final_ids=False)
        for seq, record in enumerate(live.values(), start=1):
            rebuild.put(record, seq)
        finalise_ids(works)
    assert grouping(works) == incremental


def test_a_works_file_written_before_record_data_keeps_its_records(tmp_path: Path) -> None:
    record = labelled_records()[0][1]
    path = tmp_path / "works.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE records (source TEXT NOT NULL, identifier TEXT NOT NULL, "
        "seq INTEGER NOT NULL, title_key TEXT NOT NULL, subtitle_key TEXT NOT NULL, "
        "work_id TEXT, match TEXT NOT NULL, data TEXT NOT NULL, "
        "PRIMARY KEY (source, identifier)) WITHOUT ROWID;"
        "CREATE INDEX records_title ON records (title_key);")
    view = match_view(record)
    old.execute("INSERT INTO records VALUES (?, ?, 1, ?, ?, 'w1', ?, ?)",
                (record.source, record.identifier, view.title_key, view.subtitle,
                 view.to_json(), json.dumps(record.to_dict())))
    old.commit()
    old.close()
    works = WorkStore(path)
    assert [(work_id, records) for work_id, records in works.iter_works()] == [("w1", [record])]
    member = works.member((record.source, record.identifier))
    assert member.record == record and member.work_id == "w1"
    assert "data" not in {row[1] for row in works.db.execute("PRAGMA table_info(records)")}


def test_every_title_link_is_found_through_blocking_keys() -> None:
    views = [match_view(r) for _, r in labelled_records()]
    names = ["A. Tohari", "Ahmad Tohari", "Tohari", "Ahmad Tohari Santoso", "Tim Penyusun",
             "Tohari, Ahmad, S.Pd."]
    views += [match_view(NormalisedRecord(source="x", identifier=f"{i}-{j}", title="Matematika",
                                          creators=[first, *others], year=2013))
              for i, first in enumerate(names) for j, others in enumerate([[], names[:2]])]
    for a in views:
        for b in views:
            if a is not b and same_work(a, b, 1) and not a.isbns & b.isbns:
                assert set(probe_keys(a)) & set(filed_keys(b)), (a, b)


def test_a_subtitle_leaving_frees_the_record_it_made_ambiguous(tmp_path: Path) -> None:
    base = labelled_records()[0][1]
    volumes = [NormalisedRecord(**{**base.to_dict(), "holding": base.holding, "isbns": [],
                                   "identifier": str(n), "subtitle": subtitle})
               for n, subtitle in enumerate(["jilid 1", "jilid 2", ""])]
    works = cluster(tmp_path / "w.sqlite3", volumes)
    assert len(grouping(works)) == 3  # the record without a subtitle could be either
    with works.transaction():
        Clusterer(works).remove((base.source, "1"))
    assert sorted(map(sorted, grouping(works).values())) == [
        [f"{base.source}|0", f"{base.source}|2"]]


def test_a_works_file_from_before_blocking_keys_is_filed_on_open(tmp_path: Path) -> None:
    laskar = [r for label, r in labelled_records() if label == "laskar"]
    path = tmp_path / "works.sqlite3"
    works = cluster(path, laskar[:1])
    works.db.execute("DROP TABLE record_blocks")
    works.db.execute("DELETE FROM state WHERE name='blocking'")
    works.close()
    works = WorkStore(path)
    with works.transaction():
        Clusterer(works).put(laskar[2], 2)  # no ISBN: it can only join by title and author
    assert len(grouping(works)) == 1


def test_a_works_file_older_than_every_migration_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "works.sqlite3"
    with sqlite3.connect(path) as early:
        early.execute("CREATE TABLE records (source TEXT, identifier TEXT, data TEXT)")
    with pytest.raises(WorkStoreError, match="jala index rebuild"):
        WorkStore(path)
