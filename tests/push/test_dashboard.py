"""The agency's push page: an admin issues a key (shown once), revokes it and switches a
source's mode; staff only look. Then the worker indexes what a node pushed, unasked."""

from __future__ import annotations

import re
import time
from pathlib import Path

import requests

from aggregator.query import SearchQuery
from aggregator.worker import WorkerRole
from config.webdb import web_db_path
from harvester import pushed
from harvester.store import RecordStore
from search_ui.app import create_app
from search_ui.push.keys import PushKeys
from tests.push.support import central, issue, pusher
from tests.search_ui.staff_support import add_user, csrf_token, login
from tests.support.http import live_server
from tests.support.nodes import make_records, running_node

KEY = re.compile(r'<code class="secret">(jpk_[\w-]+)</code>')


def test_admin_issues_a_key_shown_once_switches_modes_and_revokes(tmp_path: Path):
    settings = central(tmp_path, ["tbm-a"])
    add_user(settings, "ani", "admin")
    add_user(settings, "budi", "staff")
    app = create_app({"SETTINGS": settings})
    staff = app.test_client()
    login(staff, "budi")
    page = staff.get("/dasbor/kirim/").get_data(as_text=True)
    assert "Perpustakaan tbm-a" in page and "Kunci baru" not in page
    token = csrf_token(staff, "/dasbor/")
    assert staff.post("/dasbor/kirim/tbm-a/kunci", data={"csrf_token": token}).status_code == 403

    admin = app.test_client()
    login(admin, "ani")
    assert "/dasbor/kirim/" in admin.get("/dasbor/").get_data(as_text=True)
    token = csrf_token(admin, "/dasbor/kirim/")
    assert admin.post("/dasbor/kirim/tbm-a/kunci").status_code == 400  # no CSRF token
    issued = admin.post("/dasbor/kirim/tbm-a/kunci", data={"csrf_token": token})
    key = KEY.search(issued.get_data(as_text=True)).group(1)
    assert PushKeys.at(settings).source_of(key) == "tbm-a"
    assert key not in admin.get("/dasbor/kirim/").get_data(as_text=True)
    assert key.encode() not in web_db_path(settings).read_bytes()

    switched = admin.post("/dasbor/kirim/tbm-a/pushed", data={"csrf_token": token},
                          follow_redirects=True)
    assert "dikirim oleh simpulnya" in switched.get_data(as_text=True)
    store = RecordStore.at(settings)
    assert pushed.load(store, "tbm-a").mode == "pushed"
    admin.post("/dasbor/kirim/tbm-a/cabut", data={"csrf_token": token})
    assert PushKeys.at(settings).source_of(key) is None
    admin.post("/dasbor/kirim/tbm-a/harvested", data={"csrf_token": token})
    assert pushed.load(store, "tbm-a").mode == "harvested"
    assert admin.post("/dasbor/kirim/nope/pushed", data={"csrf_token": token}).status_code == 404


def test_the_worker_indexes_a_pushed_batch_and_the_page_shows_the_push(tmp_path: Path):
    settings = central(tmp_path / "central", ["tbm-a"], )
    key = issue(settings, "tbm-a")
    add_user(settings, "ani", "admin")
    worker = WorkerRole(settings).start()
    app = create_app({"SETTINGS": settings})
    try:
        with live_server(app) as server, running_node(
                tmp_path / "node" / "catalogue.sqlite3",
                repository_identifier="tbm-a.example.id") as node:
            records = make_records(30, prefix="a")
            node.catalogue.upsert_many(records)
            assert pusher(node, tmp_path / "outbox", server.url, key).push().records == 30
            service = app.extensions["search_service"]
            deadline = time.monotonic() + 60
            while not service.search(SearchQuery(text=records[7].title)).total:
                assert time.monotonic() < deadline, "the pushed records were never indexed"
                time.sleep(0.2)
            client = app.test_client()
            login(client, "ani")
            page = client.get("/dasbor/kirim/").get_data(as_text=True)
            assert "dikirim" in page and ">1<" in page
            state = requests.get(f"{server.url}/api/push/v1/state", timeout=10,
                                 headers={"Authorization": f"Bearer {key}"}).json()
            assert state["pending"] == 0 and state["records"] == 30
    finally:
        worker.stop()
