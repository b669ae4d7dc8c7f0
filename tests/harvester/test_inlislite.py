"""INLISLite 3.3, replayed from its recordings: harvested whole with its profile.

Against the real provider our harvester got 100 of 250 records and stayed stuck: its
resumption requests are refused unless ``metadataPrefix`` is repeated beside the token.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester import state
from jala.cli import cli
from tests.harvester.provider import FaultyProvider
from tests.harvester.replay import replay_app
from tests.support.http import live_server

INLISLITE = Path(__file__).resolve().parents[1] / "fixtures" / "providers" / "inlislite"
RECORDED_HOST = "127.0.0.1:8630"


def source(url: str, quirks: str) -> list[dict[str, str]]:
    """The INLISLite node registered at its working ``/oai`` endpoint."""
    return [{"id": "inlis", "base_url": f"{url}/oai", "quirks": quirks,
             "metadata_prefix": "oai_dc"}]


def test_inlislite_profile_harvests_all_250_records(harvest, store, caplog):
    requests: list = []
    with live_server(replay_app(INLISLITE, RECORDED_HOST, requests)) as server, \
            caplog.at_level(logging.WARNING):
        [run] = harvest(source(server.url, "inlislite"), mode="full")
    assert (run.status, run.added, run.pages, run.deleted) == ("ok", 250, 3, 0)
    assert store.count("inlis") == 250
    # recognised from the answer: the standard request was tried once, then the prefix added
    assert "without metadataPrefix" in caplog.text
    token_requests = [dict(query) for path, query in requests if "resumptionToken" in
                      dict(query)]
    assert ["metadataPrefix" in q for q in token_requests] == [False, True, True]
    # the advertised /oai-pmh answers 404: the registered /oai was kept, and it was noted
    notes = state.load(store, "inlis").notes
    assert "404" in notes["advertised_base_url"]
    assert any(path == "/oai-pmh" for path, _ in requests)


def test_generic_profile_restarts_a_refused_token_boundedly_and_is_not_stuck(harvest, store):
    requests: list = []
    with live_server(replay_app(INLISLITE, RECORDED_HOST, requests)) as server:
        [run] = harvest(source(server.url, "generic"))
        stuck = state.load(store, "inlis").checkpoint
        requests.clear()
        [again] = harvest(source(server.url, "generic"), mode="full")
    assert (run.status, run.added) == ("partial", 100)
    assert "refused" in run.last_error
    assert stuck is None  # the refused token is not kept for the next run
    first = dict(requests[0][1]) if requests[0][0] == "/oai" else {}
    assert "resumptionToken" not in first
    assert (again.status, again.added, again.updated) == ("partial", 0, 0)
    assert store.count("inlis") == 100


def test_full_discards_a_stored_checkpoint(harvest, store):
    with live_server(replay_app(INLISLITE, RECORDED_HOST)) as server:
        current = state.load(store, "inlis")
        current.checkpoint = state.Checkpoint(mode="full", metadata_prefix="oai_dc",
                                              token="garbage-token", generation=1)
        state.update(store, current)
        [run] = harvest(source(server.url, "inlislite"), mode="full")
    assert (run.status, run.added) == ("ok", 250)


def test_sources_check_fetches_a_second_page_and_names_the_profile():
    runner = CliRunner()
    with live_server(replay_app(INLISLITE, RECORDED_HOST)) as server:
        result = runner.invoke(cli, ["sources", "check", f"{server.url}/oai", "--json",
                                     "--format", "oai_dc"])
    report = json.loads(result.stdout)
    assert report["facts"]["pages"] and report["facts"]["second_page_records"] == 100
    assert report["facts"]["suggested_quirks"] == "inlislite"
    problems = " ".join(report["problems"])
    assert "pages only with metadataPrefix beside the token" in problems
    assert "/oai-pmh, which does not answer" in problems and "HTTP 404" in problems


@pytest.mark.parametrize(("quirks", "status", "mode", "deleted"),
                         [("inlislite", "ok", "incremental", 1),
                          ("generic", "partial", "full", 0)])  # never completes a listing
def test_the_sweep_after_an_incremental_run_pages_like_inlislite_wants(
        harvest, store, quirks, status, mode, deleted):
    provider = FaultyProvider(faults={"prefix-with-token"})
    with live_server(provider) as server:
        registered = [{"id": "lib", "base_url": server.url, "quirks": quirks}]
        [first] = harvest(registered)
        del provider.items["oai:fake:3"]  # gone without a deletion marker
        [second] = harvest(registered)
    assert (first.mode, first.status) == ("full", status)
    assert (second.mode, second.status, second.deleted) == (mode, status, deleted)
    assert store.get("lib", "oai:fake:3").deleted == bool(deleted)
