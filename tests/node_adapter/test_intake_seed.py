"""The 6,483 real seed titles written raw, as a careless export writes them (shop codes
and a serial's EAN in the ISBN column, shared ISBNs, dates for years, language names,
an unknown column, an untitled row), imported as CSV, XLSX and MARCXML: every titled
record is kept and published over OAI-PMH, each flaw is reported once."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import openpyxl
import pytest
import requests
from click.testing import CliRunner
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from biblio.isbn import compact, is_isbn, issn_from_ean, to_isbn13
from config.paths import SEED_DIR
from node_adapter.catalogue import Catalogue
from node_adapter.cli import node
from tests.support.nodes import running_node

HEADER = ["judul", "pengarang", "isbn", "tanggal terbit", "bahasa", "subjek", "Jumlah Halaman"]
SERIAL_EAN = "9770317847001"  # ISSN 0317-8471 as a magazine's barcode
EXTRA = [["", "Tanpa Judul", "", "", "", "", ""],
         ["Majalah Bobo", "", SERIAL_EAN, "1 Jan 2024", "Indonesia", "anak", "40"]]


def _rows() -> list[list[str]]:
    """The extra careless rows, then every seed record as a row, raw."""
    books = json.loads((SEED_DIR / "gramedia-books.json").read_text(encoding="utf-8"))
    seed = [[b["Title"], b["Author"], b["ISBN"], b["Tanggal Terbit"], b["Bahasa"],
             b["category"], b["Jumlah Halaman"]] for b in books]
    return EXTRA + seed


def _expected(rows: list[list[str]]) -> dict[str, int]:
    """What the import must report, worked out from the rows alone."""
    titled = [r for r in rows if r[0].strip()]
    codes = [compact(r[2]) for r in titled if re.search(r"[0-9A-Za-z]", r[2])]
    by_isbn: dict[str, str] = {}
    by_text: set[tuple[str, str, str]] = set()
    merged = 0
    for title, author, isbn, date, *_ in titled:
        key = " ".join(re.findall(r"[0-9a-z]+", title.casefold()))
        isbn13 = to_isbn13(isbn)
        if isbn13:
            merged += by_isbn.get(isbn13) == key
            by_isbn.setdefault(isbn13, key)
            continue
        text = (key, " ".join(re.findall(r"[0-9a-z]+", author.casefold())), date[-4:])
        merged += text in by_text
        by_text.add(text)
    return {"kept": len(titled), "refused": len(rows) - len(titled), "merged": merged,
            "bad_isbn": sum(1 for c in codes if not is_isbn(c) and not issn_from_ean(c))}


def _write(path: Path, rows: list[list[str]]) -> Path:
    """The rows as a CSV or an XLSX with the export's headers."""
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([HEADER, *rows])
        return path
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Katalog")
    for row in [HEADER, *rows]:  # a workbook cannot hold the seed's one control character
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    book.save(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_seed_written_raw_is_kept_whole_and_each_flaw_reported_once(
        tmp_path: Path, suffix: str) -> None:
    rows = _rows()
    expected = _expected(rows)
    db = tmp_path / "node.sqlite3"
    result = CliRunner().invoke(node, ["import", "--json", "--db", str(db),
                                       str(_write(tmp_path / f"seed{suffix}", rows))])
    assert result.exit_code == 1, result.output  # the untitled row is refused
    report = json.loads(result.stdout)["files"][0]
    assert (report["accepted"], report["rejected"], report["merged"]) == (
        expected["kept"], expected["refused"], expected["merged"])
    assert [r["en"] for r in report["rejections"]] == ["title is missing"]
    assert [w["en"] for w in report["warnings"]] == ["unknown column 'Jumlah Halaman' ignored"]
    listed = report["record_warnings"]
    assert len(listed) == min(report["with_warnings"], 1000)
    assert len({r["line"] for r in listed}) == len(listed)  # one entry per row
    messages = [m for r in listed for m in r["en"].split("; ") if not m.startswith("kept aside")]
    assert len(messages) == len(set(zip(messages, range(len(messages)), strict=True)))
    assert listed[0] == {"line": 3, "id": listed[0]["id"],
                         "en": f"'{SERIAL_EAN}' is a serial's EAN: recorded as ISSN 0317-8471"}
    with Catalogue(db) as catalogue:
        published = catalogue.count()
    assert published == expected["kept"] - expected["merged"]
    summary = json.loads(result.stdout)["summary"]
    assert summary["added"] == published and summary["with_warnings"] >= expected["bad_isbn"]
    with running_node(db) as served:
        answer = requests.get(served.url, params={"verb": "ListIdentifiers",
                                                  "metadataPrefix": "oai_dc"}, timeout=30)
    size = re.search(r'completeListSize="(\d+)"', answer.text)
    assert size is not None and int(size.group(1)) == published


def test_every_bad_isbn_of_the_seed_is_one_warning_on_its_line(tmp_path: Path) -> None:
    rows = _rows()
    db = tmp_path / "node.sqlite3"
    result = CliRunner().invoke(node, ["import", "--json", "--db", str(db),
                                       str(_write(tmp_path / "seed.csv", rows))])
    listed = json.loads(result.stdout)["files"][0]["record_warnings"]
    last = listed[-1]["line"]
    bad = {line for line, row in enumerate(rows, start=2) if line <= last and row[0]
           and re.search(r"[0-9A-Za-z]", row[2]) and not is_isbn(compact(row[2]))
           and not issn_from_ean(row[2])}
    warned = {r["line"]: r["en"].count("invalid ISBN") for r in listed if "invalid ISBN" in r["en"]}
    assert set(warned) == bad and set(warned.values()) == {1}
    with Catalogue(db) as catalogue:
        first = catalogue.get(f"isbn-{to_isbn13(rows[2][2])}")
    assert first is not None and first.record.title == rows[2][0]


def _marcxml(path: Path, rows: list[list[str]]) -> Path:
    """The titled rows as an ILS writes MARCXML: values escaped, control characters kept."""
    def sub(tag: str, code: str, value: str) -> str:
        text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return (f'<marc:datafield tag="{tag}" ind1=" " ind2=" "><marc:subfield code="{code}">'
                f"{text}</marc:subfield></marc:datafield>") if value else ""

    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<marc:collection xmlns:marc="http://www.loc.gov/MARC21/slim">\n')
        for n, (title, author, isbn, date, language, subject, _) in enumerate(rows, start=1):
            fh.write(f'<marc:record><marc:leader>00000nam a2200000 a 4500</marc:leader>'
                     f'<marc:controlfield tag="001">s{n}</marc:controlfield>'
                     f'{sub("020", "a", isbn)}{sub("041", "a", language)}'
                     f'{sub("100", "a", author)}{sub("245", "a", title)}'
                     f'{sub("264", "c", date)}{sub("650", "a", subject)}</marc:record>\n')
        fh.write("</marc:collection>\n")
    return path


def test_the_seed_as_marcxml_with_its_stray_control_character_is_read_whole(
        tmp_path: Path) -> None:
    rows = [row for row in _rows() if row[0]]
    strays = [n for n, row in enumerate(rows, start=1)
              if ILLEGAL_CHARACTERS_RE.search("".join(row))]
    assert strays  # the real seed holds some: the export writes them as they are
    dropped = sum(len(ILLEGAL_CHARACTERS_RE.findall("".join(rows[n - 1]))) for n in strays)
    db = tmp_path / "node.sqlite3"
    result = CliRunner().invoke(node, ["import", "--json", "--db", str(db),
                                       str(_marcxml(tmp_path / "seed.xml", rows))])
    report = json.loads(result.stdout)["files"][0]
    assert result.exit_code == 4, result.output
    assert (report["accepted"], report["rejected"], report["error"]) == (len(rows), 0, None)
    assert [w["en"].split(", on lines")[0] for w in report["warnings"]] == [
        f"{dropped} characters XML 1.0 forbids (control characters) were dropped"]
    with Catalogue(db) as catalogue:  # each id its own; one ISBN with one title is one book
        assert catalogue.count() == len(rows) - report["merged"] and report["merged"] > 0
        assert ILLEGAL_CHARACTERS_RE.sub("", rows[strays[0] - 1][1]) in \
            catalogue.get(f"s{strays[0]}").record.creators
