"""Benchmark the union catalogue: publish generated works, then harvest them all over /oai.

Publishes ``--works`` synthetic works (``aggregator.generate``) into a fresh union table
in batches of 1,000 (as the indexer's ``on_batch`` would), then harvests the whole feed
with ListRecords (marc21, 100 per page) through the provider in-process (no HTTP: the
node benchmark measures waitress and gzip), printing works/s for each phase, page latency
p50/p95/max, then writes the open data dump (time, file sizes), with the peak RSS
(VmHWM) after each phase, so a flat RSS shows streaming.
Run from the project root:

    .venv/bin/python bench/bench_union.py --works 100000
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aggregator.generate import Generator
from aggregator.union.config import load_union_config
from aggregator.union.dump import write_dump
from aggregator.union.store import UnionStore
from config.province import load_province
from config.settings import Settings
from node_adapter.oai.provider import Provider

TOKEN = re.compile(r"<resumptionToken [^>]*[^/]>([^<]+)</resumptionToken>")


def peak_rss_mb() -> float:
    """The process's peak resident set so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    """Publish, then harvest, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(raw={"union": {"page_size": 100}}, data_dir=Path(folder))
        store = UnionStore(load_union_config(settings).database, {}, load_province(settings))
        works = Generator().works(options.works)
        started = time.perf_counter()
        while batch := list(islice(works, 1000)):
            store.publish(batch, [])
        published = time.perf_counter() - started
        print(f"published {options.works:,} works in {published:.1f} s "
              f"({options.works / published:,.0f} works/s), peak RSS {peak_rss_mb():.0f} MB")
        provider = Provider(store.catalogue, load_union_config(settings))
        arguments = {"verb": ["ListRecords"], "metadataPrefix": ["marc21"]}
        latencies, records, size = [], 0, 0
        started = time.perf_counter()
        while True:
            page_started = time.perf_counter()
            body = "".join(provider.respond(arguments, "http://127.0.0.1/oai"))
            latencies.append(time.perf_counter() - page_started)
            records += body.count("<record>")
            size += len(body)
            token = TOKEN.search(body)
            if not token:
                break
            arguments = {"verb": ["ListRecords"], "resumptionToken": [token.group(1)]}
        harvested = time.perf_counter() - started
        cut = statistics.quantiles(latencies, n=20)
        print(f"harvested {records:,} records in {len(latencies):,} pages, {harvested:.1f} s "
              f"({records / harvested:,.0f} records/s, {size / 2**20:,.0f} MB of XML); page "
              f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {cut[18] * 1000:.1f} ms,"
              f" max {max(latencies) * 1000:.1f} ms; peak RSS {peak_rss_mb():.0f} MB; "
              f"load average {' '.join(f'{x:.1f}' for x in psutil.getloadavg())}")
        started = time.perf_counter()
        manifest = write_dump(store, load_union_config(settings))
        sizes = ", ".join(f"{f['name']} {f['bytes'] / 2**20:,.0f} MB" for f in manifest["files"])
        print(f"dumped {manifest['works']:,} works in {time.perf_counter() - started:.1f} s "
              f"({sizes}); peak RSS {peak_rss_mb():.0f} MB")
        store.close()


if __name__ == "__main__":
    main()
