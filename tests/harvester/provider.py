"""A fault-injecting OAI-PMH provider (plain WSGI) for the harvester's tests.

It serves an in-memory catalogue in pages of ``page_size`` with offset tokens, and can
misbehave on purpose: each fault is a name in ``faults`` (see ``FAULTS``), applied to the
list request numbered ``fault_page`` (1 = first page) for ``fault_times`` times; except
``prefix-with-token``, INLISLite's habit, which refuses every resumption request that does
not repeat ``metadataPrefix``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

OAI_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
    'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
    "<responseDate>{now}</responseDate><request>http://fake/oai</request>")
DC = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title></oai_dc:dc>')
BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">&lol3;</OAI-PMH>')
FAULTS = ("503", "drop", "timeout", "malformed", "bad-utf8", "control-char", "repeat-token",
          "bad-token", "no-records", "html", "bomb", "truncated", "huge", "empty-loop",
          "prefix-with-token")


@dataclass
class Item:
    """One catalogue entry of the fake provider."""

    datestamp: str
    title: str
    deleted: bool = False


@dataclass
class FaultyProvider:
    """The WSGI app; mutate ``items`` between harvests to simulate edits."""

    count: int = 12
    page_size: int = 5
    faults: set[str] = field(default_factory=set)
    fault_page: int = 2
    fault_times: int = 1
    delay: float = 2.0
    items: dict[str, Item] = field(default_factory=dict)
    list_requests: int = 0
    served_faults: int = 0
    after_list: Callable[[int], None] | None = None  # edits the catalogue between pages

    def __post_init__(self) -> None:
        for number in range(1, self.count + 1):
            self.items[f"oai:fake:{number}"] = Item("2024-01-01T00:00:00Z", f"Buku {number}")

    def live_ids(self) -> set[str]:
        """Identifiers of the records not deleted."""
        return {i for i, item in self.items.items() if not item.deleted}

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        args = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        verb = args.get("verb", "")
        if verb in ("ListRecords", "ListIdentifiers"):
            self.list_requests += 1
            fault = self._fault()
            if fault:
                return self._misbehave(fault, verb, args, start_response)
            body = self.list_body(verb, args)
            if self.after_list:
                self.after_list(self.list_requests)
            return self._send(start_response, body)
        if verb == "Identify":
            return self._send(start_response, self._envelope(
                "<Identify><repositoryName>Fake</repositoryName><baseURL>"
                f"http://{environ.get('HTTP_HOST', '')}{environ.get('PATH_INFO', '')}</baseURL>"
                "<protocolVersion>2.0</protocolVersion><adminEmail>a@b.id"
                "</adminEmail><earliestDatestamp>2000-01-01T00:00:00Z</earliestDatestamp>"
                "<deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ"
                "</granularity></Identify>"))
        if verb == "ListMetadataFormats":
            return self._send(start_response, self._envelope(
                "<ListMetadataFormats><metadataFormat><metadataPrefix>oai_dc</metadataPrefix>"
                "<schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>"
                "<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/"
                "</metadataNamespace></metadataFormat></ListMetadataFormats>"))
        if verb == "GetRecord" and args.get("identifier") in self.items:
            ident = args["identifier"]
            return self._send(start_response, self._envelope(
                f"<GetRecord>{self._record(ident, self.items[ident])}</GetRecord>"))
        if verb == "GetRecord":
            return self._send(start_response, self._envelope(
                '<error code="idDoesNotExist">no such record</error>'))
        return self._send(start_response, self._envelope(
            '<error code="badVerb">unsupported here</error>'))

    def _fault(self) -> str | None:
        """The fault to apply to this list request, if any (``prefix-with-token``: always)."""
        faults = self.faults - {"prefix-with-token"}
        if not faults or self.list_requests < self.fault_page:
            return None
        if self.served_faults >= self.fault_times:
            return None
        self.served_faults += 1
        return next(iter(faults))

    def list_body(self, verb: str, args: dict[str, str], token: str | None = None,
                  broken: str = "") -> bytes:
        """A list page; ``broken`` replaces the second record's title (raw bytes)."""
        if "resumptionToken" in args:
            if "prefix-with-token" in self.faults and "metadataPrefix" not in args:
                return self._envelope('<error code="badArgument">Missing required argument '
                                      "metadataPrefix</error>")
            if not args["resumptionToken"].isdigit():
                return self._envelope('<error code="badResumptionToken">bad</error>')
            offset = int(args["resumptionToken"])
        else:
            offset = 0
        since = args.get("from", "")
        ids = sorted((i for i, it in self.items.items() if it.datestamp >= since),
                     key=lambda i: int(i.rsplit(":", 1)[1]))
        if not ids:
            return self._envelope('<error code="noRecordsMatch">nothing</error>')
        chunk = ids[offset:offset + self.page_size]
        parts = []
        for n, ident in enumerate(chunk):
            item = self.items[ident]
            if broken and n == 1:
                item = Item(item.datestamp, "@@BROKEN@@")
            parts.append(self._record(ident, item) if verb == "ListRecords"
                         else self._header(ident, item))
        following = offset + self.page_size
        if token is None:
            token = str(following) if following < len(ids) else ""
        parts.append(f'<resumptionToken completeListSize="{len(ids)}" cursor="{offset}">'
                     f"{token}</resumptionToken>")
        body = self._envelope(f"<{verb}>{''.join(parts)}</{verb}>")
        return body.replace(b"@@BROKEN@@", broken.encode("latin-1"))

    def _misbehave(self, fault: str, verb: str, args: dict[str, str],
                   start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Answer one request the wrong way."""
        if fault == "503":
            start_response("503 Service Unavailable", [("Retry-After", "0"),
                                                       ("Content-Type", "text/plain")])
            return [b"busy"]
        if fault == "timeout":
            time.sleep(self.delay)
        if fault == "drop":
            body = self.list_body(verb, args)
            start_response("200 OK", [("Content-Type", "text/xml"),
                                      ("Content-Length", str(len(body)))])
            return [body[: len(body) // 2]]
        broken = {"malformed": "Bad & <title", "bad-utf8": "Bad \xff\xfe",
                  "control-char": "Bad \x01 char"}.get(fault, "")
        if broken:
            return self._send(start_response, self.list_body(verb, args, broken=broken))
        if fault == "repeat-token":
            return self._send(start_response, self.list_body(
                verb, args, token=args.get("resumptionToken", "5")))
        if fault == "empty-loop":
            return self._send(start_response, self._envelope(
                f'<{verb}><resumptionToken>empty{self.list_requests}</resumptionToken></{verb}>'))
        if fault == "bad-token":
            return self._send(start_response, self._envelope(
                '<error code="badResumptionToken">expired</error>'))
        if fault == "no-records":
            return self._send(start_response, self._envelope(
                '<error code="noRecordsMatch">nothing</error>'))
        if fault == "html":
            return self._send(start_response, b"<html><body><h1>Fatal error</h1></body></html>",
                              "text/html")
        if fault == "bomb":
            return self._send(start_response, BOMB)
        if fault == "truncated":
            body = self.list_body(verb, args)
            return self._send(start_response, body[: int(len(body) * 0.7)])
        if fault == "huge":
            return self._send(start_response, self.list_body(verb, args) + b" " * 300_000)
        return self._send(start_response, self.list_body(verb, args))

    def _record(self, ident: str, item: Item) -> str:
        """A ``<record>`` element."""
        if item.deleted:
            return f"<record>{self._header(ident, item)}</record>"
        return (f"<record>{self._header(ident, item)}<metadata>"
                f"{DC.format(title=item.title)}</metadata></record>")

    @staticmethod
    def _header(ident: str, item: Item) -> str:
        """A ``<header>`` element."""
        status = ' status="deleted"' if item.deleted else ""
        return (f"<header{status}><identifier>{ident}</identifier>"
                f"<datestamp>{item.datestamp}</datestamp><setSpec>buku</setSpec></header>")

    @staticmethod
    def _envelope(inner: str) -> bytes:
        """The OAI-PMH document around ``inner``."""
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return (OAI_HEAD.format(now=now) + inner + "</OAI-PMH>").encode("utf-8")

    @staticmethod
    def _send(start_response: Callable[..., Any], body: bytes,
              content_type: str = "text/xml; charset=UTF-8") -> list[bytes]:
        """A 200 response."""
        start_response("200 OK", [("Content-Type", content_type),
                                  ("Content-Length", str(len(body)))])
        return [body]
