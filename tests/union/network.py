"""A small province for union-catalogue tests: real record store, indexer, tantivy, union feed.

``Province.start(tmp_path)`` stores member records as harvests would, indexes them with
the real indexer (whose ``on_batch`` publishes into the union table at a clock the test
sets) and serves the union's endpoints over real HTTP on loopback. Members:

- ``prov`` and ``kota`` (Kota Palangka Raya, 6271) share works 20–29;
- ``tbm`` (Katingan, 6209) has opted out of re-publication: it shares 38–39 with ``kota``
  and alone holds 40–44, which are therefore not published;
- ``kab`` (Katingan, 6209) alone holds 45–49.

So 45 works are published: 0–39 and 45–49.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.indexer import Indexer
from aggregator.search import SearchService
from aggregator.union.feed import init_union
from aggregator.union.store import UnionStore, workstore_members
from aggregator.workstore import WorkStore
from config.network import load_sources
from config.settings import Settings
from harvester.store import RecordStore, StoredRecord
from node_adapter.oai.formats import FORMATS, INSTITUTION_SLOT
from node_adapter.records import BibRecord
from tests.support.http import live_server
from tests.support.nodes import make_records

SOURCES = [
    {"id": "prov", "name": "Dinas Perpustakaan Provinsi", "type": "provinsi",
     "district": "Kota Palangka Raya", "base_url": "http://127.0.0.1:9/oai"},
    {"id": "kota", "name": "Perpustakaan Kota Palangka Raya", "type": "kota",
     "district": "Kota Palangka Raya", "base_url": "http://127.0.0.1:9/oai"},
    {"id": "tbm", "name": "TBM Pelangi", "type": "taman-baca", "district": "Kab. Katingan",
     "base_url": "http://127.0.0.1:9/oai", "republish": False},
    {"id": "kab", "name": "Perpustakaan Daerah Katingan", "type": "kabupaten",
     "district": "Kabupaten Katingan", "base_url": "http://127.0.0.1:9/oai"},
]
HOLDINGS = {"prov": range(0, 30), "kota": range(20, 40), "tbm": range(38, 45),
            "kab": range(45, 50)}
PUBLISHED = 45
REPOSITORY = "union.kalteng.example.id"
T0 = datetime(2025, 1, 6, 3, 0, tzinfo=UTC)


def member_records(source: str) -> list[BibRecord]:
    """The records one member holds (same number, same book, in every member)."""
    numbers = HOLDINGS[source]
    return make_records(numbers.stop, prefix=source)[numbers.start:]


def stored(source: str, record: BibRecord, deleted: bool = False) -> StoredRecord:
    """A record as the harvester stores it from that member's marc21 feed."""
    xml = None if deleted else FORMATS["marc21"].render(record).replace(INSTITUTION_SLOT, source)
    return StoredRecord(source, f"oai:{source}.example.id:{record.local_id}",
                        "2025-01-05T00:00:00Z", deleted, "marc21", xml)


@dataclass
class Province:
    """The running pieces; ``clock`` is the union's next stamp, moved by ``tick``."""

    settings: Settings
    store: RecordStore
    indexer: Indexer
    engine: TantivyEngine
    union: UnionStore
    url: str
    clock: datetime = T0

    def tick(self, minutes: int = 10) -> datetime:
        """Move the union's clock on; returns the new time."""
        self.clock += timedelta(minutes=minutes)
        return self.clock

    def harvest(self, records: Iterable[StoredRecord]) -> None:
        """Store records as harvest pages would, then index (and publish) them."""
        by_source: dict[str, list[StoredRecord]] = {}
        for record in records:
            by_source.setdefault(record.source, []).append(record)
        for batch in by_source.values():
            with self.store.transaction() as db:
                self.store.write_records(db, batch)
        self.indexer.run_incremental()

    def identifier(self, work_id: str) -> str:
        """The union's OAI identifier of a work."""
        return f"oai:{REPOSITORY}:{work_id}"

    def work_of(self, source: str, local_id: str) -> str:
        """The work a member record is in now."""
        member = self.indexer.works.member((source, f"oai:{source}.example.id:{local_id}"))
        assert member is not None and member.work_id
        return member.work_id


def union_settings(data_dir: Path, **union: object) -> Settings:
    """Settings of a province with the members above and a small page size."""
    return Settings(raw={"sources": SOURCES,
                         "union": {"repository_identifier": REPOSITORY, "page_size": 7,
                                   **union}},
                    data_dir=data_dir)


@contextmanager
def running_province(data_dir: Path, **union: object) -> Iterator[Province]:
    """Every member harvested and indexed at T0; the union's endpoints on a live server."""
    settings = union_settings(data_dir, **union)
    store = RecordStore.at(settings)
    engine = TantivyEngine(data_dir / "index", writer=True, heap_mb=50, threads=1)
    works = WorkStore(data_dir / "works.sqlite3")
    indexer = Indexer(store, works, engine, {s.id: s for s in load_sources(settings)},
                      batch_size=20)
    union_store = UnionStore.from_settings(settings, workstore_members(works))
    app = Flask(__name__)
    app.extensions["search_service"] = SearchService(engine, load_sources(settings))
    init_union(app, settings)
    try:
        with live_server(app) as server:
            province = Province(settings, store, indexer, engine, union_store, server.url)
            indexer.on_batch = lambda documents, gone: union_store.publish(
                documents, gone, now=province.clock)
            province.harvest(stored(source, record) for source in HOLDINGS
                             for record in member_records(source))
            yield province
    finally:
        union_store.close()
        engine.close()


def retitled(record: BibRecord, suffix: str) -> BibRecord:
    """The same record with a changed title."""
    return dataclasses.replace(record, title=record.title + suffix)
