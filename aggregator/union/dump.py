"""The open data dump of the union catalogue: MARCXML and JSON Lines, gzip, with a manifest.

``write_dump(store, config)`` streams every live work from the union table into
``<dump_dir>/union-<date>.marcxml.gz`` (one MARC ``collection``) and
``union-<date>.jsonl.gz`` (one work per line, as published), each written to a temporary
name and renamed when complete, then ``manifest.json`` (date, counts, licence, files with
sizes and SHA-256). Memory stays flat: works are read a page at a time and written at once.

Errors: ``OSError`` from the disk propagates; a failed dump leaves the previous one intact.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aggregator.union.config import UnionConfig
from aggregator.union.store import UnionStore

MANIFEST = "manifest.json"
_COLLECTION = '<collection xmlns="http://www.loc.gov/MARC21/slim">\n'


def write_dump(store: UnionStore, config: UnionConfig,
               now: datetime | None = None) -> dict[str, Any]:
    """Write today's dump and its manifest; returns the manifest."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    folder = config.dump_dir
    folder.mkdir(parents=True, exist_ok=True)
    day = moment.strftime("%Y-%m-%d")
    marc = _write(folder / f"union-{day}.marcxml.gz", _marc_lines(store))
    jsonl = _write(folder / f"union-{day}.jsonl.gz",
                   ((content + "\n", 1) for _, content, _ in store.live("oai_dc")))
    live, deleted = store.counts()
    manifest = {
        "title": config.repository_name, "generated": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "works": marc["records"], "deleted_works": deleted, "live_works_at_start": live,
        "licence": config.licence, "licence_url": config.licence_url,
        "files": [{**marc, "format": "MARCXML (MARC21slim collection), gzip"},
                  {**jsonl, "format": "JSON Lines, one work per line, gzip"}],
    }
    temporary = folder / f".{MANIFEST}.part"
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, folder / MANIFEST)
    return manifest


def _marc_lines(store: UnionStore) -> Iterator[tuple[str, int]]:
    """The MARC collection: opening, one record per line, closing (with records counted)."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n' + _COLLECTION, 0
    for _, _, xml in store.live("marc21"):
        yield xml + "\n", 1
    yield "</collection>\n", 0


def _write(path: Path, lines: Iterable[tuple[str, int]]) -> dict[str, Any]:
    """Gzip the lines into ``path`` (renamed into place when whole); name, size, hash, count."""
    temporary = path.with_name(f".{path.name}.part")
    records = 0
    with gzip.open(temporary, "wb", compresslevel=6) as out:
        for line, counted in lines:
            out.write(line.encode("utf-8"))
            records += counted
    digest = hashlib.sha256()
    with temporary.open("rb") as written:
        while chunk := written.read(1 << 20):
            digest.update(chunk)
    os.replace(temporary, path)
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest(),
            "records": records}
