"""Harvest one source: plan a window, list it page by page, commit, advance the state.

A window is one listing (``from`` = high-water mark minus the overlap, or none for a full
harvest) over each configured set. After each page, its records and the next token are
committed together; a run killed at any moment resumes from that token. The high-water
mark becomes the first page's ``responseDate`` only when the whole window is committed;
a complete full listing also sweeps away records the provider no longer lists.

Failure handling (each logged): a refused or expired token (``badResumptionToken``, or a
``badArgument`` answered to a resumption request) restarts the window, twice at most, then
clears the checkpoint; ``--full`` always discards a stored checkpoint, so a source never
stays stuck on a token. A repeated token or endless empty pages end the run as a
``ListingLoop`` and clear the checkpoint; a provider whose ``from`` does not work
(``badArgument``, or ``noRecordsMatch`` in the middle of a ``from`` listing) is remembered
and harvested in full. Before a full listing's sweep tombstones a record it did not list,
``harvester.confirm`` asks the provider for it: an offset listing skips records when one
is deleted during it, and a skipped record must never read as deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from config.network import Source
from harvester import state
from harvester.client import OAIClient
from harvester.confirm import confirm_unlisted
from harvester.errors import (
    BadResumptionToken,
    ListingLoop,
    MalformedResponse,
    NoRecordsMatch,
    ProtocolError,
    RemoteError,
)
from harvester.pages import Page
from harvester.quirks import parse_datestamp
from harvester.runs import Run
from harvester.state import Checkpoint, SourceState
from harvester.store import RecordStore, StoredRecord, utc_now

log = logging.getLogger(__name__)

PREFERRED_PREFIXES = ("marc21", "oai_dc")
MAX_RESTARTS = 2


class FromNotWorking(RemoteError):
    """The provider cannot list from a date; harvest it in full from now on."""


def choose_prefix(offered: list[str]) -> str:
    """``marc21`` when offered, else ``oai_dc``, else the first format offered."""
    for prefix in PREFERRED_PREFIXES:
        if prefix in offered:
            return prefix
    if not offered:
        raise MalformedResponse("ListMetadataFormats offered no format")
    return offered[0]


def to_records(source: str, prefix: str, page: Page) -> list[StoredRecord]:
    """The page's records as store rows."""
    return [StoredRecord(source, h.identifier, h.datestamp, h.deleted, prefix, h.metadata,
                         h.set_specs) for h in page.records]


class SourceHarvest:
    """One harvest run of one source (incremental or full)."""

    def __init__(self, source: Source, store: RecordStore, client: OAIClient,
                 options: dict[str, Any], run: Run,
                 progress: Callable[[Run], None] | None = None) -> None:
        self.source, self.store, self.client = source, store, client
        self.options, self.run, self.progress = options, run, progress
        self.state: SourceState = state.load(store, source.id)

    def harvest(self, full: bool) -> None:
        """Resume the listing in progress, or start a new window, and see it through."""
        checkpoint = self.state.checkpoint
        if full or not self.client.quirks.incremental:
            self.run.mode = "full"
        if checkpoint is not None and full:
            log.info("%s: a full harvest discards the stored %s listing at token %r",
                     self.source.id, checkpoint.mode, checkpoint.token)
            checkpoint = None
        if checkpoint is not None:
            log.info("%s: resuming the %s listing at token %r", self.source.id,
                     checkpoint.mode, checkpoint.token)
            self.client.base_url = checkpoint.base_url or self.source.base_url
        else:
            checkpoint = self.plan(full)
        self.run.mode = checkpoint.mode
        try:
            self.list_window(checkpoint)
        except FromNotWorking as exc:
            log.warning("%s: %s; harvesting in full from now on", self.source.id, exc)
            self.state.notes["from_broken"] = str(exc)
            self.run.mode = "full"
            self.list_window(self.plan(full=True))

    def plan(self, full: bool) -> Checkpoint:
        """A new window: full or from the high-water mark, over every configured set."""
        prefix = self.source.metadata_prefix or choose_prefix(self.client.metadata_formats())
        full = (full or not self.client.quirks.incremental or self.state.high_water is None
                or "from_broken" in self.state.notes)
        from_ = None
        if not full:
            since = parse_datestamp(self.state.high_water or "") \
                - timedelta(seconds=self.options["overlap_seconds"])
            day = self._day_granularity()
            from_ = since.strftime("%Y-%m-%d" if day else "%Y-%m-%dT%H:%M:%SZ")
        return Checkpoint(mode="full" if full else "incremental", metadata_prefix=prefix,
                          from_=from_, sets=list(self.source.sets) or [""],
                          generation=self.state.generation + 1 if full else 0,
                          base_url=self._base_url())

    def _base_url(self) -> str | None:
        """The advertised baseURL when the profile follows it and it answers, else None.

        None means the registered URL, which the client already speaks to.
        """
        if not self.client.quirks.follow_base_url:
            return None
        self.client.base_url = self.source.base_url
        try:
            advertised = self.client.identity().base_url
        except RemoteError as exc:
            log.warning("%s: Identify failed (%s); using the registered URL", self.source.id, exc)
            return None
        if not advertised or advertised == self.source.base_url:
            return None
        self.client.base_url = advertised
        try:
            self.client.identity()
        except RemoteError as exc:
            log.warning("%s: the advertised baseURL %s does not answer (%s); harvesting the "
                        "registered %s", self.source.id, advertised, exc, self.source.base_url)
            self.state.notes["advertised_base_url"] = f"{advertised}: {exc}"
            self.client.base_url = self.source.base_url
            return None
        self.state.notes.pop("advertised_base_url", None)
        return advertised

    def _day_granularity(self) -> bool:
        """Ask Identify; a provider that cannot say gets the always-valid day granularity."""
        try:
            return self.client.identity().day_granularity
        except RemoteError as exc:
            log.warning("%s: Identify failed (%s); using day granularity", self.source.id, exc)
            return True

    def list_window(self, checkpoint: Checkpoint) -> None:
        """Page through the window, committing each page with the next token."""
        self.state.checkpoint = checkpoint
        seen_tokens: set[str] = set()
        empty_pages = 0
        while checkpoint.sets:
            page = self.fetch(checkpoint)
            if page is None:  # the window restarted: its tokens may come again
                seen_tokens.clear()
                continue
            if checkpoint.response_date is None:
                checkpoint.response_date = page.response_date or self.run.started
            loop = page.token is not None and (page.token in seen_tokens
                                               or page.token == checkpoint.token)
            empty_pages = empty_pages + 1 if page.token and not page.records \
                and not page.rejected else 0
            if loop or empty_pages > self.options["empty_page_limit"]:
                self.commit(page, checkpoint, None)
                self.state.checkpoint = None
                state.update(self.store, self.state)
                what = "repeated resumption token" if loop else f"{empty_pages} empty pages"
                raise ListingLoop(f"{what} {page.token!r}: listing stopped, window restarts "
                                  "next run")
            if page.token:
                seen_tokens.add(page.token)
            if not page.complete:
                self.commit(page, checkpoint, checkpoint.token)
                raise MalformedResponse("response truncated before </OAI-PMH>; "
                                        "its readable records were kept")
            self.commit(page, checkpoint, page.token)
        self.finish(checkpoint)

    def fetch(self, checkpoint: Checkpoint) -> Page | None:
        """The next page, or None after a recoverable refusal that restarted the window."""
        args = {"metadataPrefix": checkpoint.metadata_prefix}
        if checkpoint.from_:
            args["from"] = checkpoint.from_
        if checkpoint.current_set:
            args["set"] = checkpoint.current_set
        try:
            if checkpoint.token:
                return self.client.list_more("ListRecords", checkpoint.token,
                                             checkpoint.metadata_prefix)
            return self.client.list_page("ListRecords", **args)
        except NoRecordsMatch:
            if checkpoint.token and checkpoint.from_:
                raise FromNotWorking("noRecordsMatch in the middle of a 'from' listing") \
                    from None
            if checkpoint.token:
                return self.restart(checkpoint, "noRecordsMatch for a resumption token")
            return Page()
        except BadResumptionToken as exc:
            return self.restart(checkpoint, str(exc))
        except ProtocolError as exc:
            if exc.code == "badArgument" and checkpoint.token:
                return self.restart(checkpoint, f"resumption token refused ({exc})")
            if exc.code == "badArgument" and checkpoint.from_:
                raise FromNotWorking(f"'from' refused ({exc})") from exc
            raise

    def restart(self, checkpoint: Checkpoint, reason: str) -> None:
        """Start the current window again after the provider refused its token."""
        checkpoint.restarts += 1
        if checkpoint.restarts > MAX_RESTARTS:
            self.state.checkpoint = None
            state.update(self.store, self.state)
            raise ListingLoop(f"token refused {checkpoint.restarts} times ({reason})")
        log.warning("%s: %s; restarting the window", self.source.id, reason)
        checkpoint.token = None
        state.update(self.store, self.state)

    def commit(self, page: Page, checkpoint: Checkpoint, next_token: str | None) -> None:
        """Store the page's records with the checkpoint pointing after it."""
        checkpoint.token = next_token
        if next_token is None and page.complete:
            checkpoint.sets.pop(0)
        unidentified = [r for r in page.rejected if r.identifier is None]
        checkpoint.unidentified_rejections += len(unidentified)
        for rejection in page.rejected:
            log.warning("%s: record %s rejected: %s", self.source.id,
                        rejection.identifier or "(no identifier)", rejection.reason)
        outcome = state.commit_page(
            self.store, self.state, to_records(self.source.id, checkpoint.metadata_prefix, page),
            checkpoint.generation, [r.identifier for r in page.rejected if r.identifier])
        self.run.added += outcome.added
        self.run.updated += outcome.updated
        self.run.deleted += outcome.deleted
        self.run.rejected += len(page.rejected)
        self.run.pages += 1
        self.run.listed += len(page.records) + len(page.rejected)
        self.run.list_size = page.list_size or self.run.list_size
        if self.progress:
            self.progress(self.run)

    def finish(self, checkpoint: Checkpoint) -> None:
        """Close the window: sweep after a full listing, advance the high-water mark."""
        sweep = checkpoint.mode == "full" and not checkpoint.unidentified_rejections
        if checkpoint.mode == "full" and not sweep:
            log.warning("%s: %d rejected records had no identifier; no sweep",
                        self.source.id, checkpoint.unidentified_rejections)
        if sweep:
            outcome = confirm_unlisted(self.source.id, checkpoint.metadata_prefix, self.store,
                                       self.client, checkpoint.generation)
            self.run.updated += outcome.updated
            self.run.deleted += outcome.deleted
        with self.store.transaction() as db:
            if checkpoint.mode == "full":
                if sweep:
                    self.run.deleted += self.store.sweep(db, self.source.id,
                                                         checkpoint.generation)
                self.state.generation = checkpoint.generation
            self.state.high_water = checkpoint.response_date
            self.state.checkpoint = None
            self.state.last_success = utc_now()
            state.save(db, self.state)
