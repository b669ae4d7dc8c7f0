"""Third-party harvesters (pyoai and Sickle) against a real node on loopback over real HTTP."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from sickle import Sickle

from node_adapter.records import BibRecord
from tests.support.nodes import NodeHandle, make_records, running_node
from tests.support.xsd import NS, assert_valid_oai

T1 = datetime(2024, 1, 10, 8, 0, tzinfo=UTC)
T2 = datetime(2024, 2, 1, 12, 30, tzinfo=UTC)
T3 = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
RECORDS = make_records(57, prefix="kab")
CHANGED = RECORDS[20:33]
DELETED = ["kab-5", "kab-40"]


@pytest.fixture
def node(tmp_path: Path) -> Iterator[NodeHandle]:
    """57 records at T1, 13 changed at T2, 2 deleted at T3; pages of 10."""
    with running_node(tmp_path / "node.sqlite3", page_size=10,
                      repository_identifier="kab.example.id") as handle:
        handle.catalogue.upsert_many(RECORDS, now=T1)
        handle.catalogue.upsert_many([dataclasses.replace(r, title=r.title + " (edisi revisi)")
                                      for r in CHANGED], now=T2)
        for local_id in DELETED:
            handle.catalogue.delete(local_id, now=T3)
        yield handle


def expected(node: NodeHandle, records: list[BibRecord]) -> set[str]:
    return {node.identifier(r.local_id) for r in records}


def pyoai_client(node: NodeHandle, *, force_get: bool = False) -> Client:
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = Client(node.url, registry, force_http_get=force_get)
    client.updateGranularity()
    return client


@pytest.mark.parametrize("force_get", [False, True])
def test_pyoai_harvests_everything_with_tombstones(node: NodeHandle, force_get: bool) -> None:
    client = pyoai_client(node, force_get=force_get)
    records = list(client.listRecords(metadataPrefix="oai_dc"))
    ids = [header.identifier() for header, _, _ in records]
    assert len(ids) == 57 and set(ids) == expected(node, RECORDS)
    deleted = {header.identifier() for header, metadata, _ in records if header.isDeleted()}
    assert deleted == {node.identifier(i) for i in DELETED}
    titles = {header.identifier(): metadata.getField("title")
              for header, metadata, _ in records if metadata is not None}
    assert titles[node.identifier("kab-20")] == [RECORDS[20].title + " (edisi revisi)"]
    assert client.identify().earliestDatestamp() == datetime(2024, 1, 10, 8, 0)


def test_pyoai_from_until_and_set(node: NodeHandle) -> None:
    client = pyoai_client(node)
    since = list(client.listIdentifiers(metadataPrefix="oai_dc", from_=datetime(2024, 2, 1)))
    assert {h.identifier() for h in since} == (expected(node, CHANGED)
                                               | {node.identifier(i) for i in DELETED})
    window = list(client.listIdentifiers(metadataPrefix="marc21",
                                         from_=datetime(2024, 1, 10, 8, 0),
                                         until=datetime(2024, 2, 1, 12, 30)))
    assert len(window) == 55
    books = list(client.listIdentifiers(metadataPrefix="oai_dc", set="type:buku"))
    assert {h.identifier() for h in books} == expected(
        node, [r for r in RECORDS if r.material_type == "buku"])
    assert {spec for spec, _, _ in client.listSets()} >= {"type:buku", "type:skripsi"}


def test_sickle_harvests_with_from_until_set_and_deletions(node: NodeHandle) -> None:
    sickle = Sickle(node.url, max_retries=0)
    records = list(sickle.ListRecords(metadataPrefix="marc21", ignore_deleted=False))
    assert sorted(r.header.identifier for r in records if r.deleted) == sorted(
        node.identifier(i) for i in DELETED)
    assert {r.header.identifier for r in records} == expected(node, RECORDS)
    assert len(records) == 57
    window = list(sickle.ListIdentifiers(**{"metadataPrefix": "oai_dc", "from": "2024-01-11",
                                            "until": "2024-02-29"}))
    assert {h.identifier for h in window} == expected(node, CHANGED)
    ebooks = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="type:e-book",
                                         ignore_deleted=False))
    assert {h.identifier for h in ebooks} == expected(
        node, [r for r in RECORDS if r.material_type == "e-book"])


def test_changes_in_the_middle_of_a_harvest(node: NodeHandle) -> None:
    """Nothing that existed throughout is lost; only records changed after being sent repeat."""
    sickle = Sickle(node.url, max_retries=0)
    harvest = sickle.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False)
    seen = [next(harvest).identifier for _ in range(15)]
    already_sent = seen[3].rsplit(":", 1)[1]
    not_yet = [r for r in RECORDS if r.local_id not in {i.rsplit(":", 1)[1] for i in seen}
               and r.local_id not in DELETED]
    catalogue = node.catalogue
    catalogue.upsert_many([dataclasses.replace(catalogue.get(already_sent).record, year=1999),
                           dataclasses.replace(not_yet[0], year=1998),
                           BibRecord("kab-baru", "Buku baru di tengah panen")])
    catalogue.delete(not_yet[1].local_id)
    seen.extend(header.identifier for header in harvest)
    counts = Counter(seen)
    assert set(counts) == expected(node, RECORDS) | {node.identifier("kab-baru")}
    assert {i for i, n in counts.items() if n > 1} == {node.identifier(already_sent)}


def test_pages_over_http_are_valid_streamed_and_gzipped(node: NodeHandle) -> None:
    response = requests.get(node.url, params={"verb": "ListRecords", "metadataPrefix": "marc21"},
                            headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers.get("Transfer-Encoding") == "chunked"
    raw = response.raw.read(decode_content=False)
    assert raw[:2] == b"\x1f\x8b"
    token = None
    pages = 0
    while True:
        params = {"verb": "ListRecords", **({"resumptionToken": token} if token else
                                            {"metadataPrefix": "marc21"})}
        root = assert_valid_oai(requests.post(node.url, data=params, timeout=10).content)
        pages += 1
        token = root.findtext(".//oai:resumptionToken", namespaces=NS)
        if not token:
            break
    assert pages == 6
