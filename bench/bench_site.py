"""Patron site speed: render time and bytes on the wire of the results and work pages.

Builds a tantivy index of ``--works`` works from the real seed titles (spread over the demo
libraries) in a temporary data directory, then asks the Flask app (in process, gzip on)
for result pages of common words and for work pages, and prints p50/p95 and sizes.

    .venv/bin/python bench/bench_site.py --works 20000 --requests 300
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time

from aggregator.engine import open_engine
from aggregator.model import Holding, Work
from config.paths import PROJECT_ROOT, SEED_DIR
from config.settings import load_settings
from search_ui.app import create_app

WORDS = ["sejarah", "islam", "anak", "cerita", "bisnis", "novel", "belajar", "indonesia"]


def _works(count: int, libraries: list[str]) -> list[Work]:
    """``count`` works cycling through the seed titles, one to three holdings each."""
    books = json.loads((SEED_DIR / "gramedia-books.json").read_text(encoding="utf-8"))
    return [Work(id=f"w{n}", title=books[n % len(books)]["Title"],
                 creators=[books[n % len(books)]["Author"]], year=2000 + n % 25,
                 subjects=[books[n % len(books)]["category"]], language="ind",
                 holdings=[Holding(library_id=libraries[(n + k) % len(libraries)],
                                   record_id=f"{n}-{k}", copies=2, available=n % 2)
                           for k in range(1 + n % 3)])
            for n in range(count)]


def _percentiles(samples: list[float]) -> str:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    return (f"p50 {statistics.median(ordered) * 1000:.1f} ms, "
            f"p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:.1f} ms")


def main() -> None:
    """Build, then measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(PROJECT_ROOT / "config" / "jala.toml", data_dir=folder,
                                 environ={})
        libraries = [t["id"] for t in settings.tables("sources")]
        engine = open_engine(settings, writer=True)
        engine.upsert(_works(args.works, libraries))
        engine.commit()
        engine.close()
        app = create_app({"SETTINGS": settings})
        client = app.test_client()
        gzip = {"Accept-Encoding": "gzip"}
        for label, urls in (
            ("results", [f"/cari?q={WORDS[n % len(WORDS)]}" for n in range(args.requests)]),
            ("results, filtered", [f"/cari?q={WORDS[n % len(WORDS)]}&f=library:{libraries[0]}"
                                   for n in range(args.requests)]),
            ("work", [f"/karya/w{(n * 7919) % args.works}" for n in range(args.requests)]),
        ):
            times, sizes = [], []
            for url in urls:
                started = time.perf_counter()
                response = client.get(url, headers=gzip)
                times.append(time.perf_counter() - started)
                sizes.append(len(response.get_data()))
            print(f"{label:18} {_percentiles(times)}, gzip body max {max(sizes):,} bytes")
        app.extensions["search_service"].close()


if __name__ == "__main__":
    main()
