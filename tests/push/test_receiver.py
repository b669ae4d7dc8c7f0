"""Pushing over real HTTP into a real central app: stored as a harvest would, and guarded.

A node's pusher sends its catalogue (records and deletions) to ``/api/push/v1`` of the
central web app on a loopback port; the record store then holds exactly what a full
harvest of the same node holds. Keys, modes, sequence numbers and limits are checked
with hand-made requests.
"""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from aggregator.normalise import normalise
from config.network import load_sources
from config.webdb import web_db_path
from harvester import pushed
from harvester.pool import harvest_all
from harvester.store import RecordStore
from search_ui.app import create_app
from search_ui.push.keys import PushKeys
from tests.push.support import central, harvested_rows, issue, pusher, rows
from tests.support.http import live_server
from tests.support.nodes import make_records, running_node

IMPORTED = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)


@pytest.fixture
def network(tmp_path: Path):
    """A running central app, a running node of 230 records and 7 deletions, a key."""
    settings = central(tmp_path / "central", ["tbm-a", "tbm-b"], max_batch_records=100)
    app = create_app({"SETTINGS": settings})
    with live_server(app) as server, running_node(
            tmp_path / "node" / "catalogue.sqlite3",
            repository_identifier="tbm-a.example.id") as node:
        node.catalogue.upsert_many(make_records(230, prefix="a"), now=IMPORTED)
        for n in range(0, 70, 10):
            node.catalogue.delete(f"a-{n}")
        yield settings, server.url, node, issue(settings, "tbm-a")


def test_pushed_store_equals_a_harvest_of_the_node_then_follows_changes(network, tmp_path):
    settings, url, node, key = network
    report = pusher(node, tmp_path / "outbox", url, key).push()
    assert (report.batches, report.records, report.pending) == (5, 230, 0)
    store = RecordStore.at(settings)
    assert rows(store, "tbm-a") == harvested_rows(tmp_path / "h1", "tbm-a", node.url)
    assert store.count("tbm-a") == 223 and store.count("tbm-a", include_deleted=True) == 230
    assert pushed.load(store, "tbm-a").batch_seq == 5
    record = next(r for r in store.iter_records("tbm-a") if 'tag="852"' in r.metadata)
    copies = node.catalogue.get(record.identifier.rsplit(":", 1)[1]).record.copies
    assert normalise(record).holding.status_known == min(c.status_known for c in copies) \
        == "2026-12-03T07:00:00Z"  # the node's import time, not the time it was received

    node.catalogue.upsert_many(make_records(240, prefix="a")[225:])  # 5 changed, 10 new
    node.catalogue.delete("a-3")
    before = store.last_seq()
    again = pusher(node, tmp_path / "outbox", url, key).push()
    assert (again.batches, again.pending) == (1, 0)
    assert rows(store, "tbm-a") == harvested_rows(tmp_path / "h2", "tbm-a", node.url)
    changed = store.changes(before, 1000)
    assert {c.identifier for c in changed} >= {node.identifier("a-3"), node.identifier("a-239")}
    assert store.get("tbm-a", node.identifier("a-3")).deleted
    assert pusher(node, tmp_path / "outbox", url, key).push().batches == 0


def _put(url: str, key: str, seq: int, body: bytes, start: int = 0,
         total: int | None = None) -> requests.Response:
    """One hand-made piece."""
    total = len(body) if total is None else total
    return requests.put(f"{url}/api/push/v1/batches/{seq}", data=body[start:], headers={
        "Authorization": f"Bearer {key}",
        "Content-Range": f"bytes {start}-{len(body) - 1}/{total}",
        "X-Jala-Batch-Sha256": hashlib.sha256(body).hexdigest(), "X-Jala-Cursor": "c"},
        timeout=10)


OAI_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/'
            'OAI/2.0/"><responseDate>2026-12-01T00:00:00Z</responseDate>'
            '<request verb="ListRecords" metadataPrefix="oai_dc">x</request><ListRecords>')
GOOD = ('<record><header><identifier>oai:x:1</identifier><datestamp>2026-12-01T00:00:00Z'
        '</datestamp></header><metadata><dc xmlns="http://www.openarchives.org/OAI/2.0/oai_dc/">'
        '</dc></metadata></record>')


@pytest.mark.parametrize(("body", "status", "reason"), [
    (b"not gzip at all", 400, "not valid gzip"),
    (gzip.compress(b"<html>oops</html>"), 400, "not <OAI-PMH>"),
    (gzip.compress(b"<OAI-PMH"), 400, "malformed XML"),
    (gzip.compress((OAI_HEAD + GOOD + '<record><header><identifier>oai:x:2</identifier>'
                    '</header></record></ListRecords></OAI-PMH>').encode()), 400,
     "record oai:x:2 is unreadable: header without <datestamp>"),
    (gzip.compress((OAI_HEAD.replace("?>", "?><!DOCTYPE OAI-PMH [<!ENTITY b 'c'>]>", 1)
                    + GOOD + "</ListRecords></OAI-PMH>").encode()), 400,
     "document type declaration refused"),
    (gzip.compress(b" " * 3_000_000), 413, "inflates past"),
    (gzip.compress((OAI_HEAD + GOOD * 101 + "</ListRecords></OAI-PMH>").encode()), 413,
     "at most 100 per batch"),
    (gzip.compress((OAI_HEAD + GOOD + "</ListRecords></OAI-PMH>").encode())[:-3], 400,
     "cut short"),
])
def test_a_malformed_batch_is_refused_with_its_reason_and_nothing_is_stored(
        tmp_path, body, status, reason):
    settings = central(tmp_path, ["tbm-a"], max_inflated_bytes=2_000_000,
                       max_batch_records=100)
    key = issue(settings, "tbm-a")
    with live_server(create_app({"SETTINGS": settings})) as server:
        answer = _put(server.url, key, 1, body)
        assert answer.status_code == status
        assert reason in answer.json()["error"]["detail"]
        state = requests.get(f"{server.url}/api/push/v1/state", timeout=10,
                             headers={"Authorization": f"Bearer {key}"}).json()
    store = RecordStore.at(settings)
    assert store.count(include_deleted=True) == 0 and store.last_seq() == 0
    assert state["batch_seq"] == 0 and state["upload"] is None


def test_sequence_numbers_stop_replays_and_gaps_and_pieces_resume(tmp_path):
    settings = central(tmp_path, ["tbm-a"])
    key = issue(settings, "tbm-a")
    batch = gzip.compress((OAI_HEAD + GOOD + "</ListRecords></OAI-PMH>").encode())
    with live_server(create_app({"SETTINGS": settings})) as server:
        assert _put(server.url, key, 2, batch).status_code == 409  # a gap
        first = requests.put(f"{server.url}/api/push/v1/batches/1", data=batch[:40], headers={
            "Authorization": f"Bearer {key}", "Content-Range": f"bytes 0-39/{len(batch)}",
            "X-Jala-Batch-Sha256": hashlib.sha256(batch).hexdigest()}, timeout=10)
        assert first.json() == {"seq": 1, "received": 40, "stored": False}
        wrong = _put(server.url, key, 1, batch, start=20)  # overlaps what arrived
        assert wrong.status_code == 409 and wrong.json()["received"] == 40
        done = _put(server.url, key, 1, batch, start=40)
        assert done.json()["stored"] is True and done.json()["added"] == 1
        store = RecordStore.at(settings)
        seq = store.last_seq()
        replay = _put(server.url, key, 1, batch)
        assert replay.status_code == 200 and replay.json()["stored"] is False
        assert _put(server.url, key, 1, batch, start=40).json()["stored"] is False
        assert store.last_seq() == seq and pushed.load(store, "tbm-a").batch_seq == 1


def test_keys_are_shown_once_stored_hashed_revocable_and_write_only_their_source(tmp_path):
    settings = central(tmp_path, ["tbm-a", "tbm-b"])
    key_a, key_b = issue(settings, "tbm-a"), issue(settings, "tbm-b")
    assert key_a.encode() not in web_db_path(settings).read_bytes()
    batch = gzip.compress((OAI_HEAD + GOOD + "</ListRecords></OAI-PMH>").encode())
    with live_server(create_app({"SETTINGS": settings})) as server:
        assert _put(server.url, key_b, 1, batch).json()["stored"]
        assert _put(server.url, "jpk_guessed", 1, batch).status_code == 401
        assert requests.get(f"{server.url}/api/push/v1/state", timeout=10).status_code == 401
        PushKeys.at(settings).revoke("tbm-a")
        assert _put(server.url, key_a, 1, batch).status_code == 401
        renewed = PushKeys.at(settings).issue("tbm-a", "admin")
        assert PushKeys.at(settings).source_of(key_a) is None
        assert _put(server.url, renewed, 1, batch).json()["stored"]
    store = RecordStore.at(settings)
    assert [r.source for r in store.iter_records()] == ["tbm-a", "tbm-b"]


def test_one_mode_per_source_a_harvested_source_refuses_pushes_and_a_pushed_one_is_not_harvested(
        tmp_path):
    settings = central(tmp_path, ["tbm-a"])
    key = issue(settings, "tbm-a")
    [run] = harvest_all(settings, load_sources(settings))
    assert run.status == "skipped" and "pushed by its node" in run.last_error
    store = RecordStore.at(settings)
    pushed.set_mode(store, "tbm-a", "harvested")
    batch = gzip.compress((OAI_HEAD + GOOD + "</ListRecords></OAI-PMH>").encode())
    with live_server(create_app({"SETTINGS": settings})) as server:
        refused = _put(server.url, key, 1, batch)
    assert refused.status_code == 409
    assert "harvested, not pushed" in refused.json()["error"]["detail"]
    assert store.count(include_deleted=True) == 0
    [run] = harvest_all(settings, load_sources(settings))
    assert run.status != "skipped"  # harvested again (its address is down in this test)
