"""The six verbs' argument schemas and the checks every request passes before any work.

A missing, repeated or unknown verb is badVerb; every other argument problem (illegal,
missing, repeated, malformed, a resumptionToken beside other arguments, mixed date
granularities, ``until`` before ``from``) is badArgument. Patterns match the whole value
(a trailing newline is not forgiven) with ASCII digits only, and no value longer than
``MAX_ARGUMENT`` characters is read further, so nothing illegal or huge is ever echoed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from node_adapter.catalogue import stamp
from node_adapter.oai.errors import BadArgument, BadVerb
from node_adapter.oai.sets import SET_SPEC

MAX_ARGUMENT = 2048
PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_IDENTIFIER = re.compile(r"(?:[A-Za-z0-9\-_.!~*'();/?:@&=+$,\[\]#]|%[0-9A-Fa-f]{2})+")


@dataclass(frozen=True)
class VerbSchema:
    """Which arguments a verb requires, allows, and which one must stand alone."""

    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    exclusive: str | None = None

    def allowed(self) -> frozenset[str]:
        """Every argument name legal with this verb."""
        return self.required | self.optional | ({self.exclusive} - {None})


_LIST = VerbSchema(frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}),
                   "resumptionToken")
SCHEMAS: dict[str, VerbSchema] = {
    "Identify": VerbSchema(),
    "ListMetadataFormats": VerbSchema(optional=frozenset({"identifier"})),
    "ListSets": VerbSchema(exclusive="resumptionToken"),
    "GetRecord": VerbSchema(frozenset({"identifier", "metadataPrefix"})),
    "ListIdentifiers": _LIST,
    "ListRecords": _LIST,
}


@dataclass(frozen=True)
class OAIRequest:
    """A request whose verb and argument names are legal; values are checked by use."""

    verb: str
    arguments: dict[str, str]


def parse_request(values: Mapping[str, Sequence[str]]) -> OAIRequest:
    """Check a request's arguments (name → every value given) against its verb's schema."""
    verbs = values.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in SCHEMAS:
        shown = ", ".join(verbs) or "none"
        raise BadVerb(f"verb must be one of {', '.join(SCHEMAS)} exactly once (got {shown})")
    verb = verbs[0]
    schema = SCHEMAS[verb]
    arguments: dict[str, str] = {}
    for name, given in values.items():
        if name == "verb":
            continue
        if name not in schema.allowed():
            raise BadArgument(f"{name} is not an argument of {verb}")
        if len(given) != 1:
            raise BadArgument(f"{name} may be given only once")
        if len(given[0]) > MAX_ARGUMENT:
            raise BadArgument(f"{name} is longer than {MAX_ARGUMENT} characters")
        arguments[name] = given[0]
    if schema.exclusive in arguments:
        if len(arguments) > 1:
            raise BadArgument(f"{schema.exclusive} must be the only argument besides verb")
    else:
        missing = sorted(schema.required - arguments.keys())
        if missing:
            raise BadArgument(f"{verb} requires {', '.join(missing)}")
    _check_syntax(arguments)
    return OAIRequest(verb, arguments)


def _check_syntax(arguments: Mapping[str, str]) -> None:
    """Reject values that could never be right, so ``<request>`` only echoes legal ones."""
    if "metadataPrefix" in arguments and not PREFIX.fullmatch(arguments["metadataPrefix"]):
        raise BadArgument("metadataPrefix has characters no prefix may contain")
    if "set" in arguments and not SET_SPEC.fullmatch(arguments["set"]):
        raise BadArgument("set is not a valid setSpec")
    if "identifier" in arguments and not _IDENTIFIER.fullmatch(arguments["identifier"]):
        raise BadArgument("identifier must be a URI: ASCII, no spaces, % only as %XX")
    date_range(arguments.get("from"), arguments.get("until"))


def date_range(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """``from``/``until`` as catalogue bounds: inclusive start, exclusive end (whole days)."""
    start = _parse(since, "from") if since is not None else None
    end = _parse(until, "until") if until is not None else None
    if start and end:
        if start[1] != end[1]:
            raise BadArgument("from and until must have the same granularity")
        if end[0] < start[0]:
            raise BadArgument("until is earlier than from")
    return (stamp(start[0]) if start else None, _end_stamp(*end) if end else None)


def _end_stamp(moment: datetime, span: timedelta) -> str:
    """The exclusive end of ``until``'s span (the last instant when the span ends in 9999)."""
    try:
        return stamp(moment + span)
    except OverflowError:
        return stamp(datetime.max.replace(tzinfo=UTC))


def _parse(text: str, name: str) -> tuple[datetime, timedelta]:
    """A UTC date or second-granularity datetime and the span it covers."""
    try:
        if _DAY.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC), timedelta(days=1)
        if _SECOND.fullmatch(text):
            moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            return moment, timedelta(seconds=1)
    except ValueError:
        pass
    raise BadArgument(f"{name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC), not {text!r}")
