"""Recorded responses of real providers, served on loopback through the harvester's client.

Every file is parsed into records (headers, datestamps, deletions, tokens) or rejected
with a precise reason, never a crash; SLiMS 9 is harvested end to end with its profile.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from harvester import state
from harvester.client import OAIClient
from harvester.config import DEFAULTS
from harvester.errors import BadResumptionToken, NoRecordsMatch, ProtocolError, RemoteError
from harvester.pages import parse_xml, read_page
from harvester.quirks import profile
from harvester.transport import Transport
from tests.harvester.conftest import FAST
from tests.support.http import live_server

PROVIDERS = Path(__file__).resolve().parents[1] / "fixtures" / "providers"
SLIMS = PROVIDERS / "slims9"
ALL_FILES = sorted(p.relative_to(PROVIDERS).as_posix() for p in PROVIDERS.rglob("*.xml"))
# INLISLite answers an empty result with an empty <ListRecords/>, not noRecordsMatch
EMPTY_LISTS = {f"inlislite/{name}.xml" for name in (
    "ListRecords-set-dewey_200", "ListRecords-set-dewey_600", "error-noRecordsMatch",
    "error-mixedGranularity")}


def serve_file(path: Path, status: str = "200 OK",
               content_type: str = "text/xml; charset=UTF-8") -> Callable[..., Any]:
    """A WSGI app answering every request with one recorded body."""
    body = path.read_bytes()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response(status, [("Content-Type", content_type),
                                ("Content-Length", str(len(body)))])
        return [body]

    return app


def list_file(relative: str, quirks: str = "generic") -> Any:
    """Serve one file and read it as the client would read a list page."""
    verb = "ListIdentifiers" if "ListIdentifiers" in relative else "ListRecords"
    with live_server(serve_file(PROVIDERS / relative)) as server:
        transport = Transport({**DEFAULTS, **FAST,
                               "response_size_cap": DEFAULTS["response_size_cap"]})
        client = OAIClient(server.url, transport, profile(quirks))
        try:
            if "GetRecord" in relative or relative.endswith(("00004.xml", "fake2/00000.xml",
                                                             "fake2/00001.xml", "mt.xml",
                                                             "cds-single.xml")):
                return client.get_record("oai:x:1", "oai_dc")
            return client.list_page(verb, metadataPrefix="oai_dc")
        finally:
            transport.close()


@pytest.mark.parametrize("relative", ALL_FILES)
def test_every_recorded_file_is_read_or_refused_precisely(relative):
    try:
        page = list_file(relative)
    except ProtocolError as exc:
        assert exc.code in {"noRecordsMatch", "idDoesNotExist", "badVerb", "badArgument",
                            "cannotDisseminateFormat"}
        return
    except RemoteError as exc:  # Identify, ListSets...: not a list, said precisely
        assert "has no <" in str(exc)
        return
    assert bool(page.records or page.rejected) != (relative in EMPTY_LISTS)
    for record in page.records:
        assert record.identifier and len(record.datestamp) == 20
        assert record.datestamp.endswith("Z") and record.datestamp[10] == "T"
        assert record.deleted == (record.metadata is None) or "ListIdentifiers" in relative
    for rejection in page.rejected:
        assert rejection.reason


@pytest.mark.parametrize(("relative", "records", "deleted", "token", "first_datestamp"), [
    ("alma/marc.xml", 100, 0, "fakeresumptiontoken", "2016-05-02T08:06:51Z"),
    ("doaj/oai_doaj.xml", 100, 0, "eyJtIjogIm9haV9kb2FqIiwgIm4iOiAxMDB9",
     "2017-04-06T18:22:55Z"),
    ("dspace/pyoai/fake2/00002.xml", 81, 2, None, "2004-02-03T10:58:05Z"),
    ("dspace/mit-oai-pmh-harvester/get-identifiers__0__ListIdentifiers_page1_token.xml",
     100, 0, "oai_dc/2022-01-01T00:00:00Z/2022-01-10T00:00:00Z/hdl_1721.1_49432/100",
     "2022-01-07T19:29:43Z"),
    ("dspace/mit-oai-pmh-harvester/get-identifiers__1__ListIdentifiers_page2_last.xml",
     71, 0, None, "2022-01-08T03:18:19Z"),
    ("dspace/mit-oai-pmh-harvester/list-records-include-deleted__0__ListRecords_deleted.xml",
     1, 1, None, "2017-12-14T15:03:59Z"),
    ("harvard-librarycloud/oai-page.xml", 10, 0,
     "AoEuYXJuMDAwMDdjMDAwMTE=:botanicals:10:mods", "2021-03-11T00:00:00Z"),
    ("arxiv/invenio-oaiharvester/sample_arxiv_response_listrecords_cs.xml", 46, 0, None,
     "2015-01-16T00:00:00Z"),
    ("invenio-legacy-cds/hepcrawl/cds-cerncds-hep-ex.xml", 2, 0, None,
     "2018-12-27T03:46:56Z"),
    ("subjectsplus/subjectsplus.xml", 1, 0, None, "2023-03-30T00:00:00Z"),
    ("tethys-rdr/list-records_1.xml", 3, 0, "177435798600000", "2022-09-08T12:00:00Z"),
    ("repox/mt.xml", 1, 0, None, "2018-07-12T00:00:00Z"),
])
def test_recorded_pages_yield_exact_headers(relative, records, deleted, token,
                                            first_datestamp):
    page = list_file(relative)
    assert (len(page.records), sum(r.deleted for r in page.records)) == (records, deleted)
    assert (page.token, page.records[0].datestamp, page.rejected) == \
        (token, first_datestamp, [])


def test_dspace_repeated_setspecs_are_kept_once():
    [record] = list_file("dspace/pyoai/fake2/00000.xml").records
    assert record.deleted and len(record.set_specs) == len(set(record.set_specs)) >= 1


def test_subjectsplus_offset_response_date_is_converted_to_utc():
    page = list_file("subjectsplus/subjectsplus.xml")
    assert page.response_date == "2023-03-30T10:17:12Z"  # 16:02:12+05:45 in Kathmandu
    assert page.records[0].identifier == "1"


def test_slims_oai_php_records_without_datestamps_are_rejected_by_name():
    page = list_file("slims9/oai/ListRecords-page1.xml")
    assert page.records == [] and len(page.rejected) == 15
    assert {r.reason for r in page.rejected} == {"header without <datestamp>"}
    assert page.rejected[0].identifier == "oai:slims/15"


def test_no_records_match_is_recognised():
    with pytest.raises(NoRecordsMatch):
        list_file("arxiv/invenio-oaiharvester/sample_empty_response.xml")


# -- SLiMS 9 oai2.php, served from INDEX.tsv, harvested with the slims9 profile ----------

def slims_app(endpoint: str = "oai2/paged-5") -> Callable[..., Any]:
    """Answer each request with the recorded response of the same query (INDEX.tsv)."""
    rows = list(csv.DictReader((SLIMS / "INDEX.tsv").open(encoding="utf-8"), delimiter="\t"))
    by_query = {}
    for row in rows:
        folder = row["file"].rsplit("/", 1)[0]
        if folder in (endpoint, "oai2"):
            query = tuple(sorted((k, v[0]) for k, v in
                                 parse_qs(urlsplit(row["url"]).query).items()))
            if query not in by_query or folder == endpoint:
                by_query[query] = row
    garbage = next(r for r in rows if r["file"].endswith("error-badResumptionToken.html"))

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = tuple(sorted((k, v[0]) for k, v in
                             parse_qs(environ.get("QUERY_STRING", "")).items()))
        row = by_query.get(query, garbage)
        body = (SLIMS / row["file"]).read_bytes()
        status = "200 OK" if row["http_status"] == "200" else "500 Internal Server Error"
        start_response(status, [("Content-Type", row["content_type"]),
                                ("Content-Length", str(len(body)))])
        return [body]

    return app


def test_slims9_is_harvested_in_full_with_local_times_corrected(harvest, store):
    with live_server(slims_app()) as server:
        source = [{"id": "slims", "base_url": server.url, "quirks": "slims9"}]
        [first] = harvest(source)
        [second] = harvest(source)
    assert (first.mode, first.status, first.added, first.pages) == ("full", "ok", 15, 3)
    assert (second.mode, second.status, second.added, second.updated) == ("full", "ok", 0, 0)
    record = store.get("slims", "oai:127.0.0.1:8089:slims-1")
    assert record.datestamp == "2007-11-29T08:36:50Z"  # 15:36:50 in Jakarta, labelled Z
    assert "identifier_isbn" in record.metadata
    assert store.count("slims") == 15


def test_slims9_garbage_token_http_500_restarts_the_window(harvest, store):
    with live_server(slims_app()) as server:
        source = [{"id": "slims", "base_url": server.url, "quirks": "slims9"}]
        store_state = state.load(store, "slims")
        store_state.checkpoint = state.Checkpoint(mode="full", metadata_prefix="oai_dc",
                                                  token="garbage", generation=1)
        state.update(store, store_state)
        [run] = harvest(source)
    assert (run.status, run.added, run.pages) == ("ok", 15, 3)


def test_slims9_garbage_token_is_a_bad_token_only_for_that_profile():
    with live_server(slims_app()) as server:
        transport = Transport({**DEFAULTS, **FAST, "retries": 0})
        slims = OAIClient(server.url, transport, profile("slims9"))
        generic = OAIClient(server.url, transport, profile("generic"))
        with pytest.raises(BadResumptionToken):
            slims.list_page("ListRecords", resumptionToken="garbage")
        with pytest.raises(RemoteError, match="HTTP 500"):
            generic.list_page("ListRecords", resumptionToken="garbage")
        transport.close()


def test_slims9_paging_after_from_breaks_and_generic_falls_back_to_full(harvest, store):
    with live_server(slims_app()) as server:
        source = [{"id": "s", "base_url": server.url}]
        current = state.load(store, "s")
        current.high_water = "2007-11-29T16:05:00Z"  # from = 16:00:00 with the overlap
        state.update(store, current)
        [run] = harvest(source, overlap_seconds=300)
    assert (run.status, run.mode) == ("ok", "full")
    assert "from_broken" in state.load(store, "s").notes
    assert store.count("s") == 15


# -- what is stored of a record's metadata ------------------------------------------------

NAMESPACED = b"""<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:unused="urn:unused"
 xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<responseDate>2024-01-01T00:00:00Z</responseDate><ListRecords>
<record><header><identifier>oai:x:1</identifier><datestamp>2024-01-01</datestamp></header>
<metadata>
  <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><dc:title>Satu</dc:title></oai_dc:dc>
</metadata></record>
<record><header><identifier>oai:x:2</identifier><datestamp>2024-01-01</datestamp></header>
<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><dc:date
 xsi:type="dcterms:W3CDTF">2020</dc:date></oai_dc:dc></metadata></record>
</ListRecords></OAI-PMH>"""


def test_stored_metadata_declares_only_the_namespaces_it_uses():
    first, second = read_page(parse_xml(NAMESPACED), "ListRecords", profile("generic")).records
    assert first.metadata == (
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Satu</dc:title></oai_dc:dc>')
    # a prefix named only inside an xsi:type value must stay declared, or the type is lost
    root = etree.fromstring(second.metadata.encode())
    assert root.nsmap["dcterms"] == "http://purl.org/dc/terms/"
    assert root[0].get(f"{{{root.nsmap['xsi']}}}type") == "dcterms:W3CDTF"


def test_an_unchanged_slims_record_moved_on_the_page_compares_equal(harvest, store):
    # SLiMS's unprefixed <image> inherits the OAI namespace; detached naively it got a
    # prefix numbered by its position on the page (1,899 "updated" for one real edit)
    source = [{"id": "slims", "base_url": "", "quirks": "slims9"}]
    with live_server(slims_app("oai2")) as server:
        [whole] = harvest([{**source[0], "base_url": server.url}])
    with live_server(slims_app("oai2/paged-5")) as server:
        [paged] = harvest([{**source[0], "base_url": server.url}])
    assert (whole.status, whole.added, whole.pages) == ("ok", 15, 1)
    assert (paged.status, paged.pages, paged.added, paged.updated) == ("ok", 3, 0, 0)
    record = store.get("slims", "oai:127.0.0.1:8089:slims-6")
    assert "<image>" in record.metadata and 'xmlns="http://www.openarchives.org/OAI/2.0/"' \
        in record.metadata
