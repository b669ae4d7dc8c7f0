"""Normalise + cluster throughput: records/s and memory while clustering N synthetic records.

Run: .venv/bin/python bench/bench_cluster.py [--records 100000] [--common-titles 0.3]
[--rebuild] [--profile FILE]
Records are built from the Gramedia seed books (``data/seed/gramedia-books.json``): each
work is a seed book (a volume number makes repeats distinct works), held by a skewed
number of 60 libraries (most by one, popular ones by many), published as our nodes do
(MARCXML with copies from half of them, oai_dc from the rest) with catalogue variation
(ISBN-10 or -13 or none, "Surname, Given", honorifics, upper case). ``--common-titles F``
makes a share F of the works school textbooks: five short titles ("Matematika", ...) each
written by 300 authors in three editions, so a title is shared by thousands of records
(the pathological case for title blocking). Timed: ``normalise``
of each stored record into the form a worker sends back (``Mapped``: the record's and its
matching view's JSON; since 2026-12-06, so that JSON is no longer counted in clustering)
and ``Clusterer.apply`` into a fresh works.sqlite3, in batches of
1,000 records, one transaction each, as the indexer does; XML rendering is not timed.
RSS is sampled as it goes, and the records clustering read (``WorkStore.rows_read``) are
counted per record. The machine is shared, so CPU throughput (process time) is
reported beside wall time, and ``--profile`` writes a cProfile of the whole run (read it
with ``python -m pstats``). ``--rebuild`` instead writes the records into a real record
store and times ``Indexer.rebuild`` into a real tantivy index by phase (cluster: normalise,
in a worker process one batch ahead, plus clustering; name; index).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil

from aggregator.clusterer import Change, Clusterer
from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.indexer import Indexer
from aggregator.normalise import normalise
from aggregator.workstore import WorkStore
from biblio.isbn import isbn10_to_13
from config.paths import SEED_DIR
from harvester.store import RecordStore, StoredRecord
from node_adapter.oai.formats import FORMATS, INSTITUTION_SLOT
from node_adapter.records import BibRecord, Copy

LIBRARIES = [f"lib{n:02d}" for n in range(60)]
HONORIFICS = ["", "", "", "Dr. ", "H. ", "Prof. Dr. ", "Drs. "]
DEGREES = ["", "", "", ", M.A.", ", S.Pd.", ", M.Si."]
TEXTBOOKS = ["Matematika", "Bahasa Indonesia", "Pendidikan Agama Islam", "IPA Terpadu",
             "Kamus Bahasa Inggris"]
GIVEN = ["Ahmad", "Siti", "Budi", "Sri", "Agus", "Dewi", "Joko", "Nur", "Rina", "Hadi",
         "Yusuf", "Wahyu", "Eko", "Lestari", "Bambang"]
FAMILY = ["Santoso", "Wijaya", "Saputra", "Hidayat", "Kurniawan", "Susanto", "Rahayu",
          "Setiawan", "Pratama", "Nugroho", "Siregar", "Harahap", "Lubis", "Nasution",
          "Simanjuntak", "Sembiring", "Hasibuan", "Tanjung", "Purba", "Sinaga"]


def isbn10(n: int) -> str:
    """A valid ISBN-10 for a synthetic work number."""
    body = f"602{n:06d}"
    check = (11 - sum((10 - i) * int(c) for i, c in enumerate(body)) % 11) % 11
    code = body + ("X" if check == 10 else str(check))
    return code


def author_form(name: str, rng: random.Random) -> str:
    """One library's way of writing an author."""
    parts = name.split()
    if len(parts) > 1 and rng.random() < 0.4:
        name = f"{parts[-1]}, {' '.join(parts[:-1])}"
    return rng.choice(HONORIFICS) + name + rng.choice(DEGREES)


def textbook(rng: random.Random) -> tuple[str, str, int]:
    """A school textbook edition: common title, one of its 300 authors, edition year."""
    author = rng.randrange(300)
    name = f"{GIVEN[author % 15]} {FAMILY[author // 15]}"
    return rng.choice(TEXTBOOKS), name, rng.choice([2006, 2013, 2018])


def stored_records(count: int, seed: int = 7, common: float = 0.0) -> Iterator[StoredRecord]:
    """``count`` records of skew-held synthetic works, as the harvester would store them."""
    rng = random.Random(seed)
    books = json.loads((SEED_DIR / "gramedia-books.json").read_text(encoding="utf-8"))
    produced, work = 0, 0
    while produced < count:
        book = books[work % len(books)]
        volume = work // len(books)
        title = book["Title"] + (f" {volume + 1}" if volume else "")
        author = book.get("Author") or "Anonim"
        holders = rng.sample(LIBRARIES, min(len(LIBRARIES), int(rng.paretovariate(1.2))))
        code10 = isbn10(work)
        year = 1990 + work % 35
        if common and rng.random() < common:
            title, author, year = textbook(rng)
        for library in holders:
            if produced >= count:
                break
            shown = title.upper() if rng.random() < 0.1 else title
            isbn = rng.choice([[code10], [isbn10_to_13(code10)], []])
            prefix = "marc21" if int(library[3:]) % 2 else "oai_dc"
            record = BibRecord(
                local_id=f"{library}-{produced}", title=shown,
                creators=[author_form(author, rng)],
                publisher="Gramedia", year=year, isbn=isbn, language="ind",
                subjects=[book.get("category") or "umum"], material_type="buku",
                copies=[Copy(f"B{produced}-{k}", "Rak Umum", "", "tersedia")
                        for k in range(rng.randint(1, 3))])
            xml = FORMATS[prefix].render(record).replace(INSTITUTION_SLOT, library)
            produced += 1
            yield StoredRecord(library, f"oai:{library}:{produced}", "2024-01-01T00:00:00Z",
                               False, prefix, xml, seq=produced)
        work += 1


def batches(count: int, common: float, size: int = 1000) -> Iterator[list[StoredRecord]]:
    """The synthetic records in indexer-sized batches (made before their batch is timed)."""
    batch: list[StoredRecord] = []
    for stored in stored_records(count, common=common):
        batch.append(stored)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Clock:
    """Wall and CPU seconds spent in named stages (CPU tells more on a shared machine)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._marks = (0.0, 0.0)

    def start(self) -> None:
        """Begin timing a stage."""
        self._marks = (time.perf_counter(), time.process_time())

    def stop(self, stage: str) -> None:
        """Add the time since ``start`` to a stage."""
        wall, cpu = self._marks
        self.wall[stage] = self.wall.get(stage, 0.0) + time.perf_counter() - wall
        self.cpu[stage] = self.cpu.get(stage, 0.0) + time.process_time() - cpu


def run(count: int, common: float) -> dict[str, float]:
    """Cluster ``count`` records into a temporary works database; timings and memory."""
    process = psutil.Process()
    clock = Clock()
    rss: list[float] = []
    done = 0
    with tempfile.TemporaryDirectory() as folder:
        works = WorkStore(Path(folder) / "works.sqlite3")
        clusterer = Clusterer(works)
        for batch in batches(count, common):
            clock.start()
            changes = [Change.of(normalise(stored), stored.seq) for stored in batch]
            clock.stop("normalise")
            clock.start()
            with works.transaction():
                clusterer.apply(changes)
            clock.stop("cluster")
            quarter = count // 4 or 1
            if (done + len(batch)) // quarter > done // quarter:
                rss.append(process.memory_info().rss / 2**20)
            done += len(batch)
        total_works = works.count_works()
        rows_read = works.rows_read
        works.close()
    total = sum(clock.wall.values())
    return {"records": count, "works": total_works,
            "normalise_per_s": count / clock.wall["normalise"],
            "cluster_per_s": count / clock.wall["cluster"],
            "records_per_s": count / total, "seconds": total,
            "cpu_records_per_s": count / sum(clock.cpu.values()),
            "rows_read_per_record": rows_read / count,
            "rss_mib_by_quarter": [round(r) for r in rss]}  # type: ignore[dict-item]


def rebuild(count: int, common: float) -> dict[str, float]:
    """``Indexer.rebuild`` of a store of ``count`` records: seconds and records/s by phase."""
    process = psutil.Process()
    with tempfile.TemporaryDirectory() as folder:
        store = RecordStore(Path(folder) / "records.sqlite3")
        for batch in batches(count, common):
            with store.transaction() as db:
                store.write_records(db, batch)
        engine = TantivyEngine(Path(folder) / "index", writer=True)
        indexer = Indexer(store, WorkStore(Path(folder) / "works.sqlite3"), engine, {})
        phases: dict[str, float] = {}
        rss: list[float] = []
        started = time.perf_counter()
        cpu = time.process_time()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)

        def progress(phase: str, done: int, total: int) -> None:
            phases[phase] = time.perf_counter() - started
            if phase == "cluster" and done % (count // 4 or 1) < 1000:
                rss.append(process.memory_info().rss / 2**20)

        report = indexer.rebuild(progress)
        total = time.perf_counter() - started
        cpu = time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        engine.close()
    return {"records": count, "works": report.works_upserted,
            "cluster_seconds": phases["cluster"],
            "cluster_records_per_s": count / phases["cluster"],
            "name_seconds": phases["name"] - phases["cluster"],
            "index_seconds": total - phases["name"], "seconds": total,
            "records_per_s": count / total, "main_process_cpu_seconds": cpu,
            "worker_cpu_seconds": worker_cpu,
            "rss_mib_by_quarter": [round(r) for r in rss]}  # type: ignore[dict-item]


def main() -> None:
    """Print one JSON line of results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--common-titles", type=float, default=0.0, metavar="SHARE",
                        help="share of works that are school textbooks with common titles")
    parser.add_argument("--rebuild", action="store_true",
                        help="time Indexer.rebuild from a record store instead")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the run here")
    args = parser.parse_args()
    measure = rebuild if args.rebuild else run
    if args.profile:
        profiler = cProfile.Profile()
        result = profiler.runcall(measure, args.records, args.common_titles)
        profiler.dump_stats(args.profile)
    else:
        result = measure(args.records, args.common_titles)
    print(json.dumps({k: round(v, 1) if isinstance(v, float) else v
                      for k, v in result.items()}))


if __name__ == "__main__":
    main()
