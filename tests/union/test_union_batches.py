"""The union catalogue publishes a batch as if its works came one at a time.

``UnionStore.publish`` takes a whole indexer batch. What it writes (records, fragments,
sets, which work each member record is in, and the successor a vanished work names) must
be what publishing the batch's works one call at a time, in the batch's order, writes.
Successors depend on that order: a record moving between two works of one batch names its
new work only if its old work had not already let it go. Both sides share the rules
(``aggregator.union.moves``), so the rules themselves are pinned by the scenarios below.
"""

from __future__ import annotations

import random
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.member import Key
from aggregator.model import Holding, Work
from aggregator.union.store import UnionStore
from config.network import Source
from config.province import load_province
from config.settings import Settings

LIBRARIES = {"a": Source("a", "Perpustakaan A", "http://127.0.0.1:9/oai"),
             "b": Source("b", "Perpustakaan B", "http://127.0.0.1:9/oai"),
             "tbm": Source("tbm", "TBM", "http://127.0.0.1:9/oai",
                           extra={"republish": False})}
KEYS = [(library, f"{library}-{n}") for library in LIBRARIES for n in range(8)]
WORK_IDS = [f"w{n}" for n in range(10)]
TABLES = ("records", "fragments", "set_members", "set_names", "union_members",
          "union_successors")
SECONDS = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+")


def union(path: Path, members: dict[str, list[Key]]) -> UnionStore:
    """A union table whose works' member records are whatever ``members`` says now."""
    province = load_province(Settings(raw={}, data_dir=path.parent))
    return UnionStore(path, LIBRARIES, province,  # a work without records is absent, as in
                      lambda batch: {work.id: members[work.id] for work in batch  # the works db
                                     if members.get(work.id)})


def work(work_id: str, keys: list[Key], rng: random.Random) -> Work:
    """A work holding these records, its title one of two so content sometimes stays."""
    holdings = [Holding(library, identifier, LIBRARIES[library].name,
                        district=rng.choice(["Kabupaten Katingan", "Kota Palangka Raya"]),
                        copies=rng.randint(1, 2)) for library, identifier in keys]
    return Work(work_id, rng.choice(["Sejarah Kalimantan", "Sejarah Borneo"]),
                holdings=holdings)


def tables(store: UnionStore) -> dict[str, list[tuple]]:
    """Every row the union writes, its stamps cut to the second (one call a transaction
    stamps a microsecond later each time)."""
    db = sqlite3.connect(store.catalogue.path)
    try:
        return {table: sorted(tuple(SECONDS.sub(r"\1", v) if isinstance(v, str) else v
                                    for v in row)
                              for row in db.execute(f"SELECT * FROM {table}"))
                for table in TABLES}
    finally:
        db.close()


@pytest.mark.parametrize("seed", range(12))
def test_a_batch_writes_what_its_works_one_at_a_time_write(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    members: dict[str, list[Key]] = {}
    batched, single = union(tmp_path / "batch.sqlite3", members), \
        union(tmp_path / "single.sqlite3", members)
    now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    moved = 0
    for _ in range(25):
        previous = dict(members)
        members.clear()
        for key in KEYS:  # each record in at most one work; some in none (deleted)
            if rng.random() < 0.85:
                members.setdefault(rng.choice(WORK_IDS), []).append(key)
        moved += sum(1 for w, keys in members.items() for k in keys
                     if k not in previous.get(w, []))
        touched = rng.sample(WORK_IDS, rng.randint(1, len(WORK_IDS)))
        documents = [work(w, sorted(members[w]), rng) for w in touched if w in members]
        gone = [w for w in touched if w not in members]
        if gone and rng.random() < 0.3:  # published with no records (and so no holdings)
            documents.append(work(gone.pop(), [], rng))
        now += timedelta(minutes=1)
        report = batched.publish(documents, gone, now)
        for document in documents:
            single.publish([document], [], now)
        single.publish([], gone, now)
        assert tables(batched) == tables(single)
        assert report.changed + report.unchanged == sum(
            1 for d in documents if any(h.library_id != "tbm" for h in d.holdings))
    assert moved > 50  # records did move between works, so successors were exercised
    assert tables(batched)["union_successors"]
    batched.close()
    single.close()


def test_a_work_republished_after_losing_a_record_names_no_successor_when_removed(
        tmp_path: Path) -> None:
    rng = random.Random(1)
    members: dict[str, list[Key]] = {"w1": [("a", "a-0"), ("a", "a-1")], "w2": [("b", "b-0")]}
    store = union(tmp_path / "union.sqlite3", members)
    now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    store.publish([work(w, keys, rng) for w, keys in members.items()], [], now)
    members.update(w1=[("a", "a-0")], w2=[("b", "b-0"), ("a", "a-1")])
    store.publish([work("w2", members["w2"], rng), work("w1", members["w1"], rng)], [],
                  now + timedelta(minutes=1))  # w2 takes a-1 while w1 still holds it
    del members["w1"]
    store.publish([], ["w1"], now + timedelta(minutes=2))  # then a-0 is deleted: w1 goes
    assert store.successor("w1") is None  # w1 was republished in between: not merged away
    members.update(w3=[("b", "b-1")])
    store.publish([work("w3", members["w3"], rng)], [], now + timedelta(minutes=3))
    members.update(w2=[("b", "b-0"), ("a", "a-1"), ("b", "b-1")])
    del members["w3"]
    store.publish([work("w2", members["w2"], rng)], ["w3"], now + timedelta(minutes=4))
    assert store.successor("w3") == "w2"
    store.close()


def test_a_work_published_without_records_lets_its_records_go(tmp_path: Path) -> None:
    rng = random.Random(2)
    members: dict[str, list[Key]] = {"w1": [("a", "a-0")]}
    store = union(tmp_path / "union.sqlite3", members)
    now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    store.publish([work("w1", members["w1"], rng)], [], now)
    del members["w1"]  # w1 is left with no records: tombstoned, holding nothing
    store.publish([work("w1", [], rng)], [], now + timedelta(minutes=1))
    members["w2"] = [("a", "a-0")]
    store.publish([work("w2", members["w2"], rng)], [], now + timedelta(minutes=2))
    assert store.successor("w1") is None  # a-0 had left w1 before w2 took it
    assert store.counts() == (1, 1)
    store.close()


def test_a_batch_naming_a_work_twice_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    rng = random.Random(3)
    members: dict[str, list[Key]] = {"w1": [("a", "a-0")]}
    store = union(tmp_path / "union.sqlite3", members)
    before = tables(store)
    now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="once"):
        store.publish([work("w1", members["w1"], rng)], ["w1"], now)
    with pytest.raises(ValueError, match="once"):
        store.publish([work("w1", members["w1"], rng)] * 2, [], now)
    assert tables(store) == before
    store.close()
