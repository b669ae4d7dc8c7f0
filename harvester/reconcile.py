"""The reconciliation sweep: compare the provider's ListIdentifiers with the store.

Catches what incremental harvesting cannot see: records the provider dropped without a
deletion marker (marked deleted here) and edits stamped with an old datestamp or missed
ones (the header's datestamp differs from the stored one: fetched again with GetRecord).
What it did not list is confirmed gone (``harvester.confirm``) before it is tombstoned.
A sweep is not resumable; a killed one simply runs again in full next time.
"""

from __future__ import annotations

import logging

from harvester import state
from harvester.client import OAIClient
from harvester.confirm import confirm_unlisted
from harvester.errors import ListingLoop, NoRecordsMatch, RemoteError
from harvester.harvest import choose_prefix, to_records
from harvester.pages import Harvested, Page, Rejection
from harvester.runs import Run
from harvester.store import RecordStore, utc_now

log = logging.getLogger(__name__)


def reconcile(source_id: str, sets: tuple[str, ...], prefix: str, store: RecordStore,
              client: OAIClient, run: Run, empty_page_limit: int = 5) -> None:
    """List every identifier, fetch what differs, then delete what was not listed."""
    current = state.load(store, source_id)
    prefix = prefix or choose_prefix(client.metadata_formats())
    generation = current.generation + 1
    unidentified = 0
    for set_spec in sets or ("",):
        args = {"metadataPrefix": prefix, **({"set": set_spec} if set_spec else {})}
        seen_tokens: set[str] = set()
        empty = 0
        token: str | None = None
        while True:
            try:
                page = client.list_more("ListIdentifiers", token, prefix) if token \
                    else client.list_page("ListIdentifiers", **args)
            except NoRecordsMatch:
                page = Page()
            if page.token in seen_tokens or (page.token and not page.records and
                                             (empty := empty + 1) > empty_page_limit):
                raise ListingLoop(f"ListIdentifiers repeats token {page.token!r}")
            fetched = _refetch(source_id, prefix, store, client, page.records)
            unidentified += sum(r.identifier is None for r in fetched.rejected)
            outcome = state.commit_page(
                store, current, to_records(source_id, prefix, fetched), generation,
                [h.identifier for h in page.records] + [r.identifier for r in page.rejected
                                                        if r.identifier])
            run.added += outcome.added
            run.updated += outcome.updated
            run.deleted += outcome.deleted
            run.rejected += len(page.rejected) + len(fetched.rejected)
            run.pages += 1
            if not page.token or not page.complete:
                break
            seen_tokens.add(page.token)
            token = page.token
        if not page.complete:
            raise RemoteError("ListIdentifiers response truncated; sweep abandoned")
    if not unidentified:
        confirmed = confirm_unlisted(source_id, prefix, store, client, generation)
        run.updated += confirmed.updated
        run.deleted += confirmed.deleted
    with store.transaction() as db:
        if unidentified:
            log.warning("%s: %d records unreadable; nothing swept", source_id, unidentified)
        else:
            run.deleted += store.sweep(db, source_id, generation)
        current = state.load(store, source_id)
        current.generation = generation
        current.last_reconcile = utc_now()
        state.save(db, current)


def _refetch(source_id: str, prefix: str, store: RecordStore, client: OAIClient,
             headers: list[Harvested]) -> Page:
    """GetRecord every listed record whose stored copy is missing or stale."""
    stored = store.datestamps(source_id, [h.identifier for h in headers])
    result = Page()
    for header in headers:
        known = stored.get(header.identifier)
        if header.deleted:
            if known is None or not known[1]:
                result.records.append(header)
            continue
        if known is not None and known == (header.datestamp, False):
            continue
        try:
            fetched = client.get_record(header.identifier, prefix)
        except RemoteError as exc:
            result.rejected.append(Rejection(header.identifier, f"GetRecord failed: {exc}"))
            continue
        result.records.extend(fetched.records)
        result.rejected.extend(fetched.rejected)
    return result
