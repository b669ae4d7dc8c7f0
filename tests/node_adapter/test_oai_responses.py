"""Every verb's answer, every page of every list, XSD-valid and saying what the catalogue holds."""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from lxml import etree

from config.settings import Settings
from node_adapter.app import create_app
from node_adapter.catalogue import Catalogue
from node_adapter.oai.formats import xml_text
from node_adapter.oai.views import PROVIDER_KEY
from node_adapter.records import BibRecord, Copy
from tests.support.nodes import make_records
from tests.support.xsd import NS, assert_valid_oai

T1 = datetime(2024, 1, 10, 8, 0, tzinfo=UTC)
T2 = datetime(2024, 2, 1, 12, 30, tzinfo=UTC)
T3 = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
REPO = "kota.example.id"
FULL = BibRecord(
    "lengkap", "Negeri 5 Menara", subtitle="sebuah novel", creators=["Ahmad Fuadi"],
    contributors=["Mirna Yulistianti"], publisher="Gramedia Pustaka Utama", place="Jakarta",
    year=2009, isbn=["9789792248616"], issn=["1234-5679"], language="ind",
    subjects=["Fiksi Indonesia", "Pesantren"], classification="899.2213",
    call_number="899.221 3 FUA n", material_type="buku", collection="Koleksi Umum",
    description="Kisah enam santri & mimpi <besar> mereka.",
    digital_url="https://pustaka.example.id/baca/lengkap",
    copies=[Copy("KPR0001", "Ruang Baca Umum", "899.221 3 FUA n", "tersedia"),
            Copy("KPR0002", "Ruang Anak", "", "dipinjam")])


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    """A node with 12 records at T1, four changed at T2, one deleted at T3; pages of 5."""
    app = create_app({"database": str(tmp_path / "node.sqlite3"), "page_size": 5,
                      "repository_identifier": REPO, "library_name": "Perpustakaan Kota"},
                     settings=Settings(data_dir=tmp_path))
    catalogue: Catalogue = app.extensions[PROVIDER_KEY].catalogue
    catalogue.upsert_many([*make_records(11, prefix="k"), FULL], now=T1)
    catalogue.upsert_many([dataclasses.replace(r, title=r.title + " (revisi)")
                           for r in make_records(4, prefix="k")], now=T2)
    catalogue.delete("k-5", now=T3)
    yield app.test_client()
    catalogue.close()


def oai(client: FlaskClient, **arguments: str) -> etree._Element:
    response = client.get("/oai", query_string=arguments)
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    return assert_valid_oai(response.data)


def harvest(client: FlaskClient, verb: str, **arguments: str) -> list[etree._Element]:
    """Every page of a list, each validated; cursor and completeListSize checked at the end."""
    pages = [oai(client, verb=verb, **arguments)]
    counts: list[tuple[int, int, int]] = []
    sent = 0
    while True:
        item = "record" if verb == "ListRecords" else "header"
        token = pages[-1].find(f"oai:{verb}/oai:resumptionToken", NS)
        if token is not None:
            counts.append((sent, int(token.get("cursor")), int(token.get("completeListSize"))))
        sent += len(pages[-1].findall(f"oai:{verb}/oai:{item}", NS))
        if token is None or not token.text:
            assert all((cursor, size) == (at, sent) for at, cursor, size in counts)
            return pages
        pages.append(oai(client, verb=verb, resumptionToken=token.text))


def identifiers(pages: list[etree._Element]) -> list[str]:
    return [e.text for page in pages for e in page.iterfind(".//oai:header/oai:identifier", NS)]


def test_identify(client: FlaskClient) -> None:
    root = oai(client, verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://localhost/oai"
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == "2024-01-10T08:00:00Z"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext(".//id:repositoryIdentifier", namespaces=NS) == REPO
    sample = identify.findtext(".//id:sampleIdentifier", namespaces=NS)
    assert sample.startswith(f"oai:{REPO}:")
    assert identify.findtext("oai:compression", namespaces=NS) == "gzip"
    assert root.find("oai:request", NS).attrib == {"verb": "Identify"}


def test_list_metadata_formats(client: FlaskClient) -> None:
    for arguments in ({}, {"identifier": f"oai:{REPO}:k-1"}):
        root = oai(client, verb="ListMetadataFormats", **arguments)
        prefixes = root.xpath("//oai:metadataPrefix/text()", namespaces=NS)
        assert prefixes == ["oai_dc", "marc21"]


def test_list_sets(client: FlaskClient) -> None:
    sets = oai(client, verb="ListSets").findall(".//oai:set", NS)
    listed = {s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
              for s in sets}
    assert len(listed) == len(sets)
    assert listed == {
        "collection": "Koleksi dan lokasi (collection and location)",
        "collection:koleksi-lokal-kalteng": "Koleksi Lokal Kalteng",
        "collection:koleksi-umum": "Koleksi Umum",
        "collection:pojok-baca-kecamatan": "Pojok Baca Kecamatan",
        "collection:ruang-anak": "Ruang Anak",
        "collection:ruang-baca-umum": "Ruang Baca Umum",
        "collection:ruang-referensi": "Ruang Referensi",
        "type": "Jenis bahan (material type)",
        "type:buku": "buku", "type:e-book": "e-book", "type:majalah": "majalah",
        "type:referensi": "referensi", "type:skripsi": "skripsi",
    }


def test_get_record_oai_dc_maps_every_field(client: FlaskClient) -> None:
    root = oai(client, verb="GetRecord", identifier=f"oai:{REPO}:lengkap", metadataPrefix="oai_dc")
    dc = root.find(".//oai_dc:dc", NS)
    values = {(etree.QName(e).localname, e.text) for e in dc}
    assert {("title", "Negeri 5 Menara : sebuah novel"), ("creator", "Ahmad Fuadi"),
            ("contributor", "Mirna Yulistianti"), ("publisher", "Gramedia Pustaka Utama"),
            ("date", "2009"), ("type", "buku"), ("identifier", "urn:isbn:9789792248616"),
            ("identifier", "urn:issn:1234-5679"),
            ("identifier", "https://pustaka.example.id/baca/lengkap"),
            ("language", "ind"), ("subject", "Pesantren"), ("subject", "899.2213"),
            ("description", "Kisah enam santri & mimpi <besar> mereka."),
            ("coverage", "Jakarta"), ("relation", "Koleksi Umum")} <= values
    header = root.find(".//oai:header", NS)
    assert header.findtext("oai:datestamp", namespaces=NS) == "2024-01-10T08:00:00Z"
    assert header.xpath("oai:setSpec/text()", namespaces=NS) == [
        "type:buku", "collection:koleksi-umum", "collection:ruang-baca-umum",
        "collection:ruang-anak"]


def test_get_record_marc21_carries_holdings(client: FlaskClient) -> None:
    root = oai(client, verb="GetRecord", identifier=f"oai:{REPO}:lengkap", metadataPrefix="marc21")
    record = root.find(".//marc:record", NS)

    def subfields(tag: str) -> list[dict[str, str]]:
        return [{s.get("code"): s.text for s in field}
                for field in record.iterfind(f"marc:datafield[@tag='{tag}']", NS)]

    assert record.findtext("marc:leader", namespaces=NS)[6:8] == "am"
    assert record.findtext("marc:controlfield[@tag='008']", namespaces=NS)[35:38] == "ind"
    assert subfields("020") == [{"a": "9789792248616"}]
    assert subfields("022") == [{"a": "1234-5679"}]
    assert subfields("082") == [{"a": "899.2213"}]
    assert subfields("100") == [{"a": "Ahmad Fuadi"}]
    assert subfields("245") == [{"a": "Negeri 5 Menara", "b": "sebuah novel"}]
    assert subfields("264") == [{"a": "Jakarta", "b": "Gramedia Pustaka Utama", "c": "2009"}]
    assert subfields("650") == [{"a": "Fiksi Indonesia"}, {"a": "Pesantren"}]
    assert subfields("700") == [{"a": "Mirna Yulistianti", "e": "kontributor"}]
    assert subfields("856") == [{"u": "https://pustaka.example.id/baca/lengkap",
                                 "y": "Baca online"}]
    assert subfields("852") == [
        {"a": "Perpustakaan Kota", "b": "Ruang Baca Umum", "c": "Koleksi Umum",
         "h": "899.221 3 FUA n", "p": "KPR0001", "z": "tersedia", "9": "2024-01-10T08:00:00Z"},
        {"a": "Perpustakaan Kota", "b": "Ruang Anak", "c": "Koleksi Umum",
         "h": "899.221 3 FUA n", "p": "KPR0002", "z": "dipinjam", "9": "2024-01-10T08:00:00Z"}]


def test_get_record_of_a_deleted_record(client: FlaskClient) -> None:
    root = oai(client, verb="GetRecord", identifier=f"oai:{REPO}:k-5", metadataPrefix="marc21")
    header = root.find(".//oai:header", NS)
    assert header.get("status") == "deleted"
    assert header.findtext("oai:datestamp", namespaces=NS) == "2024-03-01T00:00:00Z"
    assert root.find(".//oai:metadata", NS) is None


@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
@pytest.mark.parametrize("prefix", ["oai_dc", "marc21"])
def test_full_lists_page_by_change_key(client: FlaskClient, verb: str, prefix: str) -> None:
    pages = harvest(client, verb, metadataPrefix=prefix)
    assert len(pages) == 3
    ids = identifiers(pages)
    assert ids[-5:] == [f"oai:{REPO}:k-{n}" for n in (0, 1, 2, 3, 5)]
    assert sorted(ids) == sorted([f"oai:{REPO}:k-{n}" for n in range(11)] + [f"oai:{REPO}:lengkap"])
    deleted = [h for p in pages for h in p.iterfind(".//oai:header[@status='deleted']", NS)]
    assert [h.findtext("oai:identifier", namespaces=NS) for h in deleted] == [f"oai:{REPO}:k-5"]
    last = pages[-1].find(f"oai:{verb}/oai:resumptionToken", NS)
    assert (last.text, last.get("cursor"), last.get("completeListSize")) == (None, "10", "12")


@pytest.mark.parametrize(("bounds", "expected"), [
    ({"from": "2024-02-01"}, ["k-0", "k-1", "k-2", "k-3", "k-5"]),
    ({"from": "2024-02-01T12:30:00Z", "until": "2024-02-01T12:30:00Z"},
     ["k-0", "k-1", "k-2", "k-3"]),
    ({"from": "2024-02-01T12:30:01Z"}, ["k-5"]),
    ({"until": "2024-01-10"}, ["k-10", "k-4", "k-6", "k-7", "k-8", "k-9", "lengkap"]),
    ({"from": "2024-01-01", "until": "2024-02-01"},
     ["k-0", "k-1", "k-10", "k-2", "k-3", "k-4", "k-6", "k-7", "k-8", "k-9", "lengkap"]),
])
def test_from_until(client: FlaskClient, bounds: dict[str, str], expected: list[str]) -> None:
    ids = identifiers(harvest(client, "ListIdentifiers", metadataPrefix="oai_dc", **bounds))
    assert sorted(ids) == [f"oai:{REPO}:{local_id}" for local_id in expected]


@pytest.mark.parametrize("spec", ["type:e-book", "type", "collection:ruang-anak"])
def test_set_selects_its_members_across_pages(client: FlaskClient, spec: str) -> None:
    pages = harvest(client, "ListRecords", metadataPrefix="oai_dc", set=spec)
    ids = identifiers(pages)
    assert len(ids) == len(set(ids))
    heads = [h for p in pages for h in p.iterfind(".//oai:header", NS)]
    for head in heads:
        specs = head.xpath("oai:setSpec/text()", namespaces=NS)
        assert any(s == spec or s.startswith(spec + ":") for s in specs)
    records = [*make_records(11, prefix="k"), FULL]
    members = [r for r in records
               if spec == "type" or spec == f"type:{r.material_type}" or (spec.startswith(
                   "collection:") and any(c.location == "Ruang Anak" for c in r.copies))]
    assert len(ids) == len(members)


def test_post_answers_like_get(client: FlaskClient) -> None:
    response = client.post("/oai", data={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
                                         "set": "type:buku"})
    root = assert_valid_oai(response.data)
    assert root.find("oai:request", NS).get("set") == "type:buku"
    assert root.findall(".//oai:header", NS)


def test_gzip_when_accepted(client: FlaskClient) -> None:
    response = client.get("/oai?verb=ListRecords&metadataPrefix=marc21",
                          headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert len(assert_valid_oai(gzip.decompress(response.data)).findall(".//oai:record", NS)) == 5
    plain = client.get("/oai?verb=Identify", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in plain.headers


def test_health(client: FlaskClient) -> None:
    health = client.get("/health").get_json()
    assert health["status"] == "ok"
    assert (health["records"], health["deleted"]) == (11, 1)
    assert health["library"]["name"] == "Perpustakaan Kota"


def test_identifiers_that_need_quoting_and_escaping_round_trip(client: FlaskClient) -> None:
    catalogue: Catalogue = client.application.extensions[PROVIDER_KEY].catalogue
    catalogue.upsert_many([BibRecord("R&D 01/ä", "Laporan riset", material_type="referensi")],
                          now=T3)
    pages = harvest(client, "ListIdentifiers", metadataPrefix="oai_dc", set="type:referensi")
    assert identifiers(pages) == [f"oai:{REPO}:k-7", f"oai:{REPO}:R&D%2001/%C3%A4"]
    root = oai(client, verb="GetRecord", identifier=identifiers(pages)[1], metadataPrefix="oai_dc")
    assert root.findtext(".//dc:title", namespaces=NS) == "Laporan riset"


def test_xml_text_escapes_markup_and_drops_what_xml_forbids() -> None:
    assert xml_text('a\x01&<b>"c"\ufffe\U0001f600') == "a&amp;&lt;b&gt;&quot;c&quot;\U0001f600"
    assert xml_text("Pojok Baca Kecamatan 'Jaya'") == "Pojok Baca Kecamatan 'Jaya'"
    assert xml_text(2009) == "2009"
