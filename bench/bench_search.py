"""End-to-end search latency through the JSON API over HTTP (waitress), at any index size.

    .venv/bin/python bench/bench_search.py --index var/bench/index --queries 300

Serves ``/api/v1`` from a separate process (waitress, ``--threads``) on the given index, then
sends 1-, 2- and 3-word queries (words drawn from indexed titles) asking for every facet,
first from one client, then from 8 concurrent clients, and reports p50/p99 and throughput.
Also reports the engine's own latency in-process, to show what HTTP and JSON add, and the
two paths where search forgives (``aggregator.engine.relax``), measured on their own:
``typo`` (2 words, one with a one-letter mistake: the typo-tolerant step) and ``some words``
(a real word and one that matches nothing: the widest step). The 2-word queries are also
sent split by the path they took: those with every word in 10 works or more (the path every
such query took before search forgave) and those that widened (before: fewer than 10
results, mostly none). ``--clients 1`` skips the 8-client run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.query import SearchQuery

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.relevance import typo

CLIENTS = 8


def serve(index: Path, port: int, threads: int) -> None:
    """Run the API on ``index`` until killed (the server process)."""
    import logging
    import tempfile

    import waitress

    from aggregator.analytics import QueryLog
    from aggregator.api import create_app
    from aggregator.generate import network
    from aggregator.search import SearchService
    from config.network import Source

    sources = [Source(id=lib.id, name=lib.id, base_url="http://127.0.0.1/oai",
                      district=lib.district) for lib in network(120)]
    log = QueryLog(Path(tempfile.mkdtemp()) / "analytics.sqlite3")
    service = SearchService(TantivyEngine(index), sources, query_log=log)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queued requests are the test
    waitress.serve(create_app({"SEARCH_SERVICE": service}), host="127.0.0.1", port=port,
                   threads=threads, _quiet=True)


def query_words(index: Path, count: int) -> list[str]:
    """Real words from indexed titles (what patrons type), sampled from a slice of hits."""
    engine = TantivyEngine(index)
    pick = random.Random(3)
    words: list[str] = []
    for page in range(1, 6):
        for hit in engine.search(SearchQuery(size=100, page=page * 37, facets=())).hits:
            words += [w.lower() for w in hit.work.title.split() if w.isalpha() and len(w) > 3]
    engine.close()
    pick.shuffle(words)
    return words[:count]


def queries(words: list[str], length: int, count: int, seed: int) -> list[str]:
    """``count`` queries of ``length`` words."""
    pick = random.Random(seed)
    return [" ".join(pick.sample(words, length)) for _ in range(count)]


def forgiving(words: list[str], count: int, seed: int) -> dict[str, list[str]]:
    """2-word queries for the typo step and for the widest step (one word matches nothing)."""
    pick = random.Random(seed)
    long = [w for w in words if len(w) >= 5]
    return {
        "typo": [f"{pick.choice(words)} {typo(pick.choice(long), pick)}" for _ in range(count)],
        "some words": [f"{pick.choice(words)} qzx{pick.randrange(10**6)}"
                       for _ in range(count)],
    }


def timed_get(port: int, path: str, connection: list[http.client.HTTPConnection]) -> float:
    """One GET over a kept-alive connection; milliseconds until the body is read."""
    if not connection:
        connection.append(http.client.HTTPConnection("127.0.0.1", port, timeout=30))
    started = time.perf_counter()
    connection[0].request("GET", path)
    response = connection[0].getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
    return elapsed


def run(port: int, texts: list[str], clients: int) -> tuple[list[float], float]:
    """Latencies of all queries sent by ``clients`` concurrent clients, and queries/s."""
    paths = [f"/api/v1/search?{urlencode({'q': t, 'size': 20})}" for t in texts]
    shares = [paths[i::clients] for i in range(clients)]

    def client(share: list[str]) -> list[float]:
        connection: list[http.client.HTTPConnection] = []
        return [timed_get(port, p, connection) for p in share]

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = [ms for result in pool.map(client, shares) for ms in result]
    return latencies, len(paths) / (time.perf_counter() - started)


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used: what each query costs, whatever else runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(label: str, latencies: list[float], rate: float | None = None,
           cpu_ms: float | None = None) -> None:
    """Print p50/p99 (and throughput, and the server's CPU per query)."""
    cuts = statistics.quantiles(latencies, n=100)
    extra = f", {rate:,.0f} queries/s" if rate else ""
    extra += f", server CPU {cpu_ms:.1f} ms/query" if cpu_ms is not None else ""
    print(f"  {label:<28} p50 {cuts[49]:6.1f} ms   p99 {cuts[98]:6.1f} ms{extra}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("var/bench/index"))
    parser.add_argument("--queries", type=int, default=300, help="per query length")
    parser.add_argument("--port", type=int, default=8199)
    parser.add_argument("--threads", type=int, default=4, help="waitress threads")
    parser.add_argument("--clients", type=int, choices=(1, CLIENTS), default=CLIENTS,
                        help="the most concurrent clients to measure")
    parser.add_argument("--split-out", type=Path, help="write the 2-word queries by the "
                        "path they took (JSON), to send the same ones to another version")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.index, args.port, args.threads)
        return
    engine = TantivyEngine(args.index)
    print(f"index {args.index}: {engine.count():,} works; every query asks for all facets")
    words = query_words(args.index, 3000)
    print("in-process engine (no HTTP):")
    paths = forgiving(words, args.queries, 7)
    sets = {f"{length}-word": queries(words, length, args.queries, length)
            for length in (1, 2, 3)} | paths
    by_path: dict[str, list[str]] = {"2-word, all words in 10+ works": [],
                                     "2-word, widened": []}
    for label, texts in sets.items():
        latencies = []
        for text in texts:
            started = time.perf_counter()
            result = engine.search(SearchQuery(text=text))
            latencies.append((time.perf_counter() - started) * 1000)
            if label == "2-word":
                by_path[list(by_path)[result.matching != "all"]].append(text)
        report(label, latencies)
    engine.close()
    if args.split_out:
        args.split_out.write_text(json.dumps(by_path, ensure_ascii=False, indent=1))
    server = subprocess.Popen([sys.executable, __file__, "--serve", "--index", str(args.index),
                               "--port", str(args.port), "--threads", str(args.threads)])
    try:
        for _ in range(100):
            try:
                timed_get(args.port, "/api/v1/stats", [])
                break
            except OSError:
                time.sleep(0.1)
        run(args.port, queries(words, 2, 50, 99), 1)
        for clients in sorted({1, args.clients}):
            print(f"HTTP through /api/v1/search, {clients} client(s):")
            sent = {f"{length}-word": queries(words, length, args.queries, 10 * clients + length)
                    for length in (1, 2, 3)} | (paths | by_path if clients == 1 else {})
            for label, texts in sent.items():
                cpu = cpu_seconds(server.pid)
                latencies, rate = run(args.port, texts, clients)
                cpu_ms = (cpu_seconds(server.pid) - cpu) * 1000 / len(latencies)
                report(label, latencies, rate, cpu_ms)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
