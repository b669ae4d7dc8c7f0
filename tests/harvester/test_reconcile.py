"""The ListIdentifiers sweep: what incremental harvesting cannot see, it finds."""

from __future__ import annotations

import pytest

from tests.harvester.provider import FaultyProvider, Item
from tests.support.http import live_server


@pytest.mark.parametrize(("quirks", "noticed"), [("inlislite", 1), ("generic", 0)])
def test_a_silent_drop_is_swept_after_each_incremental_harvest_only_for_inlislite(
        harvest, store, quirks, noticed):
    provider = FaultyProvider()
    with live_server(provider) as server:
        source = [{"id": "lib", "base_url": server.url, "quirks": quirks}]
        [first] = harvest(source)
        del provider.items["oai:fake:3"]  # gone without a deletion marker
        [second] = harvest(source)
    assert (first.status, first.added) == ("ok", 12)
    assert (second.mode, second.status, second.deleted) == ("incremental", "ok", noticed)
    assert store.get("lib", "oai:fake:3").deleted == bool(noticed)
    assert store.count("lib") == 12 - noticed


def test_an_edit_stamped_in_the_past_is_fetched_again_by_the_sweep(harvest, store):
    provider = FaultyProvider()
    with live_server(provider) as server:
        source = [{"id": "lib", "base_url": server.url}]
        harvest(source)
        provider.items["oai:fake:4"] = Item("2023-06-01T00:00:00Z", "Judul Diperbaiki")
        [incremental] = harvest(source)  # lists from the high-water mark: misses it
        [sweep] = harvest(source, mode="reconcile")
    assert (incremental.status, incremental.updated) == ("ok", 0)
    assert (sweep.status, sweep.added, sweep.updated, sweep.deleted) == ("ok", 0, 1, 0)
    record = store.get("lib", "oai:fake:4")
    assert record.datestamp == "2023-06-01T00:00:00Z"
    assert "Judul Diperbaiki" in record.metadata
    assert store.count("lib") == 12


def test_a_record_skipped_by_shifted_offset_pages_is_not_tombstoned(harvest, store):
    provider = FaultyProvider()
    with live_server(provider) as server:
        source = [{"id": "lib", "base_url": server.url, "quirks": "slims9"}]
        [first] = harvest(source)
        # deleted while the next full listing runs (after its first page, the 4th list
        # request): page 2 (offset 5) then skips oai:fake:6
        provider.after_list = lambda n: provider.items.pop("oai:fake:1", None) if n == 4 \
            else None
        [second] = harvest(source)
        [third] = harvest(source)
    assert (first.status, first.added) == ("ok", 12)
    # oai:fake:6 was skipped but still exists (GetRecord says so): it is kept
    assert (second.mode, second.status, second.deleted) == ("full", "ok", 0)
    # oai:fake:1 was listed before it went, so the next listing is the one that drops it
    assert (third.status, third.deleted) == ("ok", 1)
    assert store.get("lib", "oai:fake:1").deleted
    assert not store.get("lib", "oai:fake:6").deleted
    assert store.count("lib") == 11
