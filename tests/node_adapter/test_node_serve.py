"""``jala node serve`` as an operator runs it: a waitress process answering /health and /oai."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from node_adapter.catalogue import Catalogue
from tests.support.nodes import make_records
from tests.support.xsd import NS, assert_valid_oai

JALA = Path(sys.executable).parent / "jala"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_publishes_the_catalogue(tmp_path: Path) -> None:
    db = tmp_path / "kota.sqlite3"
    with Catalogue(db) as catalogue:
        catalogue.upsert_many(make_records(3, prefix="kota"))
    port = _free_port()
    env = {**os.environ, "JALA_NODE_REPOSITORY_IDENTIFIER": "kota.example.id"}
    server = subprocess.Popen([str(JALA), "node", "serve", "--db", str(db), "--port", str(port),
                               "--data-dir", str(tmp_path)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        health = None
        for _ in range(100):
            try:
                health = requests.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert health is not None and health["records"] == 3
        response = requests.get(f"http://127.0.0.1:{port}/oai", timeout=5,
                                params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
        assert response.headers["Server"] == "jala-node"
        root = assert_valid_oai(response.content)
        assert root.xpath("//oai:identifier/text()", namespaces=NS)[0].startswith(
            "oai:kota.example.id:kota-")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_refuses_a_bad_configuration(tmp_path: Path) -> None:
    env = {**os.environ, "JALA_NODE_REPOSITORY_IDENTIFIER": "not a domain"}
    done = subprocess.run([str(JALA), "node", "serve", "--db", str(tmp_path / "x.sqlite3"),
                           "--data-dir", str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    assert "repository_identifier" in done.stderr
