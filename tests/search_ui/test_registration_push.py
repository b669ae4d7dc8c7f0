"""A library with no address the province can reach registers as a node that pushes: no
check is run, and its approval switches the source to pushed and shows its push key once."""

from __future__ import annotations

import re
from pathlib import Path

from config.network import load_sources
from config.registrations import RegistrationStore
from harvester import pushed
from harvester.jobs import JobQueue
from harvester.pool import harvest_all
from harvester.store import RecordStore
from tests.search_ui.corner_support import corner_form
from tests.search_ui.staff_support import (
    add_user,
    agency_app,
    agency_settings,
    csrf_token,
    login,
)

KEY = re.compile(r'<code class="secret">(jpk_[^<]+)</code>')


def test_a_node_that_pushes_registers_and_gets_its_key_on_approval(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    app = agency_app(settings)
    visitor = app.test_client()
    form = visitor.get("/daftar").get_data(as_text=True)
    assert 'value="push"' in form and "jala node push" in form
    answer = visitor.post("/daftar", data={**corner_form("TBM Tanpa Sinyal"), "catalogue": "push",
                                           "csrf_token": csrf_token(visitor, "/daftar")})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200, page
    assert "kunci kirim" in page
    [registration] = RegistrationStore.at(settings).by_status("pending")
    assert (registration.kind, registration.base_url, registration.report) == ("push", "", {})

    add_user(settings, "ani", "admin")
    admin = app.test_client()
    login(admin, "ani")
    approved = admin.post(f"/dasbor/pendaftaran/{registration.id}/setujui",
                          data={"csrf_token": csrf_token(admin, "/dasbor/")})
    shown = approved.get_data(as_text=True)
    assert approved.status_code == 200 and "TBM Tanpa Sinyal disetujui" in shown
    [key] = KEY.findall(shown)
    source = {s.id: s for s in load_sources(settings)}[registration.source_id]
    assert source.base_url == f"push:{source.id}" and not source.public_only
    store = RecordStore.at(settings)
    try:
        assert pushed.load(store, source.id).mode == "pushed"
        [run] = harvest_all(settings, [source])
    finally:
        store.close()
    assert run.status == "skipped", "a pushed source is never harvested"
    assert JobQueue.at(settings).recent() == [], "no harvest queued for it"

    state = app.test_client().get("/api/push/v1/state",
                                  headers={"Authorization": f"Bearer {key}"})
    assert state.status_code == 200, state.get_data(as_text=True)
    assert state.get_json()["source"] == source.id
