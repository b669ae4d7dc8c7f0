"""The dashboard's line about the worker's indexing: catching up, or failing and retrying.

Read from the ``aggregator.indexing_health.IndexingHealth`` that ``jala serve`` hands the
app (``JALA_INDEXING``; none with ``--no-worker``, when this process does not index), in
memory because a full disk, the likeliest cause, lets no file say it. Times are in the
province's zone with its abbreviation ("sejak 14.05 WIB").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from flask import current_app
from flask_babel import format_time
from flask_babel import gettext as _

from aggregator.indexing_health import IndexingHealth


@dataclass(frozen=True)
class Notice:
    """One line for the dashboard, and whether it reports a fault."""

    text: str
    fault: bool


def indexing_notice(zone: tzinfo) -> Notice | None:
    """What the dashboard says about indexing now, or None when all is well or unknown."""
    health: IndexingHealth | None = current_app.config.get("JALA_INDEXING")
    if health is None:
        return None
    state = health.state()
    if state.failing_since is not None:
        local = state.failing_since.astimezone(zone)
        text = _("Indexing has failed since %(time)s: %(error)s; retrying every %(seconds)s "
                 "s. New and changed records do not show in search until it succeeds.",
                 time=f"{format_time(local, 'HH.mm', rebase=False)} {local.tzname()}",
                 error=state.error, seconds=state.retry_seconds)
        if state.full_folder:
            text += " " + _("Free space on the disk holding %(folder)s.",
                            folder=state.full_folder)
        return Notice(text, True)
    if state.catching_up:
        return Notice(_("Catching up: %(n)s changes are being indexed; until then search "
                        "shows the index as it was.", n=state.behind), False)
    return None
