"""How fresh a library's copy statuses are: what the work page says and what JSON-LD claims.

A status is a fact only as of the time it was known (``Holding.status_known``: the node's
sync or import time, else the province's harvest time). The work page says that time in
the province's time zone and the visitor's language ("status per 3 Des 14.00 WIB",
"status as of Dec 3 14:00 WIB"); JSON-LD, which search engines repeat without the date,
claims availability only for statuses younger than ``[web] availability_max_age_hours``.
Now is the app's ``JALA_CLOCK`` (tests inject one), never read anywhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_skeleton
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from aggregator.model import Holding


def utc_now() -> datetime:
    """The real clock, the app's ``JALA_CLOCK`` unless a test hands in another."""
    return datetime.now(UTC)


def now() -> datetime:
    """The time the page is made at, from the app's clock."""
    return current_app.config["JALA_CLOCK"]()


def utc_time(stamp: str) -> datetime | None:
    """An ISO 8601 stamp of the index (``2026-12-03T07:00:00Z``) as an aware datetime."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def known_at(holding: Holding) -> datetime | None:
    """When the holding's statuses were known, or None when nobody knows."""
    if not holding.copies_known or not holding.status_known:
        return None
    return utc_time(holding.status_known)


def is_fresh(holding: Holding, at: datetime, max_age: timedelta) -> bool:
    """Whether the statuses are recent enough to claim (a time ahead of ``at`` is not)."""
    moment = known_at(holding)
    return moment is not None and timedelta(0) <= at - moment <= max_age


def zone_name(moment: datetime, zone: ZoneInfo) -> str:
    """The zone as Indonesians write it (WIB, WITA, WIT), in every language."""
    return format_datetime(moment, "z", tzinfo=zone, locale="id")


def status_as_of(holding: Holding, zone: ZoneInfo, at: datetime) -> str:
    """"status per 3 Des 14.00 WIB" (the year only when it is not this one), or empty."""
    moment = known_at(holding)
    if moment is None:
        return ""
    locale = get_locale()
    same_year = moment.astimezone(zone).year == at.astimezone(zone).year
    day = format_skeleton("MMMd" if same_year else "yMMMd", moment, tzinfo=zone, locale=locale)
    time = format_skeleton("Hm", moment, tzinfo=zone, locale=locale)
    return _("status as of %(when)s", when=f"{day} {time} {zone_name(moment, zone)}")
