"""How the dashboard names harvest statuses, modes, roles and times in the reader's language.

The harvester, the job table and the accounts store keep short English codes (``ok``,
``incremental``, ``admin``) and UTC ISO 8601 stamps; staff read them translated, and
times in their locale with the zone said (``UTC``), since the agency's staff and the
server's clock may not share a time zone. An unknown code is shown as it is.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime, lazy_gettext

CODES = {
    # harvest runs (harvester.runs) and sources never harvested
    "never": lazy_gettext("never harvested"),
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
    # roles (search_ui.accounts.ROLES)
    "admin": lazy_gettext("administrator"),
    "staff": lazy_gettext("staff"),
}


def code_name(code: str | None) -> str:
    """A status, mode or role as the reader says it."""
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
    return f"{format_datetime(moment, 'medium', rebase=False)} UTC"
