"""Provider profiles: what to distrust in a provider that bends OAI-PMH (``quirks`` key).

- ``generic``: trust the spec; tolerate common datestamp slips (fractions of a second,
  ``+hh:mm`` offsets, compact ``YYYYMMDD``), converting them to UTC.
- ``slims9``: SLiMS 9 ``oai2.php``: datestamps are creation dates in Jakarta local time
  labelled ``Z`` (so edits never show: always harvest in full, and the full listing's sweep
  catches deletions, which SLiMS does not track); paging after ``from``/``set`` breaks;
  a garbage resumption token answers HTTP 500 with an HTML page.
- ``inlislite``: INLISLite 3.3: datestamps are usable but deletions are never published, so
  every incremental harvest is followed by a ListIdentifiers reconciliation sweep; a
  resumption request without ``metadataPrefix`` is refused (``badArgument``), so when the
  provider's answer asks for it the prefix is repeated beside the token; the baseURL that
  Identify advertises is tried, and when it does not answer (INLISLite's ``/oai-pmh`` is a
  404) the registered one is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from config.settings import ConfigError

DATESTAMP = re.compile(
    r"^(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$")
CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class DatestampError(ValueError):
    """A header datestamp that cannot be read as a date; the message quotes it."""


@dataclass(frozen=True)
class Quirks:
    """How far to trust one kind of provider."""

    name: str
    incremental: bool = True
    tracks_deletions: bool = True
    local_offset: timedelta = timedelta(0)
    bad_token_statuses: frozenset[int] = field(default_factory=frozenset)
    prefix_beside_token: bool = False
    follow_base_url: bool = False

    def normalise_datestamp(self, text: str) -> str:
        """The provider's datestamp as UTC ``YYYY-MM-DDThh:mm:ssZ``."""
        if not self.local_offset and CANONICAL.fullmatch(text):
            _valid_moment(text)  # the usual case, already canonical: only check the date
            return text
        moment = parse_datestamp(text) - self.local_offset
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datestamp(text: str) -> datetime:
    """Read an OAI datestamp (and the usual slips) as an aware UTC datetime."""
    match = DATESTAMP.match(text.strip())
    if not match:
        raise DatestampError(f"datestamp {text.strip()!r} is not ISO 8601")
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0), tzinfo=UTC)
    except ValueError as exc:
        raise DatestampError(f"datestamp {text.strip()!r}: {exc}") from exc
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment


def _valid_moment(text: str) -> None:
    """Refuse a canonical-looking datestamp that names no real moment (month 13, hour 25)."""
    try:
        datetime.fromisoformat(text)
    except ValueError as exc:
        raise DatestampError(f"datestamp {text!r}: {exc}") from exc


PROFILES = {
    "generic": Quirks("generic"),
    "slims9": Quirks("slims9", incremental=False, tracks_deletions=False,
                     local_offset=timedelta(hours=7), bad_token_statuses=frozenset({500})),
    "inlislite": Quirks("inlislite", tracks_deletions=False, prefix_beside_token=True,
                        follow_base_url=True),
}


def profile(name: str | None) -> Quirks:
    """The named profile (``generic`` when unset)."""
    try:
        return PROFILES[name or "generic"]
    except KeyError as exc:
        raise ConfigError(f"unknown quirks profile {name!r}; known: {', '.join(PROFILES)}") \
            from exc
