"""Turn one OAI-PMH list response into records, rejections and the next token.

Parsing is strict and safe (no entities, no network, no DTD, no huge trees). When a page
does not parse as a whole (a bad byte, a control character, a broken record), it is cut
at its ``<record><header>`` boundaries and each record is parsed on its own, so one bad
record never drops its page's good ones; the token is then recovered from the raw bytes.
A body that ends before ``</OAI-PMH>`` is marked incomplete: its records are kept, but
the listing cannot safely continue from it.
"""

from __future__ import annotations

import copy
import functools
import re
import threading
from dataclasses import dataclass, field
from xml.sax.saxutils import unescape

from lxml import etree

from harvester.errors import BrokenXML, MalformedResponse
from harvester.quirks import DatestampError, Quirks, parse_datestamp

OAI = "{http://www.openarchives.org/OAI/2.0/}"
HEADER, IDENTIFIER, DATESTAMP, SET_SPEC, METADATA = (
    f"{OAI}{name}" for name in ("header", "identifier", "datestamp", "setSpec", "metadata"))
_HAS_XSI_TYPE = etree.XPath("boolean(descendant-or-self::*/@xsi:type)",
                            namespaces={"xsi": "http://www.w3.org/2001/XMLSchema-instance"})
XML_ENTITIES = {"&quot;": '"', "&apos;": "'"}
_parsers = threading.local()


@dataclass(frozen=True)
class Harvested:
    """One record (or, from ListIdentifiers, one header) as the provider listed it."""

    identifier: str
    datestamp: str
    deleted: bool
    set_specs: list[str]
    metadata: str | None = None


@dataclass(frozen=True)
class Rejection:
    """A record that could not be read, and exactly why."""

    identifier: str | None
    reason: str


@dataclass
class Page:
    """What one response yielded."""

    records: list[Harvested] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    token: str | None = None
    list_size: int | None = None
    response_date: str | None = None
    complete: bool = True


class RecordError(ValueError):
    """One record is unusable; the message is the rejection reason."""


def parse_xml(body: bytes) -> etree._Element:
    """Parse a response safely; refuse DTDs (entity bombs) and non-OAI documents."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise BrokenXML(f"malformed XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise MalformedResponse("document type declaration refused (possible entity bomb)")
    if root.tag != f"{OAI}OAI-PMH":
        raise MalformedResponse(f"root element is <{etree.QName(root).localname}>, "
                                "not <OAI-PMH>")
    return root


def read_page(root: etree._Element, verb: str, quirks: Quirks) -> Page:
    """Records, rejections and token of a parsed ListRecords/ListIdentifiers response."""
    container = root.find(f"{OAI}{verb}")
    if container is None:
        raise MalformedResponse(f"response has no <{verb}> element")
    page = Page(response_date=_response_date(root.findtext(f"{OAI}responseDate")))
    item = "record" if verb == "ListRecords" else "header"
    for node in container.iterfind(f"{OAI}{item}"):
        _add(page, node, quirks)
    token = container.find(f"{OAI}resumptionToken")
    if token is not None and token.text and token.text.strip():
        page.token = token.text.strip()
    if token is not None and (size := token.get("completeListSize", "").strip()).isdigit():
        page.list_size = int(size)
    return page


def read_record(node: etree._Element, quirks: Quirks) -> Harvested:
    """One ``<record>`` or ``<header>`` element, or RecordError saying what is wrong."""
    header = node if node.tag == HEADER else node.find(HEADER)
    if header is None:
        raise RecordError("record without <header>")
    identifier, stamp, sets = "", "", []
    for child in header:  # one pass: this runs for every record harvested
        text = (child.text or "").strip()
        if child.tag == SET_SPEC:
            if text and text not in sets:
                sets.append(text)
        elif child.tag == IDENTIFIER and not identifier:
            identifier = text
        elif child.tag == DATESTAMP and not stamp:
            stamp = text
    if not identifier:
        raise RecordError("header without <identifier>")
    if not stamp:
        raise RecordError("header without <datestamp>")
    try:
        datestamp = quirks.normalise_datestamp(stamp)
    except DatestampError as exc:
        raise RecordError(str(exc)) from exc
    deleted = header.get("status") == "deleted"
    metadata = None
    if node is not header and not deleted:
        metadata = _metadata_xml(node.find(METADATA))
    return Harvested(identifier, datestamp, deleted, sets, metadata)


def _metadata_xml(container: etree._Element | None) -> str:
    """The single child of ``<metadata>`` in a canonical form: the same record, the same text.

    Serialised in place, an element repeats every declaration in scope (the OAI-PMH one
    included); detached or copied, it keeps just those its names use. Detaching invents
    ``ns0``, ``ns1``... numbered by the record's position on the page for an element in an
    inherited default namespace (SLiMS's unprefixed ``<image>``), so an unchanged record
    moved on the page would compare as updated: such a record is copied instead. One with
    ``xsi:type`` may name a type by a prefix declared outside it, which no element uses, so
    it keeps every declaration in scope.
    """
    if container is None:
        raise RecordError("<metadata> holds 0 elements, not one")
    children = [c for c in container if isinstance(c.tag, str)]
    if len(children) != 1:
        raise RecordError(f"<metadata> holds {len(children)} elements, not one")
    element = children[0]
    if _HAS_XSI_TYPE(element):
        pass
    elif _inherits_default_namespace(container, element):
        element = copy.deepcopy(element)  # slower than detaching: only where it matters
    else:
        container.remove(element)
    return etree.tostring(element, encoding="unicode", with_tail=False)


@functools.lru_cache(maxsize=64)
def _in_namespace(uri: str) -> etree.XPath:
    """A compiled test: does any element of a tree live in namespace ``uri``?"""
    return etree.XPath("boolean(descendant-or-self::d:*)", namespaces={"d": uri})


def _inherits_default_namespace(container: etree._Element, element: etree._Element) -> bool:
    """True when ``element`` holds names in a default namespace declared outside it."""
    outside = container.nsmap.get(None)
    return bool(outside) and element.nsmap.get(None) == outside \
        and bool(_in_namespace(outside)(element))


def recover_page(body: bytes, verb: str, quirks: Quirks, reason: str) -> Page:
    """Salvage the good records of a page that does not parse as a whole."""
    root_tag = re.search(rb"<((?:[\w.-]+:)?)OAI-PMH\b[^>]*>", body)
    if root_tag is None:
        kind = "an HTML page" if re.search(rb"<html\b", body[:2048], re.I) else "no OAI-PMH"
        raise MalformedResponse(f"{kind} instead of an OAI-PMH response ({reason})")
    prefix = re.escape(root_tag.group(1))
    item = rb"record\s*>\s*<" + prefix + rb"header\b" if verb == "ListRecords" else rb"header\b"
    starts = [m.start() for m in re.finditer(rb"<" + prefix + item, body)]
    tail = re.compile(rb"<" + prefix + rb"resumptionToken\b|</" + prefix + verb.encode())
    token = re.search(rb"<" + prefix + rb"resumptionToken\b[^>]*?(?:/>|>([^<]*)</)", body)
    if not starts and token is None:
        raise MalformedResponse(f"no record could be recovered ({reason})")
    declaration = re.match(rb"\s*<\?xml[^>]*\?>", body)
    head = (declaration.group(0) if declaration else b"") + root_tag.group(0) \
        + b"<" + root_tag.group(1) + verb.encode() + b">"
    foot = b"</" + root_tag.group(1) + verb.encode() + b"></" + root_tag.group(1) + b"OAI-PMH>"
    page = Page(complete=re.search(rb"</" + prefix + rb"OAI-PMH\s*>\s*$", body) is not None)
    date = re.search(rb"<" + prefix + rb"responseDate>([^<]+)<", body)
    page.response_date = _response_date(date.group(1).decode("ascii", "replace")
                                        if date else None)
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else None
        if end is None:
            stop = tail.search(body, start)
            end = stop.start() if stop else len(body)
        _recover_one(page, head + body[start:end] + foot, body[start:end], verb, quirks)
    if token and token.group(1) and token.group(1).strip():
        page.token = unescape(token.group(1).decode("utf-8", "replace").strip(), XML_ENTITIES)
    return page


def _recover_one(page: Page, document: bytes, chunk: bytes, verb: str, quirks: Quirks) -> None:
    """Parse one record cut out of a broken page; a failure becomes a rejection."""
    try:
        root = parse_xml(document)
    except MalformedResponse as exc:
        found = re.search(rb"<(?:[\w.-]+:)?identifier>([^<]{1,500})</", chunk)
        identifier = found.group(1).decode("utf-8", "replace").strip() if found else None
        page.rejected.append(Rejection(identifier, str(exc)))
        return
    nodes = root.find(f"{OAI}{verb}")
    for node in [] if nodes is None else list(nodes):
        _add(page, node, quirks)


def _add(page: Page, node: etree._Element, quirks: Quirks) -> None:
    """Read one record node into the page, or record why it was rejected."""
    try:
        page.records.append(read_record(node, quirks))
    except RecordError as exc:
        header = node if node.tag == HEADER else node.find(HEADER)
        ident = header.findtext(IDENTIFIER) if header is not None else None
        page.rejected.append(Rejection(ident.strip() if ident else None, str(exc)))


def _response_date(text: str | None) -> str | None:
    """The responseDate in UTC (None when missing or unreadable: it is advisory)."""
    if not text:
        return None
    try:
        return parse_datestamp(text).strftime("%Y-%m-%dT%H:%M:%SZ")
    except DatestampError:
        return None
