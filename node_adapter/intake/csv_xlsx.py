"""Template rows from CSV and XLSX files, streamed: memory does not grow with the file.

CSV encoding (documented in docs/import.md): UTF-8 with or without BOM, or UTF-16 with a
BOM (Excel's "Unicode text"). A file that is not valid UTF-8 and holds no UTF-8 sequence at
all is read as the legacy encoding (Windows-1252 by default, with a warning) or refused
when that is switched off; in a UTF-8 file, only the rows with invalid bytes are rejected.
NUL bytes without a BOM (UTF-16 saved without one, or a binary file) refuse the file.
The delimiter is whichever of ``,`` ``;`` or tab occurs most in the header line.
XLSX is read with openpyxl in read-only mode from the sheet named Katalog/Catalogue, else
the first sheet whose first row has a title column. The sheet's declared dimension is
ignored (a sheet may claim ``A1:XFD1048576`` to make a reader pad every row to 16,384
cells): only real cells are read, at most ``MAX_COLUMNS`` columns, rows beyond Excel's
``MAX_ROWS`` never, and an optional deadline refuses a file that still takes too long.
"""

from __future__ import annotations

import codecs
import csv
import re
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from node_adapter.intake import FileRejected, messages
from node_adapter.intake.messages import Message, Rejection
from node_adapter.intake.template import HeaderMap, header_key, map_headers

Row = tuple[int, dict[str, str]]
Headers = Callable[[Sequence[str]], HeaderMap]
"""Reads a header row into fields (``template.header_mapper``); refuses a foreign table."""
CHUNK = 1 << 20
DELIMITERS = (",", ";", "\t")
SHEET_NAMES = {"katalog", "catalogue", "catalog"}
MAX_COLUMNS = 256
"""Columns read of a sheet: the template has 21; cells further right are never read."""
MAX_ROWS = 1_048_576
DEADLINE_EVERY = 4096
"""Rows between two looks at the clock."""
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_SURROGATE = re.compile("[\udc80-\udcff]")


def detect_encoding(path: Path, warnings: list[Message], legacy: str) -> str:
    """The codec to read a CSV with, scanning the bytes once in fixed-size chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    invalid = multibyte = False
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        while chunk := fh.read(CHUNK):
            if b"\x00" in chunk:
                raise FileRejected(Message(
                    "berkas berisi byte NUL: UTF-16 tanpa BOM atau bukan teks; simpan sebagai "
                    "CSV UTF-8", "file contains NUL bytes: UTF-16 without a BOM or not text; "
                    "save it as CSV UTF-8"))
            multibyte = multibyte or bool(_UTF8_MULTIBYTE.search(chunk))
            if not invalid:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    invalid = True
    if not invalid or multibyte:
        return "utf-8-sig"
    if not legacy:
        raise FileRejected(Message("berkas bukan UTF-8; simpan sebagai CSV UTF-8",
                                   "file is not UTF-8; save it as CSV UTF-8"))
    warnings.append(Message(f"berkas bukan UTF-8, dibaca sebagai {legacy}; periksa huruf "
                            "beraksen", f"file is not UTF-8, read as {legacy}; check accented "
                            "letters"))
    return legacy


def sniff_delimiter(header_line: str) -> str:
    """The delimiter used most in the header line outside quotes (comma on a tie)."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    return max(DELIMITERS, key=lambda d: (unquoted.count(d), d == ","))


def _values(fields: Sequence[str | None], cells: Sequence[str], line: int,
            pad: bool) -> dict[str, str] | Rejection:
    """Cells keyed by field; trailing empty extra cells are tolerated, others reject."""
    overflow = any(cell.strip() for cell in cells[len(fields):])
    if overflow or (len(cells) < len(fields) and not pad):
        return Rejection(line, (messages.field_count(len(cells), len(fields)),))
    return {field: cell for field, cell in zip(fields, cells, strict=False) if field}


def read_csv(path: Path, warnings: list[Message], legacy: str = "cp1252",
             headers: Headers = map_headers) -> Iterator[Row | Rejection]:
    """Rows of a template CSV with their first physical line numbers (header is line 1);
    ``headers`` reads the header row (the catalogue template's by default)."""
    encoding = detect_encoding(path, warnings, legacy)
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as fh:
        delimiter = sniff_delimiter(fh.readline())
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise FileRejected(Message("berkas kosong", "file is empty")) from None
        fields, notes = headers(header)
        warnings.extend(notes)
        last = reader.line_num
        while True:
            first = last + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                last = reader.line_num
                yield Rejection(first, (messages.malformed(str(exc)),))
                continue
            last = reader.line_num
            if not any(cells):
                continue
            if _SURROGATE.search("".join(cells)):
                yield Rejection(first, (messages.invalid_encoding(),))
                continue
            values = _values(fields, cells, first, pad=False)
            if isinstance(values, Rejection) and last > first:
                values = Rejection(first, (messages.unclosed_quote(first, last),))
            yield values if isinstance(values, Rejection) else (first, values)


def _cell_text(value: Any, field: str | None) -> str:
    """Spreadsheet cell as text: whole floats without ".0" (ISBNs typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return str(value.year) if field == "year" else value.isoformat()[:10]
    return str(value)


def _broken_xlsx(exc: Exception) -> FileRejected:
    """One message for every way a workbook can be unreadable."""
    return FileRejected(Message(f"berkas XLSX rusak atau bukan XLSX ({exc})",
                                f"corrupt or not an XLSX file ({exc})"))


XLSX_ERRORS = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError,
               SyntaxError, EOFError)


def read_xlsx(path: Path, warnings: list[Message], deadline: float | None = None,
              headers: Headers = map_headers) -> Iterator[Row | Rejection]:
    """Rows of the catalogue sheet with their spreadsheet row numbers (header is row 1);
    the first sheet whose header row ``headers`` accepts is read."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except XLSX_ERRORS as exc:
        raise _broken_xlsx(exc) from exc
    try:
        yield from _read_sheet(workbook, warnings, deadline, headers)
    except XLSX_ERRORS as exc:
        raise _broken_xlsx(exc) from exc
    finally:
        workbook.close()


def row_estimate(path: Path) -> int | None:
    """About how many data rows a file has (a progress total), None when it cannot tell.

    A CSV's line breaks less its header (a quoted value over several lines counts more);
    an XLSX sheet's declared last row, which writers such as Excel and LibreOffice keep
    true but nothing enforces, so it is only ever shown as a total, never trusted."""
    try:
        if path.suffix.lower() == ".xlsx":
            workbook = openpyxl.load_workbook(path, read_only=True)
            try:
                declared = max((sheet.max_row or 0 for sheet in workbook.worksheets),
                               default=0)
            finally:
                workbook.close()
            return min(declared, MAX_ROWS) - 1 if declared > 1 else None
        lines = 0
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                lines += chunk.count(b"\n")
        return max(lines - 1, 0) or None
    except XLSX_ERRORS:
        return None


def too_slow(deadline: float | None) -> None:
    """Refuse the workbook once its import has taken longer than it may."""
    if deadline is not None and time.monotonic() > deadline:
        raise FileRejected(Message(
            "impor berkas terlalu lama dan dihentikan; bagi berkas menjadi beberapa bagian",
            "the file's import took too long and was stopped; split the file into parts"))


def _read_sheet(workbook: Any, warnings: list[Message], deadline: float | None,
                headers: Headers) -> Iterator[Row | Rejection]:
    """Find the sheet whose first row ``headers`` accepts and stream its real rows."""
    sheets = sorted(workbook.worksheets, key=lambda s: header_key(s.title) not in SHEET_NAMES)
    for sheet in sheets:
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, max_row=MAX_ROWS, values_only=True)
        header = [_cell_text(v, None) for v in next(rows, ())]
        try:
            fields, notes = headers(header)
        except FileRejected:
            continue
        warnings.extend(notes)
        for line, row in enumerate(rows, start=2):
            if line % DEADLINE_EVERY == 0:
                too_slow(deadline)
            if row.count(None) == len(row):
                continue
            cells = [_cell_text(v, fields[i] if i < len(fields) else None)
                     for i, v in enumerate(row)]
            if any(cell.strip() for cell in cells):
                values = _values(fields, cells, line, pad=True)
                yield values if isinstance(values, Rejection) else (line, values)
        return
    names = ", ".join(sheet.title for sheet in workbook.worksheets) or "-"
    raise FileRejected(Message(f"tidak ada lembar dengan kolom judul di baris 1 (lembar: {names})",
                               f"no sheet has a title column on row 1 (sheets: {names})"))
