"""``jala demo`` as a person runs it: sample nodes, harvest, index, site, clean stop."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

PATIENCE = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_demo_serves_the_harvested_network_and_stops_its_nodes(tmp_path: Path) -> None:
    ports = [free_port() for _ in range(3)]
    config = tmp_path / "jala.toml"
    config.write_text(
        "[web]\ndemo = true\nsecure_cookies = false\nallow_private_sources = true\n"
        + "".join(
            f'[[sources]]\nid = "tbm-{n}"\nname = "TBM {n}"\ntype = "taman-baca"\n'
            f'base_url = "http://127.0.0.1:{port}/oai"\nsample = "taman-baca"\n'
            for n, port in enumerate(ports[:2])
        ),
        encoding="utf-8",
    )
    site = f"http://127.0.0.1:{ports[2]}"
    process = subprocess.Popen(
        [sys.executable, "-m", "jala", "demo", "--config", str(config),
         "--data-dir", str(tmp_path / "var"), "--port", str(ports[2])],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        stats = _wait_for_stats(site, process)
        # Both nodes hold the same sample catalogue, so every work has two holdings.
        assert stats["works"] > 100
        search = requests.get(f"{site}/api/v1/search", params={"q": "anak"}, timeout=10).json()
        assert search["total"] > 0
        assert all(len(hit["work"]["holdings"]) == 2 for hit in search["hits"])
        assert requests.get(f"{site}/cari", params={"q": "anak"}, timeout=10).ok
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0]
    assert process.returncode == 0, output
    assert "admin /" in output
    for port in ports[:2]:
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, "a node outlived the demo"


def _wait_for_stats(site: str, process: subprocess.Popen) -> dict:
    """Poll the API until the index holds works; fail with the demo's output if it died."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.communicate()[0])
        try:
            stats = requests.get(f"{site}/api/v1/stats", timeout=5).json()
            if stats.get("works"):
                return stats
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError("the demo never served an index")
