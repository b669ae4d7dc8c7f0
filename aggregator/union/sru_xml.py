"""SRU answers as XML: searchRetrieve and explain responses, diagnostics, in 2.0 or 1.2.

SRU 2.0 (OASIS searchRetrieve 1.0) and 1.2 (Library of Congress) share their elements
and their diagnostic numbers; they differ in namespaces, in 1.2's ``version`` element and
in how a record says its packing (1.2 ``recordPacking``, 2.0 ``recordXMLEscaping``). The
element order is the schemas' (``sruResponse.xsd``, ``srw-types.xsd``). Records are
written verbatim from the union renderers (``render``); the explain record is ZeeRex 2.0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aggregator.union.sru_query import CONTEXT_SETS, INDEXES, RELATIONS, Diagnostic
from node_adapter.oai.formats import xml_text

NAMESPACES = {"2.0": ("http://docs.oasis-open.org/ns/search-ws/sruResponse",
                      "http://docs.oasis-open.org/ns/search-ws/diagnostic"),
              "1.2": ("http://www.loc.gov/zing/srw/", "http://www.loc.gov/zing/srw/diagnostic/")}
"""The response and diagnostic namespaces of each version served."""
EXPLAIN_SCHEMA = "http://explain.z3950.org/dtd/2.0/"
INDEX_TITLES = {"any": "Semua ruas (anywhere)", "title": "Judul (title)",
                "creator": "Pengarang (creator)", "subject": "Subjek (subject)",
                "isbn": "ISBN", None: "Semua cantuman (all records)"}


@dataclass(frozen=True)
class RecordSchema:
    """A record schema served: its identifier, short name and title."""

    identifier: str
    name: str
    title: str


SCHEMAS = (RecordSchema("info:srw/schema/1/marcxml-v1.1", "marcxml",
                        "MARCXML dengan kepemilikan per perpustakaan di 852 "
                        "(MARCXML with holdings per library in 852)"),
           RecordSchema("info:srw/schema/1/dc-v1.1", "dc", "Dublin Core"))


@dataclass(frozen=True)
class Packing:
    """How records travel: as XML, or escaped as a string."""

    escaped: bool = False

    def element(self, version: str) -> str:
        """The record's packing element in ``version``."""
        value = "string" if self.escaped else "xml"
        name = "recordPacking" if version == "1.2" else "recordXMLEscaping"
        return f"<{name}>{value}</{name}>"

    def data(self, xml: str) -> str:
        """A record's XML as ``recordData`` holds it."""
        return xml_text(xml) if self.escaped else xml


def search_response(version: str, total: int, records: Iterable[tuple[int, str]],
                    schema: RecordSchema, packing: Packing, next_position: int | None,
                    diagnostics: Iterable[Diagnostic] = ()) -> str:
    """A searchRetrieveResponse: count, records ``(position, xml)``, next position."""
    parts = [_open("searchRetrieveResponse", version), f"<numberOfRecords>{total}"
             "</numberOfRecords>"]
    written = [_record(version, schema.identifier, packing, xml, position)
               for position, xml in records]
    if written:
        parts += ["<records>", *written, "</records>"]
    if next_position is not None:
        parts.append(f"<nextRecordPosition>{next_position}</nextRecordPosition>")
    parts.append(_diagnostics(version, diagnostics))
    parts.append("</searchRetrieveResponse>")
    return "".join(parts)


def failed_search(version: str, diagnostic: Diagnostic) -> str:
    """A searchRetrieveResponse that carries only a fatal diagnostic."""
    return search_response(version, 0, (), SCHEMAS[0], Packing(), None, (diagnostic,))


def explain_response(version: str, host: str, port: int, database: str, title: str,
                     default_records: int, max_records: int, packing: Packing,
                     diagnostics: Iterable[Diagnostic] = ()) -> str:
    """An explainResponse whose record is the ZeeRex description of this server."""
    record = _zeerex(version, host, port, database, title, default_records, max_records)
    return "".join([_open("explainResponse", version),
                    _record(version, EXPLAIN_SCHEMA, packing, record, None),
                    _diagnostics(version, diagnostics), "</explainResponse>"])


def _open(element: str, version: str) -> str:
    """The root element with the version's namespaces (and, in 1.2, its version)."""
    sru, diag = NAMESPACES[version]
    opening = f'<?xml version="1.0" encoding="UTF-8"?>\n<{element} xmlns="{sru}"' \
              f' xmlns:diag="{diag}">'
    return opening + ("<version>1.2</version>" if version == "1.2" else "")


def _record(version: str, schema: str, packing: Packing, xml: str,
            position: int | None) -> str:
    """One ``record``: schema, packing, data and (in a result) its position."""
    tail = f"<recordPosition>{position}</recordPosition>" if position is not None else ""
    return (f"<record><recordSchema>{xml_text(schema)}</recordSchema>"
            f"{packing.element(version)}<recordData>{packing.data(xml)}</recordData>"
            f"{tail}</record>")


def _diagnostics(version: str, diagnostics: Iterable[Diagnostic]) -> str:
    """The ``diagnostics`` element (empty string when there are none)."""
    items = [f"<diag:diagnostic><diag:uri>{d.uri}</diag:uri>"
             + (f"<diag:details>{xml_text(d.details)}</diag:details>" if d.details else "")
             + f"<diag:message>{xml_text(d.message)}</diag:message></diag:diagnostic>"
             for d in diagnostics]
    return f"<diagnostics>{''.join(items)}</diagnostics>" if items else ""


def _zeerex(version: str, host: str, port: int, database: str, title: str,
            default_records: int, max_records: int) -> str:
    """ZeeRex 2.0: where the server is, what it holds, its indexes, schemas and limits."""
    relations = "".join(f'<zr:supports type="relation">{xml_text(r)}</zr:supports>'
                        for r in RELATIONS)
    sets = "".join(f'<zr:set name="{name}" identifier="{xml_text(uri)}"/>'
                   for name, uri in CONTEXT_SETS.items())
    indexes = "".join(
        f"<zr:index><zr:title>{xml_text(INDEX_TITLES[field])}</zr:title>"
        f'<zr:map><zr:name set="{context}">{_index_name(name)}</zr:name></zr:map></zr:index>'
        for (context, name), field in INDEXES.items())
    schemas = "".join(f'<zr:schema identifier="{s.identifier}" name="{s.name}">'
                      f"<zr:title>{xml_text(s.title)}</zr:title></zr:schema>" for s in SCHEMAS)
    return (f'<zr:explain xmlns:zr="{EXPLAIN_SCHEMA}">'
            f'<zr:serverInfo protocol="SRU" version="{version}" transport="http"'
            f' method="GET POST"><zr:host>{xml_text(host)}</zr:host><zr:port>{port}</zr:port>'
            f"<zr:database>{xml_text(database)}</zr:database></zr:serverInfo>"
            f'<zr:databaseInfo><zr:title lang="id" primary="true">{xml_text(title)}</zr:title>'
            '<zr:description lang="id">Katalog induk provinsi: satu cantuman per karya dengan '
            "kepemilikan setiap perpustakaan anggota, untuk salin katalog.</zr:description>"
            '<zr:description lang="en">The province\'s union catalogue: one record per work '
            "with every member library's holdings, for copy cataloguing.</zr:description>"
            f"</zr:databaseInfo><zr:indexInfo>{sets}{indexes}</zr:indexInfo>"
            f"<zr:schemaInfo>{schemas}</zr:schemaInfo><zr:configInfo>"
            f'<zr:default type="numberOfRecords">{default_records}</zr:default>'
            f'<zr:default type="retrieveSchema">{SCHEMAS[0].name}</zr:default>'
            '<zr:default type="contextSet">cql</zr:default>'
            '<zr:default type="index">cql.serverChoice</zr:default>'
            '<zr:default type="relation">=</zr:default>'
            f'<zr:setting type="maximumRecords">{max_records}</zr:setting>'
            f"{relations}</zr:configInfo></zr:explain>")


def _index_name(name: str) -> str:
    """An index's name as CQL spells it (``serverChoice``, ``allRecords``)."""
    return {"serverchoice": "serverChoice", "allrecords": "allRecords"}.get(name, name)
