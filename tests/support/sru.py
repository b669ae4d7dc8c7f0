"""Check SRU answers against the standard: 2.0 by the vendored schemas, 1.2 by structure.

``assert_valid_sru(body)`` parses safely (no entities, no network, size-limited), then an
SRU 2.0 answer is validated against ``sruResponse.xsd`` with the MARCXML and ``srw_dc``
record schemas (``tests/fixtures/xsd/sru``); a 1.2 answer (no copy of ``srw-types.xsd``
was found) gets the checks below, written from the 1.2 standard: element order, types,
the diagnostic structure, and its records against the same record schemas. An explain
record is checked for ZeeRex's structure in both. Returns the root.
"""

from __future__ import annotations

import functools

from lxml import etree

from tests.support.xsd import MAX_BYTES, XSD_DIR, _parser

SRU2 = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
SRU12 = "http://www.loc.gov/zing/srw/"
DIAG = {SRU2: "http://docs.oasis-open.org/ns/search-ws/diagnostic",
        SRU12: "http://www.loc.gov/zing/srw/diagnostic/"}
ZR = "http://explain.z3950.org/dtd/2.0/"
MARC = "http://www.loc.gov/MARC21/slim"
SRW_DC = "info:srw/schema/1/dc-schema"
_SEARCH_12 = ("version", "numberOfRecords", "resultSetId", "resultSetIdleTime", "records",
              "nextRecordPosition", "echoedSearchRetrieveRequest", "diagnostics",
              "extraResponseData")
_EXPLAIN_12 = ("version", "record", "echoedExplainRequest", "diagnostics",
               "extraResponseData")
_RECORD_12 = ("recordSchema", "recordPacking", "recordData", "recordPosition",
              "extraRecordData")
_ZEEREX = ("serverInfo", "databaseInfo", "metaInfo", "indexInfo", "recordInfo",
           "schemaInfo", "configInfo")


@functools.cache
def _schema(name: str) -> etree.XMLSchema:
    """A schema from the vendored folder, loaded from local files only."""
    return etree.XMLSchema(etree.parse(str(XSD_DIR / name), _parser()))


def assert_valid_sru(body: bytes) -> etree._Element:
    """The parsed answer, after checking it as its version's standard says (raises)."""
    assert len(body) <= MAX_BYTES, "response larger than the test parser accepts"
    root = etree.fromstring(body, _parser())
    namespace = etree.QName(root).namespace
    if namespace == SRU2:
        schema = _schema("sru/sru-all.xsd")
        if not schema.validate(root):
            raise AssertionError(f"not XSD-valid: {schema.error_log}\n{body[:2000]!r}")
    else:
        assert namespace == SRU12, f"not an SRU answer: {root.tag}"
        _check_12(root)
    for record in root.iter(f"{{{namespace}}}record"):
        _check_record_data(record.find(f"{{{namespace}}}recordData"))
    return root


def diagnostics(root: etree._Element) -> list[tuple[str, str]]:
    """``(uri, details)`` of every diagnostic in an answer checked above."""
    namespace = etree.QName(root).namespace
    diag = DIAG[namespace]
    return [(d.findtext(f"{{{diag}}}uri"), d.findtext(f"{{{diag}}}details") or "")
            for d in root.iterfind(f"{{{namespace}}}diagnostics/{{{diag}}}diagnostic")]


def _check_12(root: etree._Element) -> None:
    """SRU 1.2: the response's children in the standard's order, with their types."""
    name = etree.QName(root).localname
    assert name in ("searchRetrieveResponse", "explainResponse"), name
    order = _SEARCH_12 if name == "searchRetrieveResponse" else _EXPLAIN_12
    _in_order(root, order)
    assert root.findtext(f"{{{SRU12}}}version") == "1.2"
    if name == "searchRetrieveResponse":
        assert root.findtext(f"{{{SRU12}}}numberOfRecords", "").isdigit(), "numberOfRecords"
        position = root.findtext(f"{{{SRU12}}}nextRecordPosition")
        assert position is None or int(position) >= 1
        records = root.findall(f"{{{SRU12}}}records/{{{SRU12}}}record")
    else:
        records = root.findall(f"{{{SRU12}}}record")
        assert len(records) == 1, "an explainResponse holds exactly one record"
    for record in records:
        _in_order(record, _RECORD_12)
        assert record.findtext(f"{{{SRU12}}}recordSchema"), "recordSchema is required"
        assert record.find(f"{{{SRU12}}}recordData") is not None, "recordData is required"
        assert record.findtext(f"{{{SRU12}}}recordPacking") in ("xml", "string")
        position = record.findtext(f"{{{SRU12}}}recordPosition")
        assert position is None or int(position) >= 1
    diag = DIAG[SRU12]
    for item in root.iterfind(f"{{{SRU12}}}diagnostics/*"):
        assert item.tag == f"{{{diag}}}diagnostic", item.tag
        _in_order(item, ("uri", "details", "message"))
        assert (item.findtext(f"{{{diag}}}uri") or "").startswith("info:srw/diagnostic/1/")


def _in_order(element: etree._Element, order: tuple[str, ...]) -> None:
    """Children only from ``order``, each at most once, in that order."""
    names = [etree.QName(child).localname for child in element]
    assert all(n in order for n in names), f"unexpected children {names}"
    positions = [order.index(n) for n in names]
    assert positions == sorted(set(positions)), f"children out of order: {names}"


def _check_record_data(data: etree._Element | None) -> None:
    """The record inside: MARCXML and srw_dc by their schemas, ZeeRex by its structure."""
    assert data is not None
    for child in data:
        namespace = etree.QName(child).namespace
        if namespace == MARC:
            _schema("MARC21slim.xsd").assertValid(child)
        elif namespace == SRW_DC:
            _schema("sru/dc-schema.xsd").assertValid(child)
        elif namespace == ZR:
            _in_order(child, _ZEEREX)
            server = child.find(f"{{{ZR}}}serverInfo")
            assert server is not None and server.get("protocol") == "SRU"
            for part in ("host", "port", "database"):
                assert server.findtext(f"{{{ZR}}}{part}"), part
            assert child.find(f"{{{ZR}}}indexInfo/{{{ZR}}}index") is not None
        else:
            raise AssertionError(f"unexpected record {child.tag}")
