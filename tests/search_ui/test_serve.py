"""``jala serve`` as a real process: site and API on waitress, the worker harvesting, indexing."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import requests

from aggregator.engine import IndexLockedError, open_engine
from config.registrations import Registration, RegistrationStore
from config.settings import load_settings
from harvester import runs, state
from harvester.jobs import JobQueue
from harvester.store import RecordStore
from search_ui.registration.hosting import adopt, import_upload, report_summary
from tests.search_ui.serve_support import PATIENCE, serve_config, serving
from tests.search_ui.staff_support import PASSWORD, TOKEN, add_user
from tests.support.nodes import make_records, running_node


def test_serve_harvests_indexes_and_serves(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_node(tmp_path / "node.sqlite3", page_size=10) as node:
        node.catalogue.upsert_many(make_records(15, prefix="kota"))
        config = serve_config(tmp_path / "jala.toml", node.url)
        with serving("--config", str(config), "--data-dir", str(data)) as served:
            url = served.url
            served.wait_for(lambda: requests.get(url + "/api/v1/stats", timeout=5)
                            .json().get("works") == 15)
            page = requests.get(url + "/cari", headers={"Accept-Encoding": "gzip"}, timeout=5)
            assert page.ok and page.headers["Content-Encoding"] == "gzip"
            assert page.text.count('<li class="hit">') == 15
            assert "Perpustakaan Kota Uji" in requests.get(url + "/perpustakaan", timeout=5).text
            with pytest.raises(IndexLockedError):
                open_engine(load_settings(config, data_dir=data, environ={}), writer=True)
    open_engine(load_settings(config, data_dir=data, environ={}), writer=True).close()


def test_serve_without_worker_serves_pages_only(tmp_path: Path) -> None:
    config = serve_config(tmp_path / "jala.toml")
    data = tmp_path / "data"
    open_engine(load_settings(config, data_dir=data, environ={}), writer=True).close()
    with serving("--config", str(config), "--data-dir", str(data), "--no-worker") as served:
        url = served.url
        home = requests.get(url + "/", timeout=5)
        assert home.ok and '<html lang="id">' in home.text
        assert requests.get(url + "/api/v1/nothing", timeout=5).json()["error"]["status"] == 404
        open_engine(load_settings(config, data_dir=data, environ={}), writer=True).close()


def test_a_source_approved_while_serving_gets_its_first_harvest(tmp_path: Path) -> None:
    config = tmp_path / "jala.toml"
    config.write_text('[web]\nsecret_key = "a-test-key-that-is-long-enough"\n'
                      'secure_cookies = false\n', encoding="utf-8")
    settings = load_settings(config, data_dir=tmp_path / "data", environ={})
    upload = tmp_path / "katalog.csv"
    upload.write_text("id,judul,pengarang,tahun\nc1,Riwayat Sungai Kahayan,Tjilik Riwut,2003\n"
                      "c2,Dongeng Dayak Ngaju,Tjilik Riwut,2019\n", encoding="utf-8")
    catalogue, report, _changes = import_upload(settings, upload)
    registration = RegistrationStore.at(settings).add(Registration(
        "tbm-uji", "hosted", "TBM Uji", "taman-baca", "Kabupaten Katingan",
        report={"upload": report_summary(report)}), set())
    adopt(catalogue, settings, registration.source_id)
    add_user(settings, "ani", "admin")
    with serving("--config", str(config), "--data-dir", str(settings.data_dir)) as served:
        url, admin = served.url, requests.Session()
        token = TOKEN.search(admin.get(url + "/masuk", timeout=5).text).group(1)  # type: ignore[union-attr]
        assert admin.post(url + "/masuk", data={"name": "ani", "password": PASSWORD,
                                                "csrf_token": token}, timeout=5).ok
        token = TOKEN.search(admin.get(url + "/dasbor/", timeout=5).text).group(1)  # type: ignore[union-attr]
        approved = admin.post(f"{url}/dasbor/pendaftaran/{registration.id}/setujui",
                              data={"csrf_token": token}, timeout=5)
        assert "disetujui" in approved.text, approved.text
        served.wait_for(lambda: requests.get(url + "/api/v1/stats", timeout=5)
                        .json().get("works") == 2)
        assert "Dongeng Dayak Ngaju" in requests.get(url + "/cari?q=riwut", timeout=5).text
        assert "TBM Uji" in requests.get(url + "/perpustakaan", timeout=5).text


def test_sigterm_stops_the_worker_and_exits_cleanly(tmp_path: Path) -> None:
    total = 5000
    data = tmp_path / "data"
    with running_node(tmp_path / "node.sqlite3", page_size=10) as node:
        node.catalogue.upsert_many(make_records(total, prefix="kota"))
        config = serve_config(tmp_path / "jala.toml", node.url)
        settings = load_settings(config, data_dir=data, environ={})
        job = JobQueue.at(settings).request("kota", "ani")
        store = RecordStore.at(settings)
        scheduled = state.load(store, "kota")
        scheduled.next_run = "2099-01-01T00:00:00Z"  # the job's is the only harvest
        state.update(store, scheduled)
        with serving("--config", str(config), "--data-dir", str(data)) as served:
            served.wait_for(lambda: store.count("kota") >= 30)
            served.process.send_signal(signal.SIGTERM)
            served.process.wait(timeout=PATIENCE)
        output = served.output()  # read to the end once the process is gone
        assert served.process.returncode == 0, output
        assert "worker stopped" in output and "Traceback" not in output
        assert not [j for j in JobQueue.at(settings).recent() if j.status == "running"]
        assert JobQueue.at(settings).get(job.id).status == "queued"  # resumed by the next start
        [run] = runs.recent(store, "kota", limit=1)
        assert run.status == "interrupted" and store.count("kota") == run.added < total
        assert state.load(store, "kota").checkpoint.token  # the page after the last commit
