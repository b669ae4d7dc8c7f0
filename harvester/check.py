"""``jala sources check URL``: what a provider supports and what is off, before registering it.

Runs Identify, ListMetadataFormats and the first two ListRecords pages through the same
client the harvester uses, and reports facts (name, granularity, deletion support, formats,
sample size, token, whether it pages) and problems (each a sentence a librarian can forward
to the provider): a provider that cannot page, one that pages only with ``metadataPrefix``
beside the token (INLISLite: profile ``inlislite``), an advertised baseURL that does not
answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from harvester.client import OAIClient, demands_prefix
from harvester.deadline import Deadline
from harvester.errors import NoRecordsMatch, ProtocolError, RemoteError
from harvester.harvest import choose_prefix
from harvester.netguard import AddressPolicy
from harvester.pages import Page
from harvester.quirks import profile
from harvester.transport import Transport

STANDARD_GRANULARITIES = ("YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ")


@dataclass
class CheckReport:
    """The outcome of checking one provider."""

    url: str
    usable: bool = False
    facts: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    def lines(self) -> list[str]:
        """Human-readable report."""
        verdict = "usable" if self.usable else "NOT usable"
        out = [f"{self.url}: {verdict}"]
        out += [f"  {key}: {value}" for key, value in self.facts.items()]
        out += [f"  problem: {p}" for p in self.problems] or ["  no problems found"]
        return out


def check_provider(url: str, options: dict[str, Any], policy: AddressPolicy | None = None,
                   metadata_prefix: str | None = None, deadline: Deadline | None = None
                   ) -> CheckReport:
    """Probe ``url`` and report; never raises for the provider's faults.

    ``policy`` (registrations) keeps every request and redirect on permitted addresses;
    ``metadata_prefix`` samples that format instead of the one the harvester would choose;
    ``deadline`` bounds each request and the whole check in time.
    """
    report = CheckReport(url)
    transport = Transport(options, policy=policy, deadline=deadline)
    client = OAIClient(url, transport, profile("generic"), options["page_record_cap"])
    try:
        _identify(client, report)
        prefix = _formats(client, report, metadata_prefix)
        page = _sample(client, prefix, report)
        report.usable = True
        if page is not None and page.token:
            _second_page(client, prefix, page, report)
            report.usable = bool(report.facts["pages"])
    except RemoteError as exc:
        report.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        transport.close()
    return report


def _identify(client: OAIClient, report: CheckReport) -> None:
    """Identify: name, protocol, granularity, deletion policy."""
    identity = client.identity()
    report.facts.update(repository=identity.repository_name,
                        granularity=identity.granularity,
                        deleted_record=identity.deleted_record,
                        earliest_datestamp=identity.earliest_datestamp)
    if identity.protocol_version != "2.0":
        report.problems.append(f"protocolVersion is {identity.protocol_version!r}, not 2.0")
    if identity.granularity not in STANDARD_GRANULARITIES:
        report.problems.append(f"granularity {identity.granularity!r} is not standard")
    if identity.deleted_record not in ("persistent", "transient"):
        report.problems.append(f"deletedRecord={identity.deleted_record!r}: deletions are not "
                               "published; only reconciliation sweeps will notice them")
    if identity.base_url and identity.base_url.rstrip("/") != client.base_url.rstrip("/"):
        _advertised(client, identity.base_url, report)


def _advertised(client: OAIClient, advertised: str, report: CheckReport) -> None:
    """Identify at the advertised baseURL, which harvesters are meant to use."""
    checked = client.base_url
    report.facts["advertised_base_url"] = advertised
    client.base_url = advertised
    try:
        client.identity()
    except RemoteError as exc:
        report.problems.append(f"Identify advertises the baseURL {advertised}, which does not "
                               f"answer ({exc}); harvest {checked} instead")
    finally:
        client.base_url = checked


def _formats(client: OAIClient, report: CheckReport, wanted: str | None) -> str:
    """ListMetadataFormats: the prefixes, and the one sampled (the harvester's choice)."""
    offered = client.metadata_formats()
    prefix = wanted or choose_prefix(offered)
    report.facts.update(formats=offered, chosen_format=prefix)
    if prefix not in ("marc21", "oai_dc"):
        report.problems.append("neither marc21 nor oai_dc is offered")
    if prefix not in offered:
        report.problems.append(f"{prefix} is not among the formats offered")
    return prefix


def _sample(client: OAIClient, prefix: str, report: CheckReport) -> Page | None:
    """The first ListRecords page: how many records read, rejected, and whether it pages."""
    try:
        page = client.list_page("ListRecords", metadataPrefix=prefix)
    except NoRecordsMatch:
        report.facts["sample_records"] = 0
        report.problems.append("ListRecords answers noRecordsMatch: the catalogue is empty")
        return None
    report.facts.update(sample_records=len(page.records), sample_rejected=len(page.rejected),
                        resumption_token=bool(page.token), response_date=page.response_date)
    report.problems += [f"record {r.identifier or '?'} unreadable: {r.reason}"
                        for r in page.rejected[:5]]
    if not page.complete:
        report.problems.append("the first page is truncated")
    if page.records and not all(r.identifier.startswith("oai:") for r in page.records):
        report.problems.append("identifiers do not follow the oai: scheme")
    if any(":slims-" in r.identifier for r in page.records):
        report.facts["suggested_quirks"] = "slims9"
    return page


def _second_page(client: OAIClient, prefix: str, first: Page, report: CheckReport) -> None:
    """Follow the first page's token as a harvester must, and say whether paging works."""
    token = first.token or ""
    try:
        page = client.list_page("ListRecords", resumptionToken=token)
    except ProtocolError as exc:
        if not demands_prefix(exc):
            report.problems.append(f"cannot page: its own resumption token is refused ({exc})")
            report.facts["pages"] = False
            return
        try:
            page = client.list_page("ListRecords", resumptionToken=token,
                                    metadataPrefix=prefix)
        except RemoteError as retry:
            report.problems.append(f"cannot page: its own resumption token is refused ({exc}; "
                                   f"with metadataPrefix beside it: {retry})")
            report.facts["pages"] = False
            return
        report.problems.append(f"refuses a standard resumption request ({exc}) and pages only "
                               "with metadataPrefix beside the token: use quirks = "
                               '"inlislite"')
        report.facts["suggested_quirks"] = "inlislite"
    except RemoteError as exc:
        report.problems.append(f"cannot page: the second page fails ({exc})")
        report.facts["pages"] = False
        return
    report.facts.update(pages=True, second_page_records=len(page.records))
    if page.token == token:
        report.problems.append(f"the second page repeats the token {token!r}: it cannot page")
        report.facts["pages"] = False
