"""Census tables as CSV and XLSX files, safe to open in a spreadsheet.

Formula injection: a library's name or a title comes from outside and may start with
``=``, ``+``, ``-``, ``@`` or a tab; in CSV such a text gets a leading apostrophe (the
OWASP advice: the spreadsheet shows it as text), in XLSX it is stored as a string cell,
never a formula. Numbers stay numbers. The IPLM workbook of a district has a sheet that
documents every column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from search_ui.admin.tables import Table, Value

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_LIMIT = 31
NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def csv_safe(value: Value) -> str | int | float:
    """A value for a CSV cell: text that a spreadsheet would run gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark (so spreadsheets read the accents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(c.heading) for c in table.columns])
    writer.writerows([csv_safe(v) for v in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cells(sheet: WriteOnlyWorksheet, values: Iterable[Value]) -> list[WriteOnlyCell]:
    """Cells where every text is a string, even one that looks like a formula."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value)
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells


def _add_sheet(book: Workbook, title: str, headings: list[str],
               rows: Iterable[Iterable[Value]]) -> None:
    """One sheet: a heading row, then the rows."""
    sheet = book.create_sheet(NOT_IN_SHEET_NAMES.sub("-", title)[:SHEET_NAME_LIMIT])
    sheet.append(_cells(sheet, headings))
    for row in rows:
        sheet.append(_cells(sheet, row))


def to_xlsx(tables: list[Table], notes: list[tuple[str, str]] | None = None,
            notes_title: str = "") -> bytes:
    """The tables as one workbook, a sheet each, and optionally a sheet of column notes."""
    book = Workbook(write_only=True)
    for table in tables:
        _add_sheet(book, table.title, [c.heading for c in table.columns], table.rows)
    if notes:
        _add_sheet(book, notes_title, [notes_title, ""], notes)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
