"""The whole path in one run: N loopback nodes harvested, then ``jala index rebuild``.

    .venv/bin/python bench/bench_pipeline.py --nodes 4 --records 50000

Nodes run in this process (real node adapters over waitress, records from
``tests.support.nodes.make_records``: the same book at the same position on every node,
so each work gathers one record per node); ``jala harvest --full`` and then
``jala index rebuild`` run as child processes on one data directory. Printed per phase:
wall seconds, records/s, CPU seconds of the child and its worker processes (the machine
is shared, so CPU is the steadier figure), records per CPU-second and peak RSS (the
largest single process, and the child's process tree sampled every 0.2 s); then
end-to-end records/s (records over both phases' wall time) and indexing's rate as a share
of harvesting's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_harvest import start_nodes  # noqa: E402


def tree_rss(pid: int) -> float:
    """Resident MiB of a process and its descendants (0 once it is gone)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for proc in procs:
        with suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total / 2**20


def phase(args: list[str], data_dir: Path, config: Path, records: int) -> dict[str, Any]:
    """Run one ``jala`` command as a child; its wall and CPU time, peak RSS, output."""
    command = [sys.executable, "-c", "from jala.cli import main; main()", *args,
               "--config", str(config), "--data-dir", str(data_dir)]
    output, errors = data_dir / "phase.out", data_dir / "phase.err"
    began = time.perf_counter()
    with output.open("w") as out, errors.open("w") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT,  # this tree's code
                                 env={**os.environ, "PYTHONPATH": str(ROOT)})
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], tree_rss(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - began
    done.set()
    sampler.join()
    text = output.read_text()
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{text}{errors.read_text()}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": round(elapsed, 1), "records_per_s": round(records / elapsed),
            "cpu_seconds": round(cpu, 1), "records_per_cpu_s": round(records / cpu),
            "peak_rss_mib_process": round(usage.ru_maxrss / 1024),
            "peak_rss_mib_tree": round(peak[0]), "output": text.strip()}


def main() -> None:
    """Build the nodes, harvest them, rebuild the index, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=4)
    parser.add_argument("--records", type=int, default=50_000, help="records per node")
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4, help="harvester threads")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="copy the data directory and its config here afterwards "
                             "(to profile `jala index rebuild` on it again)")
    args = parser.parse_args()
    total = args.nodes * args.records
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as folder, ExitStack() as stack:
        work = Path(folder)
        config = start_nodes(stack, work, args.nodes, args.records, args.page_size,
                             args.workers)
        data = work / "data"
        data.mkdir()
        harvest = phase(["harvest", "--full", "--json"], data, config, total)
        added = sum(run["added"] for run in json.loads(harvest["output"]))
        if added != total:
            raise SystemExit(f"harvested {added:,} of {total:,} records")
        index = phase(["index", "rebuild", "--quiet"], data, config, total)
        if args.keep:
            shutil.copytree(data, args.keep / "data", dirs_exist_ok=True)
            shutil.copy(config, args.keep / "jala.toml")
    wall = harvest["seconds"] + index["seconds"]
    print(json.dumps({
        "nodes": args.nodes, "records_per_node": args.records, "records": total,
        "harvest": {k: v for k, v in harvest.items() if k != "output"}, "index": index,
        "end_to_end_records_per_s": round(total / wall),
        "end_to_end_records_per_cpu_s": round(
            total / (harvest["cpu_seconds"] + index["cpu_seconds"])),
        "index_rate_share_of_harvest": round(index["records_per_s"]
                                             / harvest["records_per_s"], 2),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }, indent=2))


if __name__ == "__main__":
    main()
