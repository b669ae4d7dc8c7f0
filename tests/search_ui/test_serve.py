"""``jala serve`` as a real process: site and API on waitress, the worker harvesting, indexing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
from tests.search_ui.staff_support import PASSWORD, TOKEN, add_user
from tests.support.http import free_port
from tests.support.nodes import make_records, running_node

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 60.0


@dataclass
class Served:
    """A running ``jala serve`` process and its address."""

    url: str
    process: subprocess.Popen[str]

    def wait_for(self, check: Callable[[], bool]) -> None:
        """Poll ``check`` until true; fail with the server's output if it dies or never does."""
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read() if self.process.stdout else ""
                pytest.fail(f"jala serve exited: {output}")
            try:
                if check():
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        pytest.fail("jala serve never got there")


@contextmanager
def _serving(*args: str) -> Iterator[Served]:
    """Run ``jala serve`` with ``args``; yield it once it answers; stop it with Ctrl-C."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "jala"), "serve", "--port", str(port), *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    served = Served(f"http://127.0.0.1:{port}", process)
    try:
        served.wait_for(lambda: requests.get(served.url + "/robots.txt", timeout=5).ok)
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _config(path: Path, source_url: str = "") -> Path:
    """A configuration with one library (or none)."""
    text = "[web]\nsecret_key = \"t\"\n"
    if source_url:
        text += ('\n[[sources]]\nid = "kota"\nname = "Perpustakaan Kota Uji"\n'
                 f'base_url = "{source_url}"\ndistrict = "Kota Uji"\nschedule = "every 24h"\n'
                 'whatsapp = "6281200000000"\n')
    path.write_text(text, encoding="utf-8")
    return path


def test_serve_harvests_indexes_and_serves(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_node(tmp_path / "node.sqlite3", page_size=10) as node:
        node.catalogue.upsert_many(make_records(15, prefix="kota"))
        config = _config(tmp_path / "jala.toml", node.url)
        with _serving("--config", str(config), "--data-dir", str(data)) as served:
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
    config = _config(tmp_path / "jala.toml")
    data = tmp_path / "data"
    open_engine(load_settings(config, data_dir=data, environ={}), writer=True).close()
    with _serving("--config", str(config), "--data-dir", str(data), "--no-worker") as served:
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
    with _serving("--config", str(config), "--data-dir", str(settings.data_dir)) as served:
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
        config = _config(tmp_path / "jala.toml", node.url)
        settings = load_settings(config, data_dir=data, environ={})
        job = JobQueue.at(settings).request("kota", "ani")
        store = RecordStore.at(settings)
        scheduled = state.load(store, "kota")
        scheduled.next_run = "2099-01-01T00:00:00Z"  # the job's is the only harvest
        state.update(store, scheduled)
        with _serving("--config", str(config), "--data-dir", str(data)) as served:
            served.wait_for(lambda: store.count("kota") >= 30)
            served.process.send_signal(signal.SIGTERM)
            output, _ = served.process.communicate(timeout=PATIENCE)
        assert served.process.returncode == 0, output
        assert "worker stopped" in output and "Traceback" not in output
        assert not [j for j in JobQueue.at(settings).recent() if j.status == "running"]
        assert JobQueue.at(settings).get(job.id).status == "queued"  # resumed by the next start
        [run] = runs.recent(store, "kota", limit=1)
        assert run.status == "interrupted" and store.count("kota") == run.added < total
        assert state.load(store, "kota").checkpoint.token  # the page after the last commit
