"""Write the template files librarians fill in: CSV (UTF-8 with BOM, for Excel) and XLSX.

The XLSX has the data sheet "Katalog" first and an instructions sheet "Petunjuk" listing
each column with its Indonesian and English headers; the reader picks "Katalog" by name.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from node_adapter.intake.template import COLUMNS, EXAMPLE_ROWS, template_headers


def _example_cells() -> list[list[str]]:
    """The example rows in column order."""
    return [[row.get(column.field, "") for column in COLUMNS] for row in EXAMPLE_ROWS]


def write_csv(path: Path) -> None:
    """The template as CSV, with a BOM so that Excel opens it as UTF-8."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(template_headers())
        writer.writerows(_example_cells())


def write_xlsx(path: Path) -> None:
    """The template as XLSX: a Katalog sheet with examples, a Petunjuk sheet explaining it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Katalog"
    sheet.append(template_headers())
    for cells in _example_cells():
        sheet.append(cells)
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("Petunjuk")
    help_sheet.append(["Kolom", "Column", "Juga diterima / Also accepted",
                       "Keterangan", "Notes"])
    for column in COLUMNS:
        aliases = ", ".join((*column.indonesian[1:], *column.english))
        help_sheet.append([column.indonesian[0], (column.english or column.indonesian)[0],
                           aliases, column.help_id, column.help_en])
    for row in (sheet[1], help_sheet[1]):
        for cell in row:
            cell.font = Font(bold=True)
    workbook.properties.creator = "Jala Pustaka"
    workbook.save(path)


def write_template(path: Path) -> None:
    """Write the template in the format the file name asks for (.csv or .xlsx)."""
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path)
    else:
        write_csv(path)
