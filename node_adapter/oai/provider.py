"""The six verbs answered from the catalogue: every check first, then a streamed body.

Each handler raises ``OAIError`` before it returns; what it returns is text that can no
longer fail (the page's rows are already read), so an error never lands mid-stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import timedelta
from urllib.parse import unquote

from node_adapter.oai.errors import (
    BadResumptionToken,
    CannotDisseminateFormat,
    IdDoesNotExist,
    NoMetadataFormats,
    NoRecordsMatch,
    NoSetHierarchy,
    OAIError,
)
from node_adapter.oai.formats import FORMATS, INSTITUTION_SLOT, xml_text
from node_adapter.oai.response import (
    datestamp,
    document,
    error_document,
    header_opening,
    oai_identifier,
)
from node_adapter.oai.source import PageRow, ProviderSettings, RecordSource
from node_adapter.oai.tokens import ListState, TokenSigner
from node_adapter.oai.verbs import date_range, parse_request

_BATCH = 50


class Provider:
    """OAI-PMH 2.0 over one record source (a node's catalogue, the union catalogue)."""

    def __init__(self, catalogue: RecordSource, config: ProviderSettings,
                 tombstone_about: Callable[[str], str] | None = None) -> None:
        self.catalogue = catalogue
        self.config = config
        self._tombstone_about = tombstone_about
        self.tokens = TokenSigner(config.secret or catalogue.secret(),
                                  timedelta(seconds=config.token_lifetime))
        self._institution = xml_text(config.library_name)
        self._id_prefix = oai_identifier(config.repository_identifier, "")
        self._live = header_opening(config.repository_identifier, deleted=False)
        self._deleted = header_opening(config.repository_identifier, deleted=True)

    def respond(self, values: Mapping[str, Sequence[str]], base_url: str) -> Iterator[str]:
        """The whole response to one request, as text chunks (errors included)."""
        base_url = self.config.base_url or base_url
        echoed: dict[str, str] = {}
        try:
            request = parse_request(values)
            echoed = {"verb": request.verb, **request.arguments}
            body = getattr(self, f"_{request.verb}")(request.arguments, base_url)
        except OAIError as error:
            return iter([error_document(base_url, echoed, [error])])
        return document(base_url, request.verb, request.arguments, body)

    # -- verbs -----------------------------------------------------------------------------

    def _Identify(self, arguments: Mapping[str, str], base_url: str) -> list[str]:
        """Who we are, and the promises a harvester plans by (deletions, granularity)."""
        config = self.config
        sample = oai_identifier(config.repository_identifier, "b1")
        return [
            f"<repositoryName>{xml_text(config.repository_name)}</repositoryName>",
            f"<baseURL>{xml_text(base_url)}</baseURL>",
            "<protocolVersion>2.0</protocolVersion>",
            f"<adminEmail>{xml_text(config.admin_email)}</adminEmail>",
            f"<earliestDatestamp>{datestamp(self.catalogue.earliest_datestamp())}"
            "</earliestDatestamp>",
            "<deletedRecord>persistent</deletedRecord>",
            "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>",
            "<compression>gzip</compression>",
            '<description><oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/'
            'oai-identifier" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/'
            'oai-identifier http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">'
            "<scheme>oai</scheme>"
            f"<repositoryIdentifier>{config.repository_identifier}</repositoryIdentifier>"
            f"<delimiter>:</delimiter><sampleIdentifier>{sample}</sampleIdentifier>"
            "</oai-identifier></description>",
        ]

    def _ListMetadataFormats(self, arguments: Mapping[str, str], base_url: str) -> list[str]:
        """Every record is stored in every format, so the list is the same for all live ones."""
        if "identifier" in arguments and self._row(arguments["identifier"], None)[3] is None:
            raise NoMetadataFormats(f"{arguments['identifier']} is deleted: no format left")
        return [f"<metadataFormat><metadataPrefix>{f.prefix}</metadataPrefix>"
                f"<schema>{f.schema}</schema><metadataNamespace>{f.namespace}"
                "</metadataNamespace></metadataFormat>" for f in FORMATS.values()]

    def _ListSets(self, arguments: Mapping[str, str], base_url: str) -> list[str]:
        """Sets with at least one member, in one response (a few dozen at most)."""
        if "resumptionToken" in arguments:
            raise BadResumptionToken("ListSets is answered in one response; no token is valid")
        sets = self.catalogue.sets()
        if not sets:
            raise NoSetHierarchy("this repository has no sets yet")
        return [f"<set><setSpec>{spec}</setSpec><setName>{xml_text(name)}</setName></set>"
                for spec, name in sets]

    def _GetRecord(self, arguments: Mapping[str, str], base_url: str) -> list[str]:
        """One record, or its tombstone's header."""
        prefix = self._format(arguments["metadataPrefix"])
        return [self._record(self._row(arguments["identifier"], prefix))]

    def _ListIdentifiers(self, arguments: Mapping[str, str], base_url: str) -> Iterator[str]:
        """Headers only: the cheap way for a harvester to learn what changed."""
        return self._list("ListIdentifiers", arguments)

    def _ListRecords(self, arguments: Mapping[str, str], base_url: str) -> Iterator[str]:
        """Headers with their stored metadata fragments."""
        return self._list("ListRecords", arguments)

    # -- lists -----------------------------------------------------------------------------

    def _list(self, verb: str, arguments: Mapping[str, str]) -> Iterator[str]:
        """One page of a list, resumed from a token or started from the arguments."""
        if "resumptionToken" in arguments:
            state = self.tokens.read(verb, arguments["resumptionToken"])
        else:
            state = self._new_list(arguments)
        size = self.config.page_size
        with_metadata = verb == "ListRecords"
        rows = self.catalogue.page(
            prefix=state.prefix if with_metadata else None, limit=size + 1,
            after=state.after, start=state.start, end=state.end, set_spec=state.set_spec)
        if not rows:
            raise NoRecordsMatch("no record is left in this list")
        more = len(rows) > size
        rows = rows[:size]
        token = self._token(verb, state, rows, more, resumed="resumptionToken" in arguments)
        render = self._record if with_metadata else self._header
        return _batched((render(row) for row in rows), token)

    def _new_list(self, arguments: Mapping[str, str]) -> ListState:
        """Check a first request and count the list it starts."""
        prefix = self._format(arguments["metadataPrefix"])
        start, end = date_range(arguments.get("from"), arguments.get("until"))
        set_spec = arguments.get("set")
        if set_spec and not self.catalogue.has_set(set_spec):
            if not self.catalogue.sets():
                raise NoSetHierarchy("this repository has no sets yet")
            raise NoRecordsMatch(f"no record is in set {set_spec}")
        total = self.catalogue.count_matching(start=start, end=end, set_spec=set_spec)
        if not total:
            raise NoRecordsMatch("no record matches these arguments")
        return ListState(prefix, start, end, set_spec, None, total, 0)

    def _token(self, verb: str, state: ListState, rows: list[PageRow], more: bool,
               resumed: bool) -> str:
        """The resumptionToken element: a new token, the empty last one, or nothing."""
        sent = state.cursor + len(rows)
        total = max(state.total, sent)
        counts = f'completeListSize="{total}" cursor="{state.cursor}"'
        if not more:
            return f"<resumptionToken {counts}/>" if resumed else ""
        following = ListState(state.prefix, state.start, state.end, state.set_spec,
                              (rows[-1][0], rows[-1][1]), total, sent)
        token, expires = self.tokens.issue(verb, following)
        return (f'<resumptionToken expirationDate="{datestamp(expires)}" {counts}>'
                f"{token}</resumptionToken>")

    def records(self, rows: Iterable[PageRow]) -> Iterator[str]:
        """Catalogue rows as the ``<record>`` elements ListRecords sends (pushes reuse them)."""
        return _batched((self._record(row) for row in rows), "")

    # -- pieces ----------------------------------------------------------------------------

    def _row(self, identifier: str, prefix: str | None) -> PageRow:
        """The row of a record (live or deleted) this repository knows, in one lookup."""
        row = None
        if identifier.startswith(self._id_prefix):
            local_id = unquote(identifier.removeprefix(self._id_prefix))
            row = self.catalogue.header(local_id, prefix)
        if row is None:
            raise IdDoesNotExist(f"{identifier} is not a record of this repository")
        return row

    def _format(self, prefix: str) -> str:
        """A prefix this node disseminates."""
        if prefix not in FORMATS:
            raise CannotDisseminateFormat(
                f"{prefix} is not offered; use one of {', '.join(FORMATS)}")
        return prefix

    def _header(self, row: PageRow) -> str:
        """Opening (live or deleted) plus the tail stored with the record: no work per row."""
        return (self._deleted if row[3] is None else self._live) + row[2]

    def _record(self, row: PageRow) -> str:
        """The stored fragment with this node's name put in MARC 852 $a."""
        xml = row[3]
        if xml is None:
            about = self._tombstone_about(row[1]) if self._tombstone_about else ""
            return f"<record>{self._deleted}{row[2]}{about}</record>"
        metadata = xml.replace(INSTITUTION_SLOT, self._institution)
        return f"<record>{self._live}{row[2]}<metadata>{metadata}</metadata></record>"


def _batched(parts: Iterable[str], tail: str) -> Iterator[str]:
    """Join small pieces into larger chunks: fewer writes to the socket and to gzip."""
    batch: list[str] = []
    for part in parts:
        batch.append(part)
        if len(batch) >= _BATCH:
            yield "".join(batch)
            batch.clear()
    batch.append(tail)
    yield "".join(batch)
