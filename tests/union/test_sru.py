"""The union catalogue's /sru: SRU 2.0 and 1.2 over real HTTP, every answer checked.

A province of four members (``tests.union.network``: real record store, indexer, tantivy
and union table, served on loopback) is queried over HTTP with ``requests`` as an SRU
client does (paging by ``nextRecordPosition``); every answer is validated (2.0 by the
OASIS schema, 1.2 by the checks in ``tests.support.sru``), records included. sruthi, the
SRU client on PyPI, was left out: no release since 2023, 1.2 only, and it installs
defusedxml, which changes how openpyxl parses uploaded workbooks under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from lxml import etree

from aggregator.union.config import load_union_config
from config.settings import ConfigError, Settings
from search_ui.app import create_app
from tests.support.http import live_server
from tests.support.sru import MARC, SRU2, SRU12, SRW_DC, ZR, assert_valid_sru, diagnostics
from tests.support.xsd import _parser
from tests.union.network import PUBLISHED, Province, running_province

NAMESPACE = {"2.0": SRU2, "1.2": SRU12}


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    """The four members indexed and published (nothing here changes them)."""
    with running_province(tmp_path_factory.mktemp("sru")) as running:
        yield running


def ask(url: str, post: bool = False, **params: str) -> etree._Element:
    """One request to /sru: HTTP 200 and a valid answer, parsed."""
    send = requests.post if post else requests.get
    response = send(f"{url}/sru", **{"data" if post else "params": params}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    return assert_valid_sru(response.content)


def search(province: Province, query: str, version: str = "2.0", **params: str
           ) -> tuple[int, list[etree._Element], etree._Element]:
    """numberOfRecords, the MARC records and the whole answer of one searchRetrieve."""
    root = ask(province.url, operation="searchRetrieve", version=version, query=query,
               **params)
    assert diagnostics(root) == []
    sru = NAMESPACE[version]
    records = root.findall(f"{{{sru}}}records/{{{sru}}}record/{{{sru}}}recordData/*")
    return int(root.findtext(f"{{{sru}}}numberOfRecords")), records, root


def field(record: etree._Element, tag: str, code: str) -> list[str]:
    """The values of one subfield across a MARC record's fields with ``tag``."""
    return record.xpath(f"m:datafield[@tag='{tag}']/m:subfield[@code='{code}']/text()",
                        namespaces={"m": MARC})


def titles(records: list[etree._Element]) -> set[str]:
    """The 245 $a of each record."""
    return {value for record in records for value in field(record, "245", "a")}


def test_explain_describes_the_indexes_schemas_and_limits(province: Province) -> None:
    for root in (ask(province.url), ask(province.url, operation="explain", version="1.2")):
        sru = etree.QName(root).namespace
        explain = root.find(f"{{{sru}}}record/{{{sru}}}recordData/{{{ZR}}}explain")
        names = {f"{n.get('set')}.{n.text}" for n in explain.iter(f"{{{ZR}}}name")}
        assert {"cql.anywhere", "cql.serverChoice", "dc.title", "dc.creator", "dc.subject",
                "bath.isbn"} <= names
        schemas = {s.get("name") for s in explain.iter(f"{{{ZR}}}schema")}
        assert schemas == {"marcxml", "dc"}
        assert explain.findtext(f".//{{{ZR}}}setting[@type='maximumRecords']") == "50"
        assert explain.findtext(f".//{{{ZR}}}database") == "sru"


def walk(province: Province, query: str, version: str, size: int) -> list[str]:
    """Every record's 001, page by page as a client follows ``nextRecordPosition``."""
    seen: list[str] = []
    start = "1"
    while start:
        total, records, root = search(province, query, version=version,
                                      maximumRecords=str(size), startRecord=start)
        assert total == PUBLISHED and len(records) <= size
        seen += [r.findtext(f"{{{MARC}}}controlfield[@tag='001']") for r in records]
        start = root.findtext(f"{{{NAMESPACE[version]}}}nextRecordPosition") or ""
    return seen


def test_pages_walk_every_published_work_once(province: Province) -> None:
    seen = walk(province, "cql.allRecords = 1", "2.0", 7)
    assert len(seen) == len(set(seen)) == PUBLISHED, "the opted-out member's own works absent"
    _, window, root = search(province, "cql.allRecords = 1", maximumRecords="5",
                             startRecord="3")
    assert [r.findtext(f"{{{MARC}}}controlfield[@tag='001']") for r in window] == seen[2:7]
    positions = root.xpath("//s:recordPosition/text()", namespaces={"s": SRU2})
    assert positions == ["3", "4", "5", "6", "7"]
    assert root.findtext(f"{{{SRU2}}}nextRecordPosition") == "8"
    total, records, root = search(province, "cql.allRecords = 1", maximumRecords="0")
    assert (total, records, root.find(f"{{{SRU2}}}nextRecordPosition")) == (PUBLISHED, [], None)


def test_records_carry_one_852_per_library_that_shares_its_holdings(
        province: Province) -> None:
    total, [record], _ = search(province, 'dc.title adj "Menziarahi Palembang"')
    assert total == 1 and titles([record]) == {"Menziarahi Palembang"}
    assert sorted(field(record, "852", "a")) == ["kota", "prov"]
    assert field(record, "020", "a") == ["9790000000216"]
    assert all("eksemplar" in note and "copies" in note for note in field(record, "852", "z"))
    _, [shared], _ = search(province, 'dc.title exact "Kitab Tauhid"', version="1.2")
    assert field(shared, "852", "a") == ["kota"], "the opted-out member's holding left out"
    assert search(province, 'dc.title all "Hidupku Tenang"')[0] == 0, "only it holds this"


def test_dublin_core_and_records_packed_as_strings(province: Province) -> None:
    _, [record], _ = search(province, 'dc.title adj "Menziarahi Palembang"',
                            recordSchema="dc")
    assert etree.QName(record).namespace == SRW_DC
    assert record.findtext("{http://purl.org/dc/elements/1.1/}title") == "Menziarahi Palembang"
    for version, packing in (("2.0", "recordXMLEscaping"), ("1.2", "recordPacking")):
        sru = NAMESPACE[version]
        root = ask(province.url, version=version, operation="searchRetrieve",
                   query='dc.creator exact "elis handoko"', **{packing: "string"})
        data = root.find(f"{{{sru}}}records/{{{sru}}}record/{{{sru}}}recordData")
        assert len(data) == 0, "the record travels as escaped text"
        unpacked = etree.fromstring(data.text.encode(), _parser())
        assert titles([unpacked]) == {"Menziarahi Palembang"}


def test_searches_forgive_as_the_patron_site_does(province: Province) -> None:
    for query in ('cql.anywhere = "menziarahi palembng"', "menziarahi palembng",
                  "bath.isbn = 979-0-0000-0021-6", 'bath.isbn = "ISBN 9790000000216"',
                  "dc.title = MENZIARAHI", 'dc.creator == "ELIS HANDOKO"'):
        total, records, _ = search(province, query)
        assert (total, titles(records)) == (1, {"Menziarahi Palembang"}), query


@pytest.mark.parametrize(("query", "expected"), [
    ('dc.creator exact "Elis Handoko" or dc.title all "tauhid kitab"', 2),
    ('dc.creator adj "Elis Handoko"', 2),
    ('cql.allRecords = 1 not dc.title any "menziarahi"', PUBLISHED - 1),
    ('dc.title exact "Kitab Tauhid"', 1),
    ('dc.title == "Kitab"', 0),
    ("dc.subject == agama", PUBLISHED),
    ('dc.creator adj "Handoko Elis"', 0),
    ('(dc.title any menziarahi or dc.title any tauhid) and dc.creator any imam', 1),
    ('cql.serverChoice all "palembang menziarahi"', 1),
])
def test_booleans_and_relations_as_cql_means_them(province: Province, query: str,
                                                   expected: int) -> None:
    for version in ("2.0", "1.2"):
        assert search(province, query, version=version)[0] == expected


@pytest.mark.parametrize("version", ["2.0", "1.2"])
@pytest.mark.parametrize(("params", "code", "details"), [
    ({"query": "dc.title ="}, 10, "10"),
    ({"query": "dc.publisher = x"}, 16, "dc.publisher"),
    ({"query": "dc.title < x"}, 19, "<"),
    ({"query": "x", "recordSchema": "mods"}, 66, "mods"),
    ({"query": "cql.allRecords = 1", "startRecord": "46"}, 61, "46"),
    ({"query": "x", "startRecord": "0"}, 6, "startRecord"),
    ({"query": "x", "maximumRecords": "-1"}, 6, "maximumRecords"),
    ({"operation": "searchRetrieve"}, 7, "query"),
    ({"operation": "scan", "scanClause": "dc.title=x"}, 4, "scan"),
    ({"query": "x", "sortKeys": "dc.title"}, 80, "sortKeys"),
    ({"query": "pendidik*"}, 28, "pendidik*"),
])
def test_bad_requests_get_the_standards_diagnostic_with_http_200(
        province: Province, version: str, params: dict[str, str], code: int,
        details: str) -> None:
    root = ask(province.url, version=version, **params)
    assert diagnostics(root) == [(f"info:srw/diagnostic/1/{code}", details)]
    assert etree.QName(root).localname == "searchRetrieveResponse"


def test_unknown_versions_and_packings_are_diagnosed(province: Province) -> None:
    assert diagnostics(ask(province.url, version="3.0", query="x")) \
        == [("info:srw/diagnostic/1/5", "2.0")]
    assert diagnostics(ask(province.url, version="1.2", query="x", recordPacking="json")) \
        == [("info:srw/diagnostic/1/71", "json")]
    explain = ask(province.url, operation="explain", recordXMLEscaping="yaml")
    assert diagnostics(explain) == [("info:srw/diagnostic/1/71", "yaml")]


def test_the_checks_catch_answers_the_standard_forbids(province: Province) -> None:
    for version in ("2.0", "1.2"):
        body = requests.get(f"{province.url}/sru", params={
            "version": version, "query": "cql.allRecords = 1", "maximumRecords": "2"},
            timeout=30).content
        assert_valid_sru(body)
        swapped = body.replace(b"<numberOfRecords>45</numberOfRecords>", b"").replace(
            b"</records>", b"</records><numberOfRecords>45</numberOfRecords>")
        with pytest.raises(AssertionError):
            assert_valid_sru(swapped)
        broken = body.replace(b'tag="245"', b'tag="2450"', 1)
        with pytest.raises((AssertionError, etree.DocumentInvalid)):
            assert_valid_sru(broken)


def test_post_is_answered_like_get(province: Province) -> None:
    root = ask(province.url, post=True, operation="searchRetrieve", version="1.2",
               query='dc.creator exact "elis handoko"')
    assert root.findtext(f"{{{SRU12}}}numberOfRecords") == "1"


def test_a_client_walks_every_page_of_a_search_in_1_2(province: Province) -> None:
    seen = walk(province, "dc.subject = agama", "1.2", 10)
    assert len(seen) == len(set(seen)) == PUBLISHED


def test_maximum_records_is_capped(tmp_path: Path) -> None:
    with running_province(tmp_path, sru_max_records=20) as small:
        total, records, root = search(small, "cql.allRecords = 1", maximumRecords="1000")
        assert (total, len(records)) == (PUBLISHED, 20)
        assert root.findtext(f"{{{SRU2}}}nextRecordPosition") == "21"


@pytest.mark.parametrize("union", [{"sru_max_records": 500}, {"sru_default_records": 0},
                                   {"sru_default_records": 60, "sru_max_records": 50}])
def test_record_limits_are_checked_when_configured(tmp_path: Path, union: dict) -> None:
    with pytest.raises(ConfigError, match="sru_"):
        load_union_config(Settings(raw={"union": union}, data_dir=tmp_path))


def test_jala_serve_answers_sru_with_the_union(province: Province) -> None:
    app = create_app({"SETTINGS": province.settings, "TESTING": True, "SECRET_KEY": "test"})
    try:
        with live_server(app) as server:
            root = ask(server.url, operation="searchRetrieve", query="cql.allRecords = 1")
            assert root.findtext(f"{{{SRU2}}}numberOfRecords") == str(PUBLISHED)
            assert etree.QName(ask(server.url)).localname == "explainResponse"
    finally:
        app.extensions["search_service"].close()
