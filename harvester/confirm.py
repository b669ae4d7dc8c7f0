"""Confirm with the provider, record by record, what a sweep is about to tombstone.

A complete listing sweeps away the records it did not list. With offset resumption tokens
(SLiMS, INLISLite) a deletion made while the listing runs shifts every later page by one,
so a live record is skipped and would read as deleted until the next run. Each unlisted
record is therefore asked for with GetRecord first: a live answer is stored and spared,
``idDoesNotExist`` or a deleted header lets the sweep tombstone it, and any other failure
spares it for now (the next complete listing asks again): nothing is reported deleted
that the provider did not confirm as gone.
"""

from __future__ import annotations

import logging

from harvester import state
from harvester.client import OAIClient
from harvester.errors import ProtocolError, RemoteError
from harvester.pages import Harvested
from harvester.store import PageOutcome, RecordStore, StoredRecord

log = logging.getLogger(__name__)

BATCH = 100


def confirm_unlisted(source_id: str, prefix: str, store: RecordStore, client: OAIClient,
                     generation: int) -> PageOutcome:
    """Ask for every record listing ``generation`` missed; store and spare the live ones."""
    total = PageOutcome()
    unlisted = store.unlisted(source_id, generation)
    current = state.load(store, source_id)
    for start in range(0, len(unlisted), BATCH):
        records: list[StoredRecord] = []
        spared: list[str] = []
        for identifier in unlisted[start:start + BATCH]:
            answer = _ask(client, identifier, prefix)
            if answer is None:
                spared.append(identifier)
            else:
                records.extend(answer)
        live = [r for r in records if not r.deleted]
        if live or spared:
            log.info("%s: %d unlisted records still exist, %d unconfirmed: not swept",
                     source_id, len(live), len(spared))
        outcome = state.commit_page(
            store, current, [StoredRecord(source_id, r.identifier, r.datestamp, r.deleted,
                                          prefix, r.metadata, r.set_specs) for r in records],
            generation, spared)
        total.updated += outcome.updated + outcome.added
        total.deleted += outcome.deleted
    return total


def _ask(client: OAIClient, identifier: str, prefix: str) -> list[Harvested] | None:
    """GetRecord's records (none when the provider says it is gone); None when unsure."""
    try:
        page = client.get_record(identifier, prefix)
    except ProtocolError as exc:
        if exc.code == "idDoesNotExist":
            return []
        log.warning("%s: GetRecord refused (%s); not swept this time", identifier, exc)
        return None
    except RemoteError as exc:
        log.warning("%s: GetRecord failed (%s); not swept this time", identifier, exc)
        return None
    if page.rejected or not page.records:
        return None
    return page.records
