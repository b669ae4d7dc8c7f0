"""Recorded responses of real providers map into the canonical record, or say why not."""

from __future__ import annotations

import pytest

from aggregator.normalise import InvalidRecord, UnmappableRecord, UnsupportedFormat, normalise
from tests.aggregator.provider_records import provider_records


def mapped(relative: str, prefix: str) -> list:
    """Every live record of a fixture, normalised (failing the test on any refusal)."""
    return [normalise(r) for r in provider_records(relative, prefix) if not r.deleted]


def test_slims_oai_dc_with_its_isbn_element_call_numbers_and_places() -> None:
    records = mapped("slims9/oai2/ListRecords-page1.xml", "oai_dc")
    assert len(records) == 15
    cathedral = next(r for r in records if r.identifier.endswith(":slims-4"))
    assert cathedral.title == "Cathedral and the Bazaar"
    assert cathedral.subtitle.startswith("Musings on Linux and Open Source")
    assert cathedral.creators == ["Raymond, Eric"] and cathedral.year == 2001
    assert cathedral.isbns == ["9780596001087"]  # dc:identifier_isbn 0-596-00108-8
    assert cathedral.language == "eng" and cathedral.material_type == "buku"
    assert cathedral.classification == "005.4/32" and cathedral.call_number == "005.4/3222 Ray c"
    assert cathedral.subjects == ["Open Source", "Linux"]
    assert cathedral.place == "Sebastopol, CA"
    assert cathedral.links == ["http://127.0.0.1:8089//index.php?p=show_detail&id=4"]
    assert not cathedral.holding.copies_known
    assert sum(1 for r in records if r.isbns) >= 10


def test_alma_marc21_default_namespace() -> None:
    records = mapped("alma/marc.xml", "marc21")
    assert len(records) == 100
    soldat = records[0]
    assert soldat.title == "Der Soldat, oder, Abhandlung vom Kriegs-Stand"
    assert soldat.creators == ["Loen, Johann Michael von"]
    assert (soldat.year, soldat.language, soldat.material_type) == (2015, "deu", "e-book")
    assert soldat.place == "[Bern]" and soldat.subjects == ["Kriegswissenschaften"]
    assert all(r.title for r in records)


def test_invenio_marcxml_with_prefix() -> None:
    (record,) = mapped("invenio-legacy-cds/hepcrawl/cds-single.xml", "marcxml")
    assert record.title == "Photon and jet probes of small collision systems with ATLAS"
    assert record.creators[0] == "The ATLAS collaboration"
    assert (record.year, record.language) == (2019, "eng")
    assert any(link.endswith(".pdf") for link in record.links)


def test_dspace_oai_dc_uses_the_earliest_date_and_bare_isbns() -> None:
    records = mapped("dspace/pyoai/fake1/00005.xml", "oai_dc")
    assert len(records) == 16
    brein = next(r for r in records if r.identifier == "hdl:1765/308")
    assert brein.subtitle == "Over de mogelijkheden van neuromarketing"
    assert brein.isbns == ["9789058920362"] and brein.year == 2003
    kinds = {r.identifier: r.material_type for r in records}
    assert sum(1 for kind in kinds.values() if kind == "lainnya") == 15  # papers, articles
    assert kinds["hdl:1765/315"] == "buku"  # no dc:type at all: most likely a book


def test_mit_dspace_records_all_map() -> None:
    records = mapped("dspace/mit-oai-pmh-harvester/harvest-from-set__0__ListRecords_set.xml",
                     "oai_dc")
    assert records and all(r.title and r.year for r in records)


@pytest.mark.parametrize(("relative", "prefix", "error", "reason"), [
    ("harvard-librarycloud/oai-page.xml", "mods", UnsupportedFormat, "'mods'"),
    ("doaj/oai_doaj.xml", "oai_doaj", UnsupportedFormat, "'oai_doaj'"),
    ("invenio-legacy-cds/invenio-oaiharvester/sample_inspire_response_listrecords.xml",
     "marcxml", InvalidRecord, "no title"),
])
def test_unmappable_providers_give_reasons(relative: str, prefix: str,
                                           error: type[UnmappableRecord], reason: str) -> None:
    records = [r for r in provider_records(relative, prefix) if not r.deleted]
    assert records
    for record in records:
        with pytest.raises(error, match=reason):
            normalise(record)
