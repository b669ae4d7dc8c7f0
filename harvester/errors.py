"""The harvester's exceptions: the provider's fault versus ours.

    HarvestError                  base: a run records the first one and goes on
    ├── RemoteError               the provider misbehaved (the run is retried later)
    │   ├── TransportError        connection refused/dropped, timeout, HTTP 4xx/5xx after retries
    │   │   ├── ResponseTooLarge  the body exceeded ``response_size_cap``
    │   │   └── DeadlineExceeded  a request or the whole job ran past its total time limit
    │   ├── MalformedResponse     not usable OAI-PMH: HTML error page, DTD/entity bomb, no list
    │   │   └── BrokenXML         not well-formed (bad bytes, control characters, cut short)
    │   ├── ProtocolError         an OAI error element (``code`` is its wire code)
    │   │   ├── BadResumptionToken  badResumptionToken, or the quirk profile's equivalent
    │   │   └── NoRecordsMatch      noRecordsMatch (an empty listing, not a failure)
    │   └── ListingLoop           a repeated token or endless empty pages
    ├── LocalError                our side: configuration, the record store, the lock file
    └── Interrupted               a stop was asked (SIGTERM, Ctrl-C, shutdown) between requests
"""

from __future__ import annotations


class HarvestError(Exception):
    """Any failure of a harvest."""


class RemoteError(HarvestError):
    """The provider misbehaved; nothing of ours is wrong."""


class TransportError(RemoteError):
    """HTTP failed for good: connection, timeout or an error status after the retries."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ResponseTooLarge(TransportError):
    """The response body was larger than the configured cap."""


class DeadlineExceeded(TransportError):
    """The provider took longer than the total time allowed (``harvester.deadline``)."""


class MalformedResponse(RemoteError):
    """The body is not a usable OAI-PMH document."""


class BrokenXML(MalformedResponse):
    """The body is not well-formed XML; its records may still be salvageable one by one."""


class ProtocolError(RemoteError):
    """The provider answered with an OAI-PMH ``<error>``."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message.strip()}" if message.strip() else code)
        self.code = code


class BadResumptionToken(ProtocolError):
    """The token was refused (expired, garbage, or the provider lost its state)."""


class NoRecordsMatch(ProtocolError):
    """The listing is empty for these arguments."""


class ListingLoop(RemoteError):
    """The provider keeps paging without progress (repeated token or empty pages)."""


class LocalError(HarvestError):
    """Our own failure: configuration, store or lock."""


class Interrupted(HarvestError):
    """The process is stopping; the run ends at its last committed page, which resumes it."""
