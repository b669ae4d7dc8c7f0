"""Index throughput of the embedded engine on synthetic works (``jala generate``'s generator).

    .venv/bin/python bench/bench_index.py --records 1000000 --index var/bench/index

Reports the stemmer's speed (cold and cached), then streams works into a fresh tantivy
index in batches and reports works/s with and without the time spent generating them.
The index is left in place for ``bench/bench_search.py``.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from aggregator.engine.analysis import ROOT_WORDS_FILE, Analyzer
from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.generate import Generator
from aggregator.model import Work


def stemmer_speed() -> None:
    """Words per second through Sastrawi, first sight (cold) and from the cache (warm)."""
    analyzer = Analyzer()
    roots = ROOT_WORDS_FILE.read_text(encoding="utf-8").split()
    pick = random.Random(7)
    words = [pick.choice(("me", "ber", "di", "pe", "ter")) + w + pick.choice(("", "kan", "an"))
             for w in pick.sample(roots, 20_000)]
    started = time.perf_counter()
    for word in words:
        analyzer.stem(word)
    cold = len(words) / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(10):
        for word in words:
            analyzer.stem(word)
    warm = 10 * len(words) / (time.perf_counter() - started)
    print(f"stemmer: {cold:,.0f} words/s cold (affixed, uncached), {warm:,.0f} words/s cached")


def memory() -> str:
    """Resident memory: anonymous (the process's own) and file pages (mapped index files)."""
    status = dict(line.split(":", 1) for line in
                  Path("/proc/self/status").read_text().splitlines() if ":" in line)
    anon, files = (int(status[key].split()[0]) / 2**10 for key in ("RssAnon", "RssFile"))
    return f"{anon + files:,.0f} MiB ({anon:,.0f} anonymous, {files:,.0f} file)"


class Timed:
    """Wraps the generator so its own time can be subtracted from the indexing time."""

    def __init__(self, works: Iterator[Work]) -> None:
        self.works = works
        self.seconds = 0.0

    def __iter__(self) -> Iterator[Work]:
        while True:
            started = time.perf_counter()
            work = next(self.works, None)
            self.seconds += time.perf_counter() - started
            if work is None:
                return
            yield work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--index", type=Path, default=Path("var/bench/index"))
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--heap-mb", type=int, default=512)
    parser.add_argument("--threads", type=int, default=0,
                        help="writer threads (0: tantivy decides)")
    args = parser.parse_args()
    stemmer_speed()
    shutil.rmtree(args.index, ignore_errors=True)
    args.index.with_name(args.index.name + ".lock").unlink(missing_ok=True)
    generator = Generator(seed=42)
    timed = Timed(generator.works(args.records))
    started = time.perf_counter()
    analyzer = Analyzer()
    engine = TantivyEngine(args.index, writer=True, heap_mb=args.heap_mb, threads=args.threads,
                           analyzer=analyzer)
    batch: list[Work] = []
    done = 0
    for work in timed:
        batch.append(work)
        if len(batch) == args.batch:
            done += engine.upsert(batch)
            batch = []
            if done % 100_000 == 0:
                print(f"  {done:,} works, {time.perf_counter() - started:.0f} s, "
                      f"rss {memory()}, "
                      f"stem cache {analyzer.cache_info().size:,} words", flush=True)
    done += engine.upsert(batch)
    commit_started = time.perf_counter()
    engine.commit()
    engine.close()
    elapsed = time.perf_counter() - started
    size = sum(f.stat().st_size for f in args.index.iterdir()) / 2**20
    indexing = elapsed - timed.seconds
    print(f"indexed {done:,} works in {elapsed:.1f} s ({done / elapsed:,.0f} works/s "
          f"including generation; generation {timed.seconds:.1f} s)")
    print(f"indexing alone (analysis + tantivy): {indexing:.1f} s, {done / indexing:,.0f} works/s;"
          f" final commit and merges {time.perf_counter() - commit_started:.1f} s")
    stems = analyzer.cache_info()
    print(f"stem cache: {stems.lookups:,} words looked up, {stems.misses:,} stemmed by Sastrawi "
          f"(hit rate {stems.hit_rate:.2%}), {stems.size:,} of {stems.maxsize:,} entries")
    print(f"index size {size:,.0f} MiB; rss now {memory()}, peak "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MiB")


if __name__ == "__main__":
    main()
