"""Import catalogue files into a node's catalogue: one transaction per file, a report each.

Without ``replace`` every file is its own ``upsert_many`` transaction: a file refused
midway (``FileRejected``) leaves the catalogue exactly as it was before that file. With
``replace`` all files form one transaction (the catalogue becomes their union, the rest is
tombstoned), so any refused file cancels the whole import rather than tombstoning records
that only the refused file still held.

Inside one file, two records with one valid ISBN (compared as ISBN-13) or one id are the
same book when their folded titles agree: the later is merged into the first, copies
combined. With another title both are kept (volumes of a set share an ISBN; a reused id
gives the later record an id derived from its title). Only these keys are remembered,
never the rows; the report lists at most ``MAX_LISTED`` rows of each kind and counts all.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from biblio.isbn import to_isbn13
from node_adapter.catalogue import Catalogue, UpsertSummary
from node_adapter.intake import FileRejected, messages
from node_adapter.intake.csv_xlsx import read_csv, read_xlsx, too_slow
from node_adapter.intake.identity import book_key, derived_id
from node_adapter.intake.marc import Numbered, read_iso2709, read_marcxml
from node_adapter.intake.messages import Caution, Message, Rejection, Remark
from node_adapter.intake.rows import build_record
from node_adapter.records import BibRecord

TABLE_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
                  ".mrc": "iso2709", ".marc": "iso2709", ".iso": "iso2709", ".xml": "marcxml"}
MAX_LISTED = 1_000
"""Rows listed per kind (refused, kept with warnings); beyond it only counted, so a
million bad rows cost no more memory than a thousand."""


@dataclass
class FileReport:
    """What happened to one file: counts, the rows refused or warned about, or its refusal."""

    path: Path
    unit: str = "line"
    accepted: int = 0
    rejected: int = 0
    cautioned: int = 0
    merged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    cautions: list[Caution] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    failure: Message | None = None

    def refuse(self, rejection: Rejection) -> None:
        """Count a refused row; list it while the list is short."""
        self.rejected += 1
        if len(self.rejections) < MAX_LISTED:
            self.rejections.append(rejection)

    def caution(self, caution: Caution) -> None:
        """Count a row kept with warnings; list it while the list is short."""
        self.cautioned += 1
        if len(self.cautions) < MAX_LISTED:
            self.cautions.append(caution)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``--json``."""
        return {
            "file": str(self.path), "accepted": self.accepted, "rejected": self.rejected,
            "with_warnings": self.cautioned, "merged": self.merged,
            "error": None if self.failure is None else {"id": self.failure.id,
                                                        "en": self.failure.en},
            "warnings": [{"id": w.id, "en": w.en} for w in self.warnings],
            "rejections": [self._remark(r) for r in self.rejections],
            "record_warnings": [self._remark(c) for c in self.cautions],
        }

    def _remark(self, remark: Remark) -> dict[str, Any]:
        """One listed row: its position and its messages joined per language."""
        return {self.unit: remark.number, "id": "; ".join(m.id for m in remark.reasons),
                "en": "; ".join(m.en for m in remark.reasons)}


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


def _numbered(path: Path, report: FileReport, options: dict[str, Any],
              deadline: float | None) -> Iterator[Numbered | Rejection]:
    """Numbered records with their warnings, or rejections, from any supported file."""
    kind = detect_format(path)
    if kind == "iso2709":
        report.unit = "record"
        yield from read_iso2709(path)
        return
    if kind == "marcxml":
        report.unit = "record"
        yield from read_marcxml(path, int(options["max_xml_mb"]) * 2**20, report.warnings)
        return
    rows = (read_xlsx(path, report.warnings, deadline) if kind == "xlsx"
            else read_csv(path, report.warnings, options["legacy_encoding"]))
    for item in rows:
        if isinstance(item, Rejection):
            yield item
            continue
        line, values = item
        problems: list[Message] = []
        warnings: list[Message] = []
        record = build_record(values, problems, warnings)
        yield (line, record, tuple(warnings)) if record else Rejection(line, tuple(problems))


def _renamed(record: BibRecord, local_id: str) -> BibRecord:
    """The record under another id, copies numbered from the old id renumbered too."""
    prefix = f"{record.local_id}-"
    copies = [dataclasses.replace(c, barcode=f"{local_id}-{c.barcode[len(prefix):]}")
              if c.barcode.startswith(prefix) else c for c in record.copies]
    return dataclasses.replace(record, local_id=local_id, copies=copies)


class _Keys:
    """The ids and ISBNs a file has used so far, with the row and book that used them."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.ids: dict[str, tuple[int, int]] = {}
        self.isbns: dict[str, tuple[int, int, str]] = {}

    def place(self, number: int, record: BibRecord,
              notes: list[Message]) -> tuple[BibRecord, bool]:
        """The record as it is stored (maybe under another id) and whether it merges."""
        book = hash(book_key(record.title, record.subtitle))
        for isbn13 in filter(None, map(to_isbn13, record.isbn)):
            first, first_book, first_id = self.isbns.get(isbn13, (0, 0, ""))
            if first and first_book == book:
                notes.append(messages.merged_duplicate(f"ISBN {isbn13}", first, self.unit))
                return _renamed(record, first_id), True
            if first:
                notes.append(messages.shared_isbn(isbn13, first, self.unit))
        first, first_book = self.ids.get(record.local_id, (0, 0))
        if first and first_book == book:
            notes.append(messages.merged_duplicate(f"id {record.local_id!r}", first, self.unit))
            return record, True
        if first:
            given = derived_id([], record.title, record.creators, record.year)
            if given in self.ids:
                given = f"{given}-{number}"
            notes.append(messages.id_taken(record.local_id, first, given, self.unit))
            record = _renamed(record, given)
        self.ids[record.local_id] = (number, book)
        for isbn13 in filter(None, map(to_isbn13, record.isbn)):
            self.isbns.setdefault(isbn13, (number, book, record.local_id))
        return record, False


def file_records(path: Path, report: FileReport, options: dict[str, Any],
                 deadline: float | None = None) -> Iterator[BibRecord]:
    """Every titled record of the file, duplicates placed; problems land in ``report``.

    ``deadline`` (a ``time.monotonic()`` value) refuses the file once passed.
    """
    keys = _Keys("line")
    try:
        for item in _numbered(path, report, options, deadline):
            too_slow(deadline)
            if isinstance(item, Rejection):
                report.refuse(item)
                continue
            number, record, warnings = item
            keys.unit = report.unit
            notes = list(warnings)
            record, merges = keys.place(number, record, notes)
            if notes:
                report.caution(Caution(number, tuple(notes), report.unit))
            report.merged += merges
            report.accepted += 1
            yield record
    except FileRejected as exc:
        report.failure = exc.message
        raise
    except OSError as exc:
        report.failure = Message(f"berkas tidak dapat dibaca: {exc}",
                                 f"file cannot be read: {exc}")
        raise FileRejected(report.failure) from exc


def told(records: Iterator[BibRecord], tick: Callable[[], None] | None) -> Iterator[BibRecord]:
    """The records, calling ``tick`` after each (a progress bar's step)."""
    for record in records:
        yield record
        if tick is not None:
            tick()


def import_files(catalogue: Catalogue, paths: Iterable[Path], *, replace: bool = False,
                 options: dict[str, Any], tick: Callable[[], None] | None = None,
                 now: datetime | None = None) -> tuple[list[FileReport], UpsertSummary]:
    """Import files; returns a report per file and the catalogue's combined summary.

    ``tick`` is called once per record kept, so a caller can show progress; ``now`` is
    the import's time (the clock's by default), which dates the statuses it brings."""
    reports = [FileReport(Path(p)) for p in paths]
    if replace:
        records = itertools.chain.from_iterable(
            told(file_records(r.path, r, options), tick) for r in reports)
        try:
            return reports, catalogue.upsert_many(records, replace=True, now=now)
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
            summary = catalogue.upsert_many(told(file_records(report.path, report, options),
                                                 tick), now=now)
        except FileRejected:
            report.accepted = 0
            continue
        for name in ("added", "updated", "unchanged", "merged"):
            setattr(total, name, getattr(total, name) + getattr(summary, name))
    return reports, total


