"""A source approved while the worker runs shows its library name and district in holdings
and facets at once: the worker does not keep the source list it started with."""

from __future__ import annotations

import time
from pathlib import Path

from aggregator.query import SearchQuery
from aggregator.search import SearchService
from aggregator.worker import WorkerRole
from config.registrations import Registration, RegistrationStore
from harvester.jobs import JobQueue
from tests.search_ui.staff_support import agency_settings
from tests.support.nodes import make_records, running_node


def test_a_source_approved_in_a_running_worker_has_its_name_and_district(tmp_path: Path):
    settings = agency_settings(tmp_path / "central", job_poll_seconds=1,
                               allow_private_sources=True)
    worker = WorkerRole(settings).start()
    service = SearchService.from_settings(settings)
    try:
        with running_node(tmp_path / "node.sqlite3",
                          repository_identifier="tbm-baru.example.id") as node:
            records = make_records(5, prefix="baru")
            node.catalogue.upsert_many(records)
            registrations = RegistrationStore.at(settings)
            added = registrations.add(Registration(
                "tbm-pelangi", "oai", "TBM Pelangi Kapuas", "taman-baca", "Kabupaten Kapuas",
                base_url=node.url), set())
            registrations.decide(added.id, True, "ani")
            JobQueue.at(settings).request(added.source_id, "ani")
            deadline = time.monotonic() + 60
            query = SearchQuery(text=records[2].title)
            while not (result := service.search(query)).total:
                assert time.monotonic() < deadline, "the approved source was never indexed"
                time.sleep(0.2)
    finally:
        worker.stop()
        service.close()
    [holding] = [h for h in result.hits[0].work.holdings if h.library_id == "tbm-pelangi"]
    assert (holding.library_name, holding.district) == ("TBM Pelangi Kapuas", "Kabupaten Kapuas")
    facets = {name: {v.value for v in values} for name, values in result.facets.items()}
    assert "Kabupaten Kapuas" in facets["district"]
