"""Benchmark: ``jala node push`` of N records to ``jala serve``, on loopback and at 50 KB/s.

Both sides are real processes; the link is ``tests.support.faultproxy.FaultProxy``
(counting the bytes really on the wire, requests and answers with their headers), once
unthrottled and once at 50 KB/s without other faults.

    .venv/bin/python bench/bench_push.py --records 20000 --slow-records 5000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.push.support import central, issue  # noqa: E402
from tests.push.test_faults import ENV, JALA, _free_port, _kill, _serve  # noqa: E402
from tests.support.faultproxy import FaultProxy  # noqa: E402
from tests.support.nodes import make_records, running_node  # noqa: E402


def run(records: int, rate: int | None, work: Path) -> dict[str, float]:
    """One push of a fresh catalogue of ``records``; its figures."""
    settings = central(work / "central", ["tbm"])
    key = issue(settings, "tbm")
    port = _free_port()
    node_db = work / "node" / "catalogue.sqlite3"
    with running_node(node_db, repository_identifier="tbm.example.id") as node, \
            FaultProxy(port, rate=rate) as proxy:
        node.catalogue.upsert_many(make_records(records, prefix="b"))
        config = work / "node" / "jala.toml"
        config.write_text(f'[node]\nrepository_identifier = "tbm.example.id"\n[push]\n'
                          f'server_url = "http://127.0.0.1:{proxy.port}"\nkey = "{key}"\n',
                          encoding="utf-8")
        server = _serve(settings.path, settings.data_dir, port, work / "serve.log")
        try:
            began = time.perf_counter()
            done = subprocess.run([*JALA, "node", "push", "--db", str(node_db), "--config",
                                   str(config), "--data-dir", str(node_db.parent), "--json"],
                                  env=ENV, capture_output=True, text=True, check=True)
            elapsed = time.perf_counter() - began
        finally:
            _kill(server)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    wire = proxy.bytes_up + proxy.bytes_down
    return {"records": report["records"], "seconds": round(elapsed, 1),
            "records_per_s": round(report["records"] / elapsed),
            "payload_bytes_per_record": round(report["bytes"] / report["records"], 1),
            "wire_bytes_per_record": round(wire / report["records"], 1),
            "retries": report["retries"]}


def main() -> None:
    """Both runs, printed as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--slow-records", type=int, default=5_000)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()}", file=sys.stderr)
    for label, records, rate in (("loopback", args.records, None),
                                 ("50 KB/s", args.slow_records, 50_000)):
        figures = run(records, rate, Path(tempfile.mkdtemp(prefix="bench-push-")))
        print(json.dumps({"link": label, **figures}))


if __name__ == "__main__":
    main()
