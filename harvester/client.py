"""The OAI-PMH client of one source: pyoai's protocol layer over our transport and parser.

``oaipmh.client.BaseClient`` does the verbs and maps ``<error>`` elements to exceptions;
we give it our HTTP (``Transport``: timeouts, retries, size cap), our safe parser, and
translate its errors into ``harvester.errors``. List pages are read by ``harvester.pages``
so that raw metadata XML is kept and one bad record never costs the page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from lxml import etree
from oaipmh import error as oai_error
from oaipmh.client import BaseClient

from harvester.errors import (
    BadResumptionToken,
    BrokenXML,
    MalformedResponse,
    NoRecordsMatch,
    ProtocolError,
    TransportError,
)
from harvester.pages import OAI, Page, parse_xml, read_page, recover_page
from harvester.quirks import Quirks
from harvester.transport import Transport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Identity:
    """What Identify says about a provider (the parts the harvester uses)."""

    repository_name: str
    granularity: str
    deleted_record: str
    earliest_datestamp: str
    protocol_version: str
    base_url: str = ""

    @property
    def day_granularity(self) -> bool:
        """True when ``from`` must be a date, not a date and time."""
        return self.granularity == "YYYY-MM-DD"


class OAIClient(BaseClient):
    """pyoai client speaking to ``base_url`` through ``transport``."""

    def __init__(self, base_url: str, transport: Transport, quirks: Quirks,
                 page_record_cap: int = 10000) -> None:
        super().__init__()
        self.base_url = base_url
        self.transport = transport
        self.quirks = quirks
        self.page_record_cap = page_record_cap
        self.last_body = b""
        self.token_needs_prefix = False

    def makeRequest(self, **kw: Any) -> bytes:  # pyoai's hook name
        """Fetch one response body through our transport."""
        self.last_body = b""
        try:
            self.last_body = self.transport.fetch(self.base_url, kw)
        except TransportError as exc:
            if "resumptionToken" in kw and exc.status in self.quirks.bad_token_statuses:
                raise BadResumptionToken("badResumptionToken",
                                         f"HTTP {exc.status} for a token") from exc
            raise
        return self.last_body

    def parse(self, xml: bytes) -> etree._Element:
        """Parse with our safe parser (pyoai's own would resolve entities)."""
        return parse_xml(xml)

    def request(self, verb: str, **args: str) -> etree._Element:
        """One verb; OAI ``<error>`` answers raise ``ProtocolError`` subclasses."""
        try:
            return self.makeRequestErrorHandling(verb=verb, **args)
        except oai_error.BadResumptionTokenError as exc:
            raise BadResumptionToken("badResumptionToken", str(exc)) from exc
        except oai_error.NoRecordsMatchError as exc:
            raise NoRecordsMatch("noRecordsMatch", str(exc)) from exc
        except oai_error.ErrorBase as exc:
            code = type(exc).__name__.removesuffix("Error")
            raise ProtocolError(code[0].lower() + code[1:], str(exc)) from exc

    def list_page(self, verb: str, **args: str) -> Page:
        """One page of ListRecords/ListIdentifiers, salvaging records from a broken body."""
        try:
            page = read_page(self.request(verb, **args), verb, self.quirks)
        except BrokenXML as exc:
            if not self.last_body:
                raise
            page = recover_page(self.last_body, verb, self.quirks, str(exc))
        if len(page.records) + len(page.rejected) > self.page_record_cap:
            raise MalformedResponse(f"page of {len(page.records)} records exceeds the cap "
                                    f"of {self.page_record_cap}")
        return page

    def list_more(self, verb: str, token: str, metadata_prefix: str) -> Page:
        """The page after ``token``, repeating ``metadataPrefix`` once the provider asks.

        Only a profile with ``prefix_beside_token`` does so, and only after the provider
        refused the standard request with a ``badArgument`` that names ``metadataPrefix``.
        """
        if self.token_needs_prefix:
            return self.list_page(verb, resumptionToken=token, metadataPrefix=metadata_prefix)
        try:
            return self.list_page(verb, resumptionToken=token)
        except ProtocolError as exc:
            if not (self.quirks.prefix_beside_token and demands_prefix(exc)):
                raise
            log.warning("%s refuses a resumption token without metadataPrefix (%s); "
                        "repeating it beside the token", self.base_url, exc)
        self.token_needs_prefix = True
        return self.list_page(verb, resumptionToken=token, metadataPrefix=metadata_prefix)

    def identity(self) -> Identity:
        """Identify, read leniently (only granularity matters for harvesting)."""
        root = self.request("Identify")
        node = root.find(f"{OAI}Identify")
        if node is None:
            raise MalformedResponse("Identify response has no <Identify> element")

        def text(name: str) -> str:
            return (node.findtext(f"{OAI}{name}") or "").strip()

        return Identity(text("repositoryName"), text("granularity") or "YYYY-MM-DD",
                        text("deletedRecord"), text("earliestDatestamp"),
                        text("protocolVersion"), text("baseURL"))

    def metadata_formats(self) -> list[str]:
        """The metadata prefixes the provider offers."""
        root = self.request("ListMetadataFormats")
        return [(e.text or "").strip() for e in root.iter(f"{OAI}metadataPrefix")]

    def get_record(self, identifier: str, metadata_prefix: str) -> Page:
        """GetRecord, read like a one-record page."""
        root = self.request("GetRecord", identifier=identifier, metadataPrefix=metadata_prefix)
        container = root.find(f"{OAI}GetRecord")
        if container is None:
            raise MalformedResponse("GetRecord response has no <GetRecord> element")
        container.tag = f"{OAI}ListRecords"
        return read_page(root, "ListRecords", self.quirks)


def demands_prefix(exc: ProtocolError) -> bool:
    """True when a refused resumption request says it wanted ``metadataPrefix`` too."""
    return exc.code == "badArgument" and "metadataprefix" in str(exc).lower()
