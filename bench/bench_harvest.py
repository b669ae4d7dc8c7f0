"""Benchmark: full harvest of N loopback node adapters x M records into the record store.

Nodes run in this process (real node adapters over waitress); the harvester runs as
``jala harvest --full --json`` in a child process, so its CPU time and peak RSS are its own.

    .venv/bin/python bench/bench_harvest.py --nodes 10 --records 50000 --page-size 500
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.nodes import make_records, running_node  # noqa: E402


def start_nodes(stack: ExitStack, work: Path, count: int, records: int, page_size: int,
                workers: int) -> Path:
    """Serve ``count`` loopback nodes of ``records`` each (until ``stack`` closes); the
    harvester configuration that names them."""
    nodes = []
    for n in range(count):
        node = stack.enter_context(running_node(
            work / f"node{n}.sqlite3", page_size=page_size,
            repository_identifier=f"node{n}.example.id"))
        node.catalogue.upsert_many(make_records(records, prefix=f"n{n}"))
        nodes.append(node)
    config = work / "jala.toml"
    config.write_text(f"[harvester]\nworkers = {workers}\n\n" + "".join(
        f'[[sources]]\nid = "node{n}"\nname = "Node {n}"\nbase_url = "{node.url}"\n\n'
        for n, node in enumerate(nodes)), encoding="utf-8")
    return config


def main() -> None:
    """Build the nodes, harvest them once, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-harvest-"))
    with ExitStack() as stack:
        built = time.perf_counter()
        config = start_nodes(stack, work, args.nodes, args.records, args.page_size,
                             args.workers)
        print(f"built {args.nodes} x {args.records} records in "
              f"{time.perf_counter() - built:.0f}s", file=sys.stderr)
        began = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", "from jala.cli import main; main()", "harvest", "--full",
             "--json", "--config", str(config), "--data-dir", str(work)],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        elapsed = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    runs = json.loads(result.stdout)
    total = sum(r["added"] for r in runs)
    assert all(r["status"] == "ok" for r in runs), runs
    assert total == args.nodes * args.records, total
    print(json.dumps({
        "nodes": args.nodes, "records_per_node": args.records, "page_size": args.page_size,
        "records": total, "seconds": round(elapsed, 1),
        "records_per_second": round(total / elapsed),
        "harvester_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "harvester_peak_rss_mib": round(usage.ru_maxrss / 1024),
        "megabytes_read": round(sum(r["bytes"] for r in runs) / 1e6),
    }, indent=2))


if __name__ == "__main__":
    main()
