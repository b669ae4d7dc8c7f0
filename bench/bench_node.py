"""Benchmark the node adapter: bulk-load a catalogue, serve it, harvest it all over HTTP.

For each size: builds a catalogue of generated records (real Gramedia titles) with one
``upsert_many``, starts ``jala node serve`` (waitress) in its own process, harvests the
whole catalogue sequentially with ListRecords (oai_dc, 100 per page) once without and
once with gzip, and prints records/s, page latency p50/p95/max, the server's CPU time per
page (independent of what else runs on the machine) and the server's peak RSS
(VmHWM), with the machine's load average beside it (other work shares the cores). Run
from the project root:

    .venv/bin/python bench/bench_node.py --records 100000 --records 20000
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from node_adapter.catalogue import Catalogue
from tests.support.nodes import make_records

PAGE_SIZE = 100


def build(path: Path, size: int) -> float:
    """Load ``size`` records in one transaction; returns records/s."""
    records = make_records(size, prefix="bench")
    started = time.perf_counter()
    with Catalogue(path) as catalogue:
        catalogue.upsert_many(records)
    return size / (time.perf_counter() - started)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    """``jala node serve`` in its own process, waited for until /health answers."""
    jala = Path(sys.executable).parent / "jala"
    env = {**os.environ, "JALA_NODE_PAGE_SIZE": str(PAGE_SIZE)}
    server = subprocess.Popen([str(jala), "node", "serve", "--db", str(db), "--port", str(port),
                               "--data-dir", str(db.parent)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            requests.get(f"http://127.0.0.1:{port}/health", timeout=1).raise_for_status()
            return server
        except requests.RequestException:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the node did not start")


def peak_rss_mib(pid: int) -> float:
    """The process's high-water resident set size."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used: what a page costs, whatever the load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def harvest(url: str, gzip: bool) -> tuple[int, float, list[float]]:
    """Records, seconds and per-page latencies of one full sequential ListRecords."""
    session = requests.Session()
    session.headers["Accept-Encoding"] = "gzip" if gzip else "identity"
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    latencies: list[float] = []
    records = 0
    started = time.perf_counter()
    while True:
        before = time.perf_counter()
        body = session.get(url, params=params, timeout=30).text
        latencies.append(time.perf_counter() - before)
        records += body.count("<record>")
        token_start = body.find('">', body.rfind("<resumptionToken"))
        token = body[token_start + 2:body.find("</resumptionToken>")] if "</resumptionToken>" \
            in body else ""
        if not token:
            return records, time.perf_counter() - started, latencies
        params = {"verb": "ListRecords", "resumptionToken": token}


def run(size: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "catalogue.sqlite3"
        load_rate = build(db, size)
        port = free_port()
        server = start_server(db, port)
        try:
            for gzip in (False, True):
                cpu_before = cpu_seconds(server.pid)
                records, seconds, latencies = harvest(f"http://127.0.0.1:{port}/oai", gzip)
                cpu_per_page = (cpu_seconds(server.pid) - cpu_before) / len(latencies)
                assert records == size, f"harvested {records} of {size}"
                quantiles = statistics.quantiles(latencies, n=100)
                print(f"{size:>7} records  gzip={'on ' if gzip else 'off'}"
                      f"  {records / seconds:>8,.0f} records/s"
                      f"  page p50 {quantiles[49] * 1000:5.2f} ms"
                      f"  p95 {quantiles[94] * 1000:5.2f} ms"
                      f"  max {max(latencies) * 1000:6.2f} ms"
                      f"  server CPU {cpu_per_page * 1000:4.2f} ms/page"
                      f"  ({len(latencies)} pages)")
            print(f"{size:>7} records  server peak RSS {peak_rss_mib(server.pid):.1f} MiB;"
                  f" bulk load {load_rate:,.0f} records/s;"
                  f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        finally:
            server.terminate()
            server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, action="append",
                        help="catalogue size (repeatable; default 100000 and 20000)")
    for size in parser.parse_args().records or [100_000, 20_000]:
        run(size)


if __name__ == "__main__":
    main()
