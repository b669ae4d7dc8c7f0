"""SLiMS sync speed and memory: a full sync, then an incremental one after 1,000 changes.

Run: .venv/bin/python bench/bench_slims.py [--titles 100000]
A real mariadbd (Debian's) on a temporary data dir gets the connector's own DDL and
``--titles`` titles of 1-3 items each, 5% of items on loan. ``jala node sync --from slims``
runs as a child process each time (its peak RSS is its own): a full sync into a new
catalogue (seconds, titles/s), then 1,000 changes (edits, loans, returns, hides,
deletions) a day after the rows were catalogued, then an incremental sync (seconds,
titles read). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.slims.conftest import write_config  # noqa: E402
from tests.slims.librarian import (  # noqa: E402
    add_collection,
    add_lookups,
    delete_title,
    edit_title,
    give_back,
    lend,
)
from tests.support.mariadb import running_mariadb  # noqa: E402

_MEASURED = ("import resource, sys\nfrom jala.cli import main\ntry:\n    main()\nfinally:\n"
             "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
"""``jala`` that reports its own peak RSS (KiB) as the last word on stderr."""


def _sync(command: list[str], env: dict[str, str]) -> tuple[float, dict[str, object], int]:
    """One sync in a child process: seconds, its report, its peak RSS in MiB."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak = int(done.stderr.split()[-1]) // 1024
    return seconds, json.loads(done.stdout), peak


def main() -> None:
    """Build the database, sync it in full, change it, sync it again."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--titles", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder, running_mariadb(Path(folder)) as server:
        slims = server.create_database("slims_bench")
        started = time.perf_counter()
        with slims.connect() as connection, connection.cursor() as cursor:
            add_lookups(cursor)
            items = add_collection(cursor, args.titles)
            for table, key in (("biblio", "biblio_id"), ("item", "item_id"),
                               ("loan", "loan_id")):  # catalogued over the past days
                cursor.execute(f"UPDATE {table} SET last_update = NOW() - INTERVAL 1 DAY"
                               f" - INTERVAL {key} SECOND")
        fill_seconds = time.perf_counter() - started
        config = write_config(slims, Path(folder) / "jala.toml")
        command = [sys.executable, "-c", _MEASURED, "node", "sync",
                   "--from", "slims", "--db", str(Path(folder) / "node.sqlite3"), "--config",
                   str(config), "--data-dir", folder, "--quiet", "--json"]
        env = {**os.environ, "PYTHONPATH": str(ROOT), **slims.environ()}
        full_seconds, full, full_rss = _sync(command, env)
        with slims.connect() as connection, connection.cursor() as cursor:
            for change in range(1_000):
                biblio_id = rng.randint(1, args.titles)
                code = f"I{rng.randint(1, items):07d}"
                kind = change % 5
                if kind == 0:
                    edit_title(cursor, biblio_id, title=f"Judul diubah {change}")
                elif kind == 1:
                    lend(cursor, code)
                elif kind == 2:
                    give_back(cursor, code)
                elif kind == 3:
                    edit_title(cursor, biblio_id, opac_hide=1)
                else:
                    delete_title(cursor, biblio_id)
        incremental_seconds, incremental, incremental_rss = _sync(command, env)
    print(json.dumps({
        "titles": args.titles, "items": items, "fill_seconds": round(fill_seconds, 1),
        "full_seconds": round(full_seconds, 1),
        "full_titles_per_s": round(args.titles / full_seconds),
        "full_report": {k: full[k] for k in ("read", "added", "deleted")},
        "incremental_seconds": round(incremental_seconds, 1),
        "incremental_report": {k: incremental[k] for k in ("read", "added", "updated",
                                                           "unchanged", "deleted")},
        "peak_rss_mib_full": full_rss, "peak_rss_mib_after_incremental": incremental_rss,
    }, indent=2))


if __name__ == "__main__":
    main()
