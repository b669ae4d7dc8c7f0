"""Each misbehaviour of a provider ends as specified and loses nothing."""

from __future__ import annotations

import logging

import pytest

from harvester import state
from tests.harvester.provider import FaultyProvider
from tests.support.http import live_server

ALL = {f"oai:fake:{n}" for n in range(1, 13)}


def live(store, source="fake"):
    return {r.identifier for r in store.iter_records(source)}


@pytest.mark.parametrize("fault", ["503", "drop", "timeout"])
def test_transient_faults_are_retried(harvest, store, fault):
    provider = FaultyProvider(faults={fault}, delay=1.5)
    with live_server(provider) as server:
        [run] = harvest([{"id": "fake", "base_url": server.url}])
    assert (run.status, run.added, run.rejected, run.last_error) == ("ok", 12, 0, None)
    assert live(store) == ALL


@pytest.mark.parametrize("fault", ["malformed", "bad-utf8", "control-char"])
def test_one_bad_record_keeps_the_rest_of_its_page(harvest, store, fault):
    provider = FaultyProvider(faults={fault})
    with live_server(provider) as server:
        [run] = harvest([{"id": "fake", "base_url": server.url}])
        assert (run.status, run.added, run.rejected) == ("ok", 11, 1)
        assert live(store) == ALL - {"oai:fake:7"}
        [again] = harvest([{"id": "fake", "base_url": server.url}], mode="full")
    assert (again.status, again.added, again.deleted) == ("ok", 1, 0)
    assert live(store) == ALL


def test_repeated_token_stops_the_listing_and_next_run_completes(harvest, store):
    provider = FaultyProvider(faults={"repeat-token"})
    with live_server(provider) as server:
        [run] = harvest([{"id": "fake", "base_url": server.url}])
        assert run.status == "partial" and "ListingLoop" in run.last_error
        assert state.load(store, "fake").checkpoint is None
        assert state.load(store, "fake").high_water is None
        [again] = harvest([{"id": "fake", "base_url": server.url}])
    assert again.status == "ok"
    assert live(store) == ALL and store.count("fake", include_deleted=True) == 12


def test_empty_page_loop_is_detected(harvest, store):
    provider = FaultyProvider(faults={"empty-loop"}, fault_times=50)
    with live_server(provider) as server:
        [run] = harvest([{"id": "fake", "base_url": server.url}], empty_page_limit=3)
    assert run.status == "partial" and "empty pages" in run.last_error
    assert live(store) == {f"oai:fake:{n}" for n in range(1, 6)}


def test_bad_resumption_token_restarts_the_window(harvest, store):
    provider = FaultyProvider(faults={"bad-token"})
    with live_server(provider) as server:
        [run] = harvest([{"id": "fake", "base_url": server.url}])
    assert (run.status, run.added) == ("ok", 12)
    assert run.pages == 4  # page 1, then the restarted window's three pages
    assert live(store) == ALL


def test_no_records_match_is_an_empty_listing(harvest, store):
    provider = FaultyProvider(faults={"no-records"}, fault_page=1)
    with live_server(provider) as server:
        [run] = harvest([{"id": "fake", "base_url": server.url}])
    assert (run.status, run.added, store.count("fake")) == ("ok", 0, 0)


@pytest.mark.parametrize(("fault", "message"), [
    ("html", "root element is <html>, not <OAI-PMH>"),
    ("bomb", "document type declaration refused"),
    ("huge", "ResponseTooLarge"),
])
def test_unusable_first_page_fails_then_recovers(harvest, store, fault, message):
    provider = FaultyProvider(faults={fault}, fault_page=1)
    with live_server(provider) as server:
        [run] = harvest([{"id": "fake", "base_url": server.url}])
        assert run.status == "failed" and message in run.last_error
        assert store.count("fake") == 0
        assert state.load(store, "fake").last_error == run.last_error
        [again] = harvest([{"id": "fake", "base_url": server.url}])
    assert (again.status, again.added) == ("ok", 12)
    assert state.load(store, "fake").last_error is None


def test_truncated_page_keeps_its_records_and_resumes(harvest, store):
    provider = FaultyProvider(faults={"truncated"})
    with live_server(provider) as server:
        [run] = harvest([{"id": "fake", "base_url": server.url}])
        assert run.status == "partial" and "truncated" in run.last_error
        kept = live(store)
        assert {f"oai:fake:{n}" for n in range(1, 6)} < kept < ALL
        assert state.load(store, "fake").checkpoint.token == "5"
        [again] = harvest([{"id": "fake", "base_url": server.url}])
    assert again.status == "ok"
    assert live(store) == ALL and store.count("fake", include_deleted=True) == 12


def test_broken_sources_do_not_affect_the_others(harvest, store):
    good, broken, slow = (FaultyProvider(), FaultyProvider(faults={"html"}, fault_page=1,
                                                           fault_times=99),
                          FaultyProvider(faults={"timeout"}, fault_page=1, fault_times=99,
                                         delay=1.0))
    with live_server(good) as g, live_server(broken) as b, live_server(slow) as s:
        runs = harvest([{"id": "good", "base_url": g.url},
                        {"id": "broken", "base_url": b.url},
                        {"id": "slow", "base_url": s.url},
                        {"id": "dead", "base_url": "http://127.0.0.1:9/oai"}])
    status = {r.source: r.status for r in runs}
    assert status == {"good": "ok", "broken": "failed", "slow": "failed", "dead": "failed"}
    assert live(store, "good") == ALL
    assert store.count() == 12


def test_a_failed_full_run_is_logged_as_full(harvest, caplog):
    # the slims9 profile always lists in full, even when an incremental run was asked for
    provider = FaultyProvider(faults={"html"})
    with live_server(provider) as server, caplog.at_level(logging.WARNING):
        [run] = harvest([{"id": "s", "base_url": server.url, "quirks": "slims9"}])
    assert (run.mode, run.status) == ("full", "partial")
    assert "s: full run partial" in caplog.text
    assert "incremental run" not in caplog.text
