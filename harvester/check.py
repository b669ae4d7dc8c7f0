"""``jala sources check URL``: what a provider supports and what is off, before registering it.

Runs Identify, ListMetadataFormats and one ListRecords page through the same client the
harvester uses, and reports facts (name, granularity, deletion support, formats, sample
size, token) and problems (each a sentence a librarian can forward to the provider).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from harvester.client import OAIClient
from harvester.deadline import Deadline
from harvester.errors import NoRecordsMatch, RemoteError
from harvester.harvest import choose_prefix
from harvester.netguard import AddressPolicy
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
                   deadline: Deadline | None = None) -> CheckReport:
    """Probe ``url`` and report; never raises for the provider's faults.

    ``policy`` (registrations) keeps every request and redirect on permitted addresses;
    ``deadline`` bounds each request and the whole check in time.
    """
    report = CheckReport(url)
    transport = Transport(options, policy=policy, deadline=deadline)
    client = OAIClient(url, transport, profile("generic"), options["page_record_cap"])
    try:
        _identify(client, report)
        prefix = _formats(client, report)
        _sample(client, prefix, report)
        report.usable = True
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


def _formats(client: OAIClient, report: CheckReport) -> str:
    """ListMetadataFormats: the prefixes, and the one the harvester would use."""
    offered = client.metadata_formats()
    prefix = choose_prefix(offered)
    report.facts.update(formats=offered, chosen_format=prefix)
    if prefix not in ("marc21", "oai_dc"):
        report.problems.append("neither marc21 nor oai_dc is offered")
    return prefix


def _sample(client: OAIClient, prefix: str, report: CheckReport) -> None:
    """One ListRecords page: how many records read, rejected, and whether it pages."""
    try:
        page = client.list_page("ListRecords", metadataPrefix=prefix)
    except NoRecordsMatch:
        report.facts["sample_records"] = 0
        report.problems.append("ListRecords answers noRecordsMatch: the catalogue is empty")
        return
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
