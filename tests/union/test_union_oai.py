"""The union catalogue's /oai: valid, harvestable by pyoai and Sickle, and incremental."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from lxml import etree
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from sickle import Sickle

from node_adapter.records import Copy
from search_ui.app import create_app
from tests.support.http import live_server
from tests.support.xsd import NS, assert_valid_oai
from tests.union.network import (
    PUBLISHED,
    Province,
    member_records,
    retitled,
    running_province,
    stored,
)


@pytest.fixture
def province(tmp_path: Path) -> Iterator[Province]:
    """The four members indexed and published at T0, pages of 7."""
    with running_province(tmp_path) as running:
        yield running


def ask(province: Province, **params: str) -> etree._Element:
    """One request to the union's /oai, checked against the XSDs."""
    response = requests.get(f"{province.url}/oai", params=params, timeout=30)
    assert response.status_code == 200
    return assert_valid_oai(response.content)


def pages(province: Province, verb: str, **params: str) -> Iterator[etree._Element]:
    """Every page of a list, following resumption tokens, each page XSD-checked."""
    root = ask(province, verb=verb, **params)
    while True:
        yield root
        token = root.findtext(f".//oai:{verb}/oai:resumptionToken", namespaces=NS)
        if not token:
            return
        root = ask(province, verb=verb, resumptionToken=token)


def error_code(root: etree._Element) -> str | None:
    """The response's error code, if it is an error."""
    error = root.find("oai:error", NS)
    return None if error is None else error.get("code")


def merge_and_delete(province: Province) -> tuple[str, str, str]:
    """Delete kab-45 and make kab-46 a copy of kab-47: returns the three works' ids before."""
    kab = {r.local_id: r for r in member_records("kab")}
    before = (province.work_of("kab", "kab-45"), province.work_of("kab", "kab-46"),
              province.work_of("kab", "kab-47"))
    province.tick()
    twin = dataclasses.replace(kab["kab-47"], local_id="kab-46", copies=kab["kab-46"].copies)
    province.harvest([stored("kab", kab["kab-45"], deleted=True), stored("kab", twin)])
    return before


def pyoai(province: Province) -> Client:
    """pyoai's client on the union feed, with its oai_dc reader."""
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = Client(f"{province.url}/oai", registry)
    client.updateGranularity()
    return client


def test_every_verb_error_and_page_validates(province: Province) -> None:
    merged = merge_and_delete(province)
    assert ask(province, verb="Identify").findtext(".//oai:deletedRecord", namespaces=NS) \
        == "persistent"
    assert len(ask(province, verb="ListMetadataFormats").findall(".//oai:metadataFormat",
                                                                 NS)) == 2
    sets = [s.text for s in ask(province, verb="ListSets").iterfind(".//oai:setSpec", NS)]
    assert {"library:prov", "library:kota", "library:kab", "district:6271", "district:6209",
            "type:buku"} <= set(sets)
    assert "library:tbm" not in sets
    for prefix in ("marc21", "oai_dc"):
        for verb in ("ListRecords", "ListIdentifiers"):
            headers = [h for page in pages(province, verb, metadataPrefix=prefix)
                       for h in page.iterfind(".//oai:header", NS)]
            assert len(headers) == PUBLISHED  # 43 live, 2 tombstones
            assert sum(h.get("status") == "deleted" for h in headers) == 2
    for work_id in merged:
        for prefix in ("marc21", "oai_dc"):
            root = ask(province, verb="GetRecord", identifier=province.identifier(work_id),
                       metadataPrefix=prefix)
            assert error_code(root) is None
    errors = {
        "badVerb": {"verb": "ListEverything"},
        "badArgument": {"verb": "ListRecords"},
        "cannotDisseminateFormat": {"verb": "ListRecords", "metadataPrefix": "mods"},
        "idDoesNotExist": {"verb": "GetRecord", "metadataPrefix": "marc21",
                           "identifier": "oai:union.kalteng.example.id:nothing"},
        "noRecordsMatch": {"verb": "ListIdentifiers", "metadataPrefix": "marc21",
                           "from": "2030-01-01"},
        "badResumptionToken": {"verb": "ListRecords", "resumptionToken": "forged.token"},
    }
    for code, params in errors.items():
        assert error_code(ask(province, **params)) == code


def test_a_work_has_one_record_with_an_852_per_library_that_republishes(
        province: Province) -> None:
    records = [r for page in pages(province, "ListRecords", metadataPrefix="marc21")
               for r in page.iterfind(".//oai:record", NS)]
    assert len(records) == PUBLISHED
    libraries = Counter()
    for record in records:
        fields = record.findall(".//marc:datafield[@tag='852']", NS)
        libraries.update(f.findtext("marc:subfield[@code='a']", namespaces=NS) for f in fields)
        for field in fields:
            note = field.findtext("marc:subfield[@code='z']", namespaces=NS)
            assert note.endswith(" on 2025-01-06)")
    assert libraries == {"prov": 30, "kota": 20, "kab": 5}
    first = ask(province, verb="GetRecord", metadataPrefix="marc21",
                identifier=province.identifier(province.work_of("prov", "prov-4")))
    assert first.findtext(".//marc:datafield[@tag='852']/marc:subfield[@code='z']",
                          namespaces=NS).startswith("2 eksemplar, 1 tersedia per 2025-01-06")
    shared = ask(province, verb="GetRecord", metadataPrefix="marc21",
                 identifier=province.identifier(province.work_of("kota", "kota-38")))
    assert [f.findtext("marc:subfield[@code='b']", namespaces=NS)
            for f in shared.iterfind(".//marc:datafield[@tag='852']", NS)] \
        == ["Perpustakaan Kota Palangka Raya"]
    alone = ask(province, verb="GetRecord", metadataPrefix="marc21",
                identifier=province.identifier(province.work_of("tbm", "tbm-40")))
    assert error_code(alone) == "idDoesNotExist"


def test_pyoai_and_sickle_harvest_pages_sets_and_deletions(province: Province) -> None:
    merge_and_delete(province)
    client = pyoai(province)
    records = list(client.listRecords(metadataPrefix="oai_dc"))
    assert len(records) == PUBLISHED
    assert sum(header.isDeleted() for header, _, _ in records) == 2
    counts = {spec: len(list(client.listIdentifiers(metadataPrefix="oai_dc", set=spec)))
              for spec in ("library:prov", "library:kota", "library:kab", "district:6209",
                           "district:6271", "district")}
    assert counts == {"library:prov": 30, "library:kota": 20, "library:kab": 5,
                      "district:6209": 5, "district:6271": 40, "district": PUBLISHED}
    types = [spec for spec, _, _ in client.listSets() if spec.startswith("type:")]
    assert sum(len(list(client.listIdentifiers(metadataPrefix="oai_dc", set=spec)))
               for spec in types) == PUBLISHED
    sickle = Sickle(f"{province.url}/oai", max_retries=0)
    harvested = list(sickle.ListRecords(metadataPrefix="marc21", ignore_deleted=False))
    assert len(harvested) == PUBLISHED
    assert sum(r.header.deleted for r in harvested) == 2
    assert len(list(sickle.ListIdentifiers(metadataPrefix="marc21", set="library:kab"))) == 5


def test_a_merge_and_a_deletion_reach_a_harvester_incrementally(province: Province) -> None:
    client = pyoai(province)
    first = list(client.listIdentifiers(metadataPrefix="oai_dc"))
    high_water = max(header.datestamp() for header in first)
    assert len(first) == PUBLISHED
    removed, twin, survivor_before = merge_and_delete(province)
    changes = list(client.listRecords(metadataPrefix="oai_dc",
                                      from_=high_water + timedelta(seconds=1)))
    deleted = {h.identifier() for h, _, _ in changes if h.isDeleted()}
    live = {h.identifier() for h, _, _ in changes if not h.isDeleted()}
    survivor = province.work_of("kab", "kab-47")
    assert survivor in (twin, survivor_before)
    merged_away = twin if survivor == survivor_before else survivor_before
    assert deleted == {province.identifier(removed), province.identifier(merged_away)}
    assert live == {province.identifier(survivor)}
    tombstone = ask(province, verb="GetRecord", metadataPrefix="oai_dc",
                    identifier=province.identifier(merged_away))
    assert tombstone.findtext(".//oai:about//dc:relation", namespaces=NS) \
        == province.identifier(survivor)
    gone = ask(province, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=province.identifier(removed))
    assert gone.find(".//oai:header", NS).get("status") == "deleted"
    assert gone.find(".//oai:about", NS) is None
    assert province.union.successor(merged_away) == survivor
    assert province.union.successor(removed) is None


def datestamp(province: Province, source: str, local_id: str) -> datetime:
    """The union datestamp of the work a member record is in."""
    root = ask(province, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=province.identifier(province.work_of(source, local_id)))
    return datetime.fromisoformat(root.findtext(".//oai:datestamp", namespaces=NS))


def test_datestamp_moves_when_description_or_holdings_change_only(province: Province) -> None:
    prov = {r.local_id: r for r in member_records("prov")}
    start = datestamp(province, "prov", "prov-0")
    province.tick()
    same = dataclasses.replace(stored("prov", prov["prov-0"]), datestamp="2025-01-06T09:00:00Z")
    fewer = dataclasses.replace(prov["prov-1"], copies=[Copy("X1", status="dipinjam")])
    province.harvest([same, stored("prov", fewer),
                      stored("prov", retitled(prov["prov-2"], " (edisi kedua)"))])
    assert datestamp(province, "prov", "prov-0") == start
    assert datestamp(province, "prov", "prov-1") > start
    assert datestamp(province, "prov", "prov-2") > start
    assert datestamp(province, "prov", "prov-3") == start


def test_a_rebuild_republishes_nothing_that_did_not_change(province: Province) -> None:
    merge_and_delete(province)
    province.tick()
    report = province.union.sync(map(province.union.render, province.indexer.all_works()),
                                   now=province.clock)
    assert (report.changed, report.deleted) == (0, 0)
    assert report.unchanged == PUBLISHED - 2
    assert province.union.counts() == (PUBLISHED - 2, 2)


def test_opting_out_later_withdraws_the_members_holdings(tmp_path: Path) -> None:
    with running_province(tmp_path / "a") as province:
        kab_only = province.work_of("kab", "kab-45")
        libraries = province.union.render.libraries
        libraries["kab"] = dataclasses.replace(libraries["kab"], extra={"republish": False})
        province.tick()
        report = province.union.sync(map(province.union.render, province.indexer.all_works()),
                                   now=province.clock)
        assert report.deleted == 5
        gone = ask(province, verb="GetRecord", metadataPrefix="marc21",
                   identifier=province.identifier(kab_only))
        assert gone.find(".//oai:header", NS).get("status") == "deleted"


def test_jala_serve_answers_oai_with_the_union(province: Province) -> None:
    app = create_app({"SETTINGS": province.settings, "TESTING": True, "SECRET_KEY": "test"})
    try:
        with live_server(app) as server:
            client = Sickle(f"{server.url}/oai", max_retries=0)
            assert client.Identify().repositoryName == "Katalog Induk Jala Pustaka"
            assert len(list(client.ListIdentifiers(metadataPrefix="oai_dc"))) == PUBLISHED
    finally:
        app.extensions["search_service"].close()
