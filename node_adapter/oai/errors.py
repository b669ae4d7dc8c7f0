"""OAI-PMH protocol errors: each class knows its wire code; ``response`` renders them.

    OAIError                      base; ``code`` is the OAI-PMH error code
    ├── BadVerb                   badVerb: verb missing, repeated or unknown
    ├── BadArgument               badArgument: illegal, missing, repeated or malformed argument
    ├── BadResumptionToken        badResumptionToken: tampered, expired or for another verb
    ├── CannotDisseminateFormat   cannotDisseminateFormat: metadataPrefix not offered
    ├── IdDoesNotExist            idDoesNotExist: identifier unknown to this repository
    ├── NoRecordsMatch            noRecordsMatch: the list would be empty
    ├── NoMetadataFormats         noMetadataFormats: the item offers no format
    └── NoSetHierarchy            noSetHierarchy: the repository has no sets

All are answered with HTTP 200 and an ``<error code=...>`` element, never raised further.
"""

from __future__ import annotations


class OAIError(Exception):
    """A protocol error the harvester must see as ``<error code="...">message</error>``."""

    code = "badArgument"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadVerb(OAIError):
    """The verb is missing, repeated or not one of the six."""

    code = "badVerb"


class BadArgument(OAIError):
    """An argument is illegal, missing, repeated or has a malformed value."""

    code = "badArgument"


class BadResumptionToken(OAIError):
    """The token was not made by us for this verb, or has expired."""

    code = "badResumptionToken"


class CannotDisseminateFormat(OAIError):
    """The metadataPrefix names a format this node does not offer."""

    code = "cannotDisseminateFormat"


class IdDoesNotExist(OAIError):
    """The identifier names no record of this repository."""

    code = "idDoesNotExist"


class NoRecordsMatch(OAIError):
    """The from/until/set combination selects nothing."""

    code = "noRecordsMatch"


class NoMetadataFormats(OAIError):
    """The item has no format to offer."""

    code = "noMetadataFormats"


class NoSetHierarchy(OAIError):
    """Sets were asked for but the repository has none."""

    code = "noSetHierarchy"
