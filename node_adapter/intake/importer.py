"""Import catalogue files into a node's catalogue: one transaction per file, a report each.

Without ``replace`` every file is its own ``upsert_many`` transaction: a file refused
midway (``FileRejected``) leaves the catalogue exactly as it was before that file. With
``replace`` all files form one transaction (the catalogue becomes their union, the rest is
tombstoned), so any refused file cancels the whole import rather than tombstoning records
that only the refused file still held.

Inside one file the first row with a given id or ISBN (compared as ISBN-13) wins; later
ones are rejected as duplicates. Only these keys are remembered, never the rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from biblio.isbn import to_isbn13
from node_adapter.catalogue import Catalogue, UpsertSummary
from node_adapter.intake import FileRejected, messages
from node_adapter.intake.csv_xlsx import read_csv, read_xlsx
from node_adapter.intake.marc import read_iso2709, read_marcxml
from node_adapter.intake.messages import Message, Rejection
from node_adapter.intake.rows import build_record
from node_adapter.records import BibRecord

TABLE_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
                  ".mrc": "iso2709", ".marc": "iso2709", ".iso": "iso2709", ".xml": "marcxml"}


@dataclass
class FileReport:
    """What happened to one file: accepted count, rejected rows, warnings or refusal."""

    path: Path
    unit: str = "line"
    accepted: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    failure: Message | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``--json``."""
        return {
            "file": str(self.path), "accepted": self.accepted, "rejected": len(self.rejections),
            "error": None if self.failure is None else {"id": self.failure.id,
                                                        "en": self.failure.en},
            "warnings": [{"id": w.id, "en": w.en} for w in self.warnings],
            "rejections": [{self.unit: r.number, "id": "; ".join(m.id for m in r.reasons),
                            "en": "; ".join(m.en for m in r.reasons)} for r in self.rejections],
        }


def detect_format(path: Path) -> str:
    """csv, xlsx, iso2709 or marcxml: by suffix, else by the first bytes."""
    if known := TABLE_SUFFIXES.get(path.suffix.lower()):
        return known
    with path.open("rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK"):
        return "xlsx"
    if head.startswith(b"<"):
        return "marcxml"
    return "iso2709" if head[:5].isdigit() else "csv"


def _numbered(path: Path, report: FileReport,
              options: dict[str, Any]) -> Iterator[tuple[int, BibRecord] | Rejection]:
    """Numbered records or rejections from any supported file."""
    kind = detect_format(path)
    if kind == "iso2709":
        report.unit = "record"
        yield from read_iso2709(path)
        return
    if kind == "marcxml":
        report.unit = "record"
        yield from read_marcxml(path, int(options["max_xml_mb"]) * 2**20)
        return
    rows = (read_xlsx(path, report.warnings) if kind == "xlsx"
            else read_csv(path, report.warnings, options["legacy_encoding"]))
    for item in rows:
        if isinstance(item, Rejection):
            yield item
            continue
        line, values = item
        problems: list[Message] = []
        record = build_record(values, problems)
        yield (line, record) if record is not None else Rejection(line, tuple(problems))


def file_records(path: Path, report: FileReport, options: dict[str, Any]) -> Iterator[BibRecord]:
    """The file's valid, first-seen records; everything else lands in ``report``."""
    first_seen: dict[str, int] = {}
    try:
        for item in _numbered(path, report, options):
            if isinstance(item, Rejection):
                report.rejections.append(item)
                continue
            number, record = item
            keys = [f"id {record.local_id!r}"]
            keys += [f"ISBN {isbn13}" for isbn in record.isbn if (isbn13 := to_isbn13(isbn))]
            clash = next((key for key in keys if key in first_seen), None)
            if clash is not None:
                reason = messages.duplicate(clash, first_seen[clash], report.unit)
                report.rejections.append(Rejection(number, (reason,), report.unit))
                continue
            first_seen.update((key, number) for key in keys)
            report.accepted += 1
            yield record
    except FileRejected as exc:
        report.failure = exc.message
        raise
    except OSError as exc:
        report.failure = Message(f"berkas tidak dapat dibaca: {exc}",
                                 f"file cannot be read: {exc}")
        raise FileRejected(report.failure) from exc


def import_files(catalogue: Catalogue, paths: Iterable[Path], *, replace: bool = False,
                 options: dict[str, Any]) -> tuple[list[FileReport], UpsertSummary]:
    """Import files; returns a report per file and the catalogue's combined summary."""
    reports = [FileReport(Path(p)) for p in paths]
    if replace:
        records = itertools.chain.from_iterable(
            file_records(r.path, r, options) for r in reports)
        try:
            return reports, catalogue.upsert_many(records, replace=True)
        except FileRejected:
            for report in reports:
                report.accepted = 0
                report.failure = report.failure or Message(
                    "tidak diimpor: impor --replace dibatalkan seluruhnya",
                    "not imported: the --replace import was cancelled as a whole")
            return reports, UpsertSummary()
    total = UpsertSummary()
    for report in reports:
        try:
            summary = catalogue.upsert_many(file_records(report.path, report, options))
        except FileRejected:
            report.accepted = 0
            continue
        total.added += summary.added
        total.updated += summary.updated
        total.unchanged += summary.unchanged
    return reports, total
