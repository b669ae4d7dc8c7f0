"""``/sru``: the union catalogue over SRU 2.0 and 1.2, for copy cataloguing.

``sru_response(config, store, service)`` answers the request in hand: ``explain`` (also
when neither operation nor query is given) or ``searchRetrieve`` with a CQL query
(``sru_query``), run through the search service like a patron's search, records rendered
from each work as the union publishes it (holdings of members that opted out left out,
works only they hold not found). Every failure is a diagnostic in an HTTP 200 answer, as
SRU requires; the version asked for (``1.1``/``1.2`` answered as 1.2) decides the
namespaces, and an unknown one gets diagnostic 5 in 2.0.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Response, request
from werkzeug.datastructures import MultiDict

from aggregator.model import Work
from aggregator.query import SearchQuery, SearchResult
from aggregator.search import SearchService
from aggregator.union.config import UnionConfig, republishes
from aggregator.union.render import marc_record, srw_dc_record
from aggregator.union.sru_query import Diagnostic, understand_cql
from aggregator.union.sru_xml import (
    SCHEMAS,
    Packing,
    RecordSchema,
    explain_response,
    failed_search,
    search_response,
)
from aggregator.union.store import UnionStore

VERSIONS = {"1.1": "1.2", "1.2": "1.2", "2.0": "2.0"}
"""Versions asked for and the one answered."""
SCHEMA_NAMES = {"marcxml": SCHEMAS[0], "marc21": SCHEMAS[0], "marc": SCHEMAS[0],
                "info:srw/schema/1/marcxml-v1.1": SCHEMAS[0],
                "info:srw/schema/1/marcxml-v1.1-light": SCHEMAS[0],
                "dc": SCHEMAS[1], "info:srw/schema/1/dc-v1.1": SCHEMAS[1],
                "info:srw/schema/1/dc-schema": SCHEMAS[1]}
"""Names and identifiers clients use for the two record schemas (case does not matter)."""
UNSUPPORTED = {"sortKeys": (80, "Pengurutan tidak didukung (sorting is not supported)"),
               "stylesheet": (110, "Stylesheet tidak didukung (stylesheets are not supported)"),
               "recordXPath": (72, "recordXPath tidak didukung (XPath retrieval unsupported)")}
"""Standard parameters this server refuses, with their diagnostic."""


def sru_response(config: UnionConfig, store: UnionStore, service: SearchService) -> Response:
    """The SRU answer to the current request (always HTTP 200)."""
    args = request.values
    version = VERSIONS.get(args.get("version", "2.0"))
    operation = args.get("operation") or ("searchRetrieve" if "query" in args else "explain")
    try:
        if version is None:
            version = "2.0"
            raise Diagnostic(5, "2.0", f"Versi {args.get('version')} tidak didukung; "
                             "gunakan 2.0 atau 1.2 (unsupported version; use 2.0 or 1.2)")
        packing = _packing(args, version)
        if operation == "explain":
            body = _explain(config, version, packing)
        elif operation == "searchRetrieve":
            body = _search(args, config, store, service, version, packing)
        else:
            raise Diagnostic(4, operation, f"Operasi {operation} tidak didukung "
                             f"(unsupported operation {operation})")
    except Diagnostic as diagnostic:
        body = _explain(config, version or "2.0", Packing(), diagnostic) \
            if operation == "explain" else failed_search(version or "2.0", diagnostic)
    return Response(body, mimetype="application/xml")


def _explain(config: UnionConfig, version: str, packing: Packing,
             diagnostic: Diagnostic | None = None) -> str:
    """The explain answer, with this server's address as the client reached it."""
    address = urlsplit(request.host_url)
    port = address.port or (443 if address.scheme == "https" else 80)
    return explain_response(version, address.hostname or "localhost", port,
                            request.path.strip("/"), config.repository_name,
                            config.sru_default_records, config.sru_max_records, packing,
                            (diagnostic,) if diagnostic else ())


def _search(args: MultiDict[str, str], config: UnionConfig, store: UnionStore,
            service: SearchService, version: str, packing: Packing) -> str:
    """Run a searchRetrieve request: check it, search, render the window of records."""
    for name, (code, message) in UNSUPPORTED.items():
        if args.get(name):
            raise Diagnostic(code, name, message)
    if args.get("queryType", "cql").lower() != "cql":
        raise Diagnostic(6, "queryType", "Hanya kueri CQL yang didukung (only CQL queries)")
    text = args.get("query")
    if text is None:
        raise Diagnostic(7, "query", "Parameter query wajib diisi (query is required)")
    start = _number(args, "startRecord", 1, least=1)
    wanted = _number(args, "maximumRecords", config.sru_default_records, least=0)
    size = min(wanted, config.sru_max_records, service.max_page_size)
    schema = _schema(args.get("recordSchema"))
    understood = understand_cql(text)
    query = SearchQuery(text=understood.text, where=understood.where, facets=(),
                        highlight=False, filters=_published_only(service))
    total, works = _window(service, query, start, size)
    if total and start > total:
        raise Diagnostic(61, str(start), f"startRecord {start} melebihi jumlah hasil {total} "
                         f"(first record position out of range: {total} records)")
    records = [(start + i, _render(schema, store.visible(work))) for i, work in enumerate(works)]
    following = start + len(records)
    return search_response(version, total, records, schema, packing,
                           following if records and following <= total else None)


def _window(service: SearchService, query: SearchQuery, start: int, size: int
            ) -> tuple[int, list[Work]]:
    """The total and the works at positions ``start`` … ``start + size - 1`` (one or two
    pages of ``size``, since SRU positions need not fall on page boundaries)."""
    if size == 0:
        return service.search(dataclasses.replace(query, size=0), channel="sru").total, []
    offset = start - 1
    page = offset // size + 1
    skip = offset - (page - 1) * size
    first = service.search(dataclasses.replace(query, page=page, size=size), channel="sru")
    works = [hit.work for hit in first.hits[skip:]]
    if skip and len(first.hits) == size and first.total > page * size:
        second: SearchResult = service.search(
            dataclasses.replace(query, page=page + 1, size=size), channel=None)
        works += [hit.work for hit in second.hits[:skip]]
    return first.total, works


def _published_only(service: SearchService) -> dict[str, tuple[str, ...]]:
    """A library filter leaving out works only opted-out members hold (none if all share).

    When no member republishes, the filter names no real library (``""`` is never a
    library id), so nothing is found.
    """
    members = [source.id for source in service.sources if republishes(source)]
    if len(members) == len(service.sources):
        return {}
    return {"library": tuple(members) or ("",)}


def _render(schema: RecordSchema, work: Work) -> str:
    """One work in the record schema asked for, copies dated by the work's last change."""
    if schema is SCHEMAS[1]:
        return srw_dc_record(work)
    return marc_record(work, work.updated[:10] or datetime.now(UTC).strftime("%Y-%m-%d"))


def _schema(name: str | None) -> RecordSchema:
    """The record schema a request names (MARCXML when it names none)."""
    if not name:
        return SCHEMAS[0]
    found = SCHEMA_NAMES.get(name.strip().lower())
    if found is None:
        raise Diagnostic(66, name, f"Skema {name} tidak dikenal; gunakan marcxml atau dc "
                         f"(unknown schema {name}; use marcxml or dc)")
    return found


def _packing(args: MultiDict[str, str], version: str) -> Packing:
    """How records are packed: 1.2 ``recordPacking``, 2.0 ``recordXMLEscaping`` (xml or
    string); 2.0's ``recordPacking`` may only be ``packed``."""
    name = "recordPacking" if version == "1.2" else "recordXMLEscaping"
    value = args.get(name, "xml").lower()
    if value not in ("xml", "string"):
        raise Diagnostic(71, value, f"{name} harus xml atau string (must be xml or string)")
    if version == "2.0" and args.get("recordPacking", "packed").lower() != "packed":
        raise Diagnostic(71, args["recordPacking"], "Hanya recordPacking=packed yang didukung "
                         "(only packed records are supported)")
    return Packing(escaped=value == "string")


def _number(args: MultiDict[str, str], name: str, default: int, least: int) -> int:
    """A whole-number parameter of at least ``least`` (diagnostic 6 otherwise)."""
    value = args.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value) < least:
        raise Diagnostic(6, name, f"{name} harus bilangan bulat minimal {least} "
                         f"({name} must be a whole number of at least {least})")
    return int(value)
