"""Harvest real node adapters over loopback HTTP: exact contents, then incremental changes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from lxml import etree

from aggregator.normalise import normalise
from harvester import runs, state
from tests.support.nodes import make_records, running_node

MARC = "http://www.loc.gov/MARC21/slim"


def test_three_nodes_then_an_update_and_a_deletion(tmp_path: Path, harvest, store):
    sizes = {"kota": 23, "kab": 7, "tbm": 0}
    with running_node(tmp_path / "kota.sqlite3", page_size=5,
                      repository_identifier="kota.example.id") as kota, \
            running_node(tmp_path / "kab.sqlite3", page_size=4,
                         repository_identifier="kab.example.id") as kab, \
            running_node(tmp_path / "tbm.sqlite3", page_size=3,
                         repository_identifier="tbm.example.id") as tbm:
        nodes = {"kota": kota, "kab": kab, "tbm": tbm}
        for name, node in nodes.items():
            node.catalogue.upsert_many(make_records(sizes[name], prefix=name))
        sources = [{"id": name, "base_url": node.url} for name, node in nodes.items()]

        first = harvest(sources)
        assert [(r.source, r.status, r.added) for r in first] == \
            [("kota", "ok", 23), ("kab", "ok", 7), ("tbm", "ok", 0)]
        for name, node in nodes.items():
            expected = {node.identifier(f"{name}-{i}") for i in range(sizes[name])}
            assert {r.identifier for r in store.iter_records(name)} == expected
        assert store.count() == 30
        record = next(store.iter_records("kota"))
        assert etree.fromstring(record.metadata.encode()).tag == f"{{{MARC}}}record"
        assert "http://www.openarchives.org/OAI/2.0/" not in record.metadata  # (d)
        assert normalise(record).title  # the aggregator reads what is stored
        assert all(state.load(store, n).high_water for n in nodes)

        edited = dataclasses.replace(make_records(3, prefix="kota")[2], title="Judul Baru")
        kota.catalogue.upsert_many([edited])
        kota.catalogue.delete("kota-4")
        seq_before = store.last_seq()
        second = harvest(sources)
        assert [(r.source, r.mode, r.status) for r in second] == \
            [("kota", "incremental", "ok"), ("kab", "incremental", "ok"),
             ("tbm", "incremental", "ok")]
        kota_run = second[0]
        assert (kota_run.added, kota_run.updated, kota_run.deleted) == (0, 1, 1)
        assert "Judul Baru" in store.get("kota", kota.identifier("kota-2")).metadata
        gone = store.get("kota", kota.identifier("kota-4"))
        assert gone.deleted and gone.metadata is None
        changes = store.changes(seq_before)
        assert {c.identifier for c in changes} == {kota.identifier("kota-2"),
                                                   kota.identifier("kota-4")}
        assert store.count("kota") == 22 and store.count("kab") == 7
        assert [r.status for r in runs.recent(store, "kota")] == ["ok", "ok"]


def test_reconcile_removes_silently_dropped_records(tmp_path: Path, harvest, store):
    with running_node(tmp_path / "n.sqlite3", page_size=4,
                      repository_identifier="n.example.id") as node:
        node.catalogue.upsert_many(make_records(9, prefix="n"))
        source = [{"id": "n", "base_url": node.url}]
        harvest(source)
    # a record the provider never listed (dropped without a deletion marker)
    with store.transaction() as db:
        store.write_records(db, [dataclasses.replace(
            next(store.iter_records("n")), identifier="oai:n.example.id:ghost")])
    assert store.count("n") == 10
    with running_node(tmp_path / "n.sqlite3", page_size=4,
                      repository_identifier="n.example.id") as node:
        source = [{"id": "n", "base_url": node.url}]
        [run] = harvest(source, mode="reconcile")
    assert (run.status, run.deleted) == ("ok", 1)
    assert store.get("n", "oai:n.example.id:ghost").deleted
    assert store.count("n") == 9
