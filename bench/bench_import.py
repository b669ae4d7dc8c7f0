"""Catalogue import speed and memory: rows/s and peak RSS for generated template CSVs.

Run: .venv/bin/python bench/bench_import.py [--rows 25000 --rows 100000]
Each size runs in a fresh process (so peak RSS is that import's alone): the CSV is
written from the Gramedia seed records (unique ids, 1-3 copies each, ISBN on most rows),
then it is read and validated alone (`parse_rows_per_s`: intake without storing), and
`import_files` loads it into a new SQLite catalogue in one transaction (`rows_per_s`:
end to end, including the catalogue rendering each record's oai_dc and MARCXML).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from node_adapter.catalogue import Catalogue
from node_adapter.intake.config import intake_options
from node_adapter.intake.importer import FileReport, file_records, import_files
from node_adapter.samples import sample_records

HEADERS = ["id", "judul", "pengarang", "penerbit", "kota terbit", "tahun", "isbn", "bahasa",
           "subjek", "klasifikasi", "no panggil", "jenis", "kode eksemplar", "lokasi", "status"]


def write_csv(path: Path, rows: int) -> None:
    """A template CSV of ``rows`` distinct records cycling through the provinsi sample."""
    seed = list(sample_records("provinsi"))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for n in range(rows):
            r = seed[n % len(seed)]
            copies = [f"B{n:07d}-{k}" for k in range(1 + n % 3)]
            writer.writerow([
                f"R{n:07d}", f"{r.title} (jilid {n // len(seed) + 1})", "; ".join(r.creators),
                r.publisher, r.place, r.year or "", "", r.language, "; ".join(r.subjects),
                r.classification, r.call_number, r.material_type, "; ".join(copies),
                "Ruang Koleksi Umum", "tersedia"])


def child(rows: int) -> dict[str, float]:
    """Write and import one CSV; report timings and peak RSS of this process."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "katalog.csv"
        write_csv(path, rows)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        parsed = sum(1 for _ in file_records(path, FileReport(path), intake_options(None)))
        parse_seconds = time.perf_counter() - start
        start = time.perf_counter()
        with Catalogue(Path(tmp) / "node.sqlite3") as catalogue:
            reports, summary = import_files(catalogue, [path], options=intake_options(None))
        seconds = time.perf_counter() - start
        assert summary.added == rows and not reports[0].rejections, (summary, reports[0])
        return {"rows": rows, "parse_rows_per_s": round(parsed / parse_seconds),
                "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
                "csv_mb": round(path.stat().st_size / 2**20, 1),
                "rss_before_import_mib": round(rss_before, 1),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    """Run each size in its own process and print one JSON line per size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    for rows in args.rows or [25_000, 100_000]:
        subprocess.run([sys.executable, __file__, "--child", str(rows)], check=True)


if __name__ == "__main__":
    main()
