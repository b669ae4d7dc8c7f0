"""Registration against hostile providers on loopback: trickling bytes, redirect tricks, and
a site that keeps answering patrons while slow checks run."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from config.registrations import RegistrationStore
from harvester.deadline import Deadline
from harvester.errors import DeadlineExceeded
from search_ui.registration.probe import probe
from tests.search_ui.staff_support import (
    TOKEN,
    add_user,
    agency_app,
    agency_settings,
    csrf_token,
    login,
)
from tests.search_ui.test_registration import FORM, _redirector
from tests.support.http import live_server

PATIENCE = 60
"""Seconds a test waits for an answer before calling the service stuck (not a speed test)."""


class _Trickler(socketserver.ThreadingTCPServer):
    """A provider on loopback that sends one byte every tenth of a second, for ever."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, headers_too: bool) -> None:
        super().__init__(("127.0.0.1", 0), _TrickleHandler)
        self.headers_too = headers_too
        self.stopping = threading.Event()
        self.connections = threading.Semaphore(0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/oai"


class _TrickleHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: _Trickler = self.server  # type: ignore[assignment]
        server.connections.release()
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 999999\r\n\r\n"
        stream = head + b"<?xml version='1.0'?>" if server.headers_too else head
        if not server.headers_too:
            self.request.sendall(head)
        position = 0
        while not server.stopping.wait(0.1):
            byte = stream[position:position + 1] or b" "
            position += 1
            try:
                self.request.sendall(byte)
            except OSError:
                return


@contextmanager
def trickler(headers_too: bool = False) -> Iterator[_Trickler]:
    """A trickling provider for the block."""
    server = _Trickler(headers_too)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


def _web(**changes: object) -> dict[str, object]:
    return {"allow_private_sources": True, "allowed_source_networks": [],
            "check_timeout": 1.0, "check_deadline": 30.0, **changes}


def _probe_in_time(url: str, tmp_path: Path, web: dict[str, object]) -> list[str]:
    """The problems ``probe`` reports; the call must come back at all."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(probe, url, agency_settings(tmp_path), web)
        report = future.result(timeout=PATIENCE)
    assert not report.usable
    return report.problems


@pytest.mark.parametrize("headers_too", [False, True])
def test_a_trickling_provider_is_cut_off_per_request(tmp_path: Path, headers_too: bool) -> None:
    with trickler(headers_too) as provider:
        problems = _probe_in_time(provider.url, tmp_path, _web())
    assert problems == [f"DeadlineExceeded: {provider.url}: no complete answer within the 1 s "
                        "allowed per request"]


def test_the_whole_check_has_a_deadline(tmp_path: Path) -> None:
    with trickler() as provider:
        problems = _probe_in_time(provider.url, tmp_path,
                                  _web(check_timeout=20.0, check_deadline=1.0))
    assert problems[0].endswith("no complete answer within the 1 s allowed in all")


def test_an_expired_deadline_starts_nothing_new() -> None:
    with Deadline(per_request=5, total=0.01) as deadline:
        threading.Event().wait(0.3)
        with pytest.raises(DeadlineExceeded, match="allowed in all"):
            deadline.check("next request")


@pytest.mark.parametrize("target", ["file:///etc/passwd", "LOOP"])
def test_redirect_tricks_are_reported_not_a_500(tmp_path: Path, target: str) -> None:
    settings = agency_settings(tmp_path, allow_private_sources=True, check_timeout=5.0)
    client = agency_app(settings).test_client()
    with live_server(_redirector(target if target != "LOOP" else "/oai")) as bouncer:
        token = csrf_token(client, "/daftar")
        answer = client.post("/daftar", data={**FORM, "catalogue": "oai",
                                              "csrf_token": token,
                                              "base_url": f"{bouncer.url}/oai"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert ("InvalidSchema" if target != "LOOP" else "TooManyRedirects") in page
    assert RegistrationStore.at(settings).by_status("pending") == []


def test_a_huge_registration_id_is_not_found(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path)
    add_user(settings, "admin", "admin")
    client = agency_app(settings).test_client()
    login(client, "admin")
    token = csrf_token(client, "/dasbor/")
    answer = client.post(f"/dasbor/pendaftaran/{10 ** 30}/setujui",
                         data={"csrf_token": token})
    assert answer.status_code == 404


def _register(site: str, base_url: str) -> int:
    """Send the registration form from a fresh browser session; the HTTP status."""
    with requests.Session() as session:
        form = session.get(f"{site}/daftar", timeout=PATIENCE).text
        token = TOKEN.search(form)
        assert token
        answer = session.post(f"{site}/daftar", timeout=PATIENCE, data={
            **FORM, "catalogue": "oai", "csrf_token": token.group(1), "base_url": base_url})
        return answer.status_code


def test_slow_checks_never_starve_patron_pages(tmp_path: Path) -> None:
    settings = agency_settings(tmp_path, allow_private_sources=True, check_timeout=120.0,
                               check_deadline=120.0, concurrent_registrations=2)
    with trickler() as provider, live_server(agency_app(settings), threads=4) as site, \
            ThreadPoolExecutor(2) as pool:
        slow = [pool.submit(_register, site.url, provider.url) for _ in range(2)]
        for _ in slow:
            assert provider.connections.acquire(timeout=PATIENCE)
        assert _register(site.url, provider.url) == 503
        patron = requests.get(f"{site.url}/cari", params={"q": "buku"}, timeout=PATIENCE)
        assert patron.status_code == 200
        provider.stopping.set()
        assert [future.result(timeout=PATIENCE) for future in slow] == [422, 422]
