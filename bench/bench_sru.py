"""Benchmark /sru: searchRetrieve latency per kind of CQL query, records rendered.

Indexes ``--works`` synthetic works (``aggregator.generate``) into a fresh tantivy index,
then answers ``--queries`` searchRetrieve requests of each kind through the real Flask
route in-process (Werkzeug's test client: no HTTP, the search bench measures waitress),
10 MARCXML records each, and prints p50/p95 per kind and the peak RSS (VmHWM). Words are
drawn from indexed titles and creators. Run from the project root:

    .venv/bin/python bench/bench_sru.py --works 50000 --queries 100
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.generate import Generator, network
from aggregator.model import Work
from aggregator.search import SearchService
from aggregator.union.feed import init_union
from bench.bench_union import peak_rss_mb
from config.network import Source
from config.settings import Settings


def kinds(sample: list[Work], pick: random.Random, total: int) -> dict[str, list[str]]:
    """CQL queries of each kind, built from works in the index."""
    def title_words(work: Work, count: int) -> str:
        words = [w for w in work.title.split() if w.isalpha() and len(w) > 3] or ["buku"]
        return " ".join(words[:count])

    def surname(work: Work) -> str:
        return (work.creators or ["x"])[0].split()[-1]

    return {
        "anywhere = (forgiving)": [f'cql.anywhere = "{title_words(w, 2)}"' for w in sample],
        "dc.title adj": [f'dc.title adj "{title_words(w, 2)}"' for w in sample],
        "dc.creator exact": [f'dc.creator exact "{w.creators[0]}"' for w in sample
                             if w.creators],
        "bath.isbn": [f"bath.isbn = {w.isbns[0]}" for w in sample if w.isbns],
        "or / not": [f'(dc.title any "{title_words(w, 1)}" or dc.subject = sejarah) '
                     f'not dc.creator any "{surname(pick.choice(sample))}"' for w in sample],
        "allRecords, deep page": [f"cql.allRecords = 1&startRecord={pick.randrange(1, total - 10)}"
                                  for _ in sample],
    }


def main() -> None:
    """Index, then time each kind of query."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=100)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(raw={}, data_dir=Path(folder))
        engine = TantivyEngine(Path(folder) / "index", writer=True, heap_mb=128, threads=1)
        works = Generator().works(options.works)
        started = time.perf_counter()
        while batch := list(islice(works, 5000)):
            engine.upsert(batch)
        engine.commit()
        print(f"indexed {options.works:,} works in {time.perf_counter() - started:.1f} s, "
              f"peak RSS {peak_rss_mb():.0f} MB", flush=True)
        sources = [Source(id=lib.id, name=lib.id, base_url="http://127.0.0.1/oai",
                          district=lib.district) for lib in network(120)]
        app = Flask(__name__)
        app.extensions["search_service"] = SearchService(engine, sources)
        init_union(app, settings)
        client = app.test_client()
        pick = random.Random(7)
        step = max(1, options.works // options.queries)
        sample = list(islice(Generator().works(options.queries * step), 0, None, step))
        for label, queries in kinds(sample, pick, options.works).items():
            latencies, found = [], 0
            for query in queries:
                text, _, start = query.partition("&startRecord=")
                began = time.perf_counter()
                answer = client.get("/sru", query_string={
                    "query": text, "startRecord": start or "1", "maximumRecords": "10"})
                latencies.append((time.perf_counter() - began) * 1000)
                found += answer.data.count(b"<record>")
            cuts = statistics.quantiles(latencies, n=20)
            print(f"  {label:<24} p50 {cuts[9]:7.1f} ms   p95 {cuts[18]:7.1f} ms   "
                  f"{found / len(queries):4.1f} records/answer", flush=True)
        print(f"peak RSS {peak_rss_mb():.0f} MB")
        engine.close()


if __name__ == "__main__":
    main()
