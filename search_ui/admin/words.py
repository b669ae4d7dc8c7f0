"""How the dashboard names harvest statuses, modes, roles and times in the reader's language.

The harvester, the job table and the accounts store keep short English codes (``ok``,
``incremental``, ``admin``), UTC ISO 8601 stamps and terse job outcomes (``ok: +5 ~0 -0``);
staff read them translated, outcomes as words, and times in the province's zone
(``[province] timezone``, WIB for Kalimantan Tengah) with the zone's abbreviation said,
since the server's clock may keep another zone. An unknown code is shown as it is.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from flask import current_app
from flask_babel import format_datetime, lazy_gettext
from flask_babel import gettext as _

from config.province import load_province

CODES = {
    # harvest runs (harvester.runs) and sources never harvested
    "never": lazy_gettext("never harvested"),
    "none": lazy_gettext("no harvest"),
    "running": lazy_gettext("running"),
    "ok": lazy_gettext("complete"),
    "partial": lazy_gettext("partial"),
    "failed": lazy_gettext("failed"),
    "interrupted": lazy_gettext("interrupted"),
    "skipped": lazy_gettext("skipped"),
    # "harvest now" jobs (harvester.jobs)
    "queued": lazy_gettext("queued"),
    "done": lazy_gettext("done"),
    # harvest modes (harvester.pool.MODES)
    "incremental": lazy_gettext("new changes"),
    "full": lazy_gettext("everything"),
    "reconcile": lazy_gettext("reconcile"),
    # decisions (search_ui.decisions.ACTIONS) and push modes (harvester.pushed)
    "approve": lazy_gettext("approved a registration"),
    "reject": lazy_gettext("rejected a registration"),
    "push-mode": lazy_gettext("changed how a library reaches the province"),
    "push-key": lazy_gettext("issued a push key"),
    "push-revoke": lazy_gettext("revoked a push key"),
    "known-import": lazy_gettext("imported the list of known libraries"),
    "disable-account": lazy_gettext("disabled an account"),
    "enable-account": lazy_gettext("enabled an account"),
    "remove-account": lazy_gettext("removed an account"),
    "reset-password": lazy_gettext("set a new password"),
    "pushed": lazy_gettext("pushed by its node"),
    "harvested": lazy_gettext("harvested by the province"),
    # roles (search_ui.accounts.ROLES)
    "admin": lazy_gettext("administrator"),
    "staff": lazy_gettext("staff"),
}


OUTCOME = re.compile(r"^(?P<status>\w+): \+(?P<added>\d+) ~(?P<updated>\d+) -(?P<deleted>\d+)"
                     r"(?:; (?P<error>.*))?$", re.DOTALL)
"""What ``harvester.jobs.JobRunner`` writes: the run's status, its counts, its first error."""


def code_name(code: str | None) -> str:
    """A status, mode, decision or role as the reader says it."""
    known = CODES.get(code or "")
    return str(known) if known is not None else (code or "–")


def when(stamp: str | None) -> str:
    """A stored UTC stamp (``2026-11-22T20:28:41Z``) as a short local-language date and time."""
    if not stamp:
        return "–"
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    local = moment.astimezone(_province_zone())
    return f"{format_datetime(local, 'medium', rebase=False)} {local.tzname()}"


def _province_zone() -> tzinfo:
    """The province's zone, read from the settings once per app."""
    extensions = current_app.extensions
    if "jala_zone" not in extensions:
        extensions["jala_zone"] = load_province(extensions["jala_settings"]).timezone
    return extensions["jala_zone"]


def outcome(message: str) -> str:
    """A job's outcome in words ("complete: 5 added, 0 updated, 0 deleted"), else as stored."""
    found = OUTCOME.match(message or "")
    if found is None:
        return message or ""
    words = _("%(status)s: %(added)s added, %(updated)s updated, %(deleted)s deleted",
              status=code_name(found["status"]), added=found["added"],
              updated=found["updated"], deleted=found["deleted"])
    return f"{words}; {found['error']}" if found["error"] else words
