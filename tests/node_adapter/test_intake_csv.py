"""CSV reading: encodings, delimiters, quotes, ragged rows and line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from node_adapter.intake import FileRejected
from node_adapter.intake.csv_xlsx import read_csv, sniff_delimiter
from node_adapter.intake.messages import Message, Rejection


def _read(path: Path, legacy: str = "cp1252") -> tuple[list, list[str], list[Message]]:
    """Rows, rejection texts and warnings of a CSV."""
    warnings: list[Message] = []
    items = list(read_csv(path, warnings, legacy))
    rows = [item for item in items if not isinstance(item, Rejection)]
    return rows, [str(item) for item in items if isinstance(item, Rejection)], warnings


def _write(tmp_path: Path, data: bytes, name: str = "katalog.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_with_and_without_bom_read_the_same(tmp_path: Path) -> None:
    text = b"judul,pengarang\nCerita Rakyat Dayak,Tjilik Riwut\n"
    plain = _read(_write(tmp_path, text, "a.csv"))
    bom = _read(_write(tmp_path, b"\xef\xbb\xbf" + text, "b.csv"))
    assert plain == bom
    assert plain[0] == [(2, {"title": "Cerita Rakyat Dayak", "creators": "Tjilik Riwut"})]


@pytest.mark.parametrize(("delimiter", "header"), [(",", "judul,tahun"), (";", "judul;tahun"),
                                                   ("\t", "judul\ttahun")])
def test_delimiter_is_sniffed_from_the_header(tmp_path: Path, delimiter: str, header: str) -> None:
    assert sniff_delimiter(header + "\n") == delimiter
    rows, rejected, _ = _read(_write(tmp_path, f"{header}\n\"A, B; C\"{delimiter}2001\n".encode()))
    assert rows == [(2, {"title": "A, B; C", "year": "2001"})] and rejected == []


def test_windows_1252_is_read_with_a_warning(tmp_path: Path) -> None:
    rows, rejected, warnings = _read(_write(tmp_path, "judul\nCaf\u00e9 \u201cKopi\u201d\n".encode(
        "cp1252")))
    assert rows == [(2, {"title": "Caf\u00e9 \u201cKopi\u201d"})] and rejected == []
    assert "not UTF-8" in warnings[0].en and "bukan UTF-8" in warnings[0].id


def test_windows_1252_is_refused_when_the_fallback_is_off(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="not UTF-8"):
        _read(_write(tmp_path, "judul\nCaf\u00e9\n".encode("cp1252")), legacy="")


def test_invalid_utf8_bytes_reject_only_their_rows(tmp_path: Path) -> None:
    data = "judul\nKebun Kopi Caf\u00e9\n".encode() + b"Rusak \xff\xfe bytes\nBaik\n"
    rows, rejected, _ = _read(_write(tmp_path, data))
    assert [line for line, _ in rows] == [2, 4]
    assert rejected == ["baris 3: karakter tidak sah untuk pengodean berkas / "
                        "line 3: invalid characters for the file's encoding"]


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    data = "judul\tpengarang\nPulang\tLeila S. Chudori\n".encode("utf-16")
    rows, rejected, _ = _read(_write(tmp_path, data))
    assert rows == [(2, {"title": "Pulang", "creators": "Leila S. Chudori"})] and not rejected


def test_utf16_without_bom_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="NUL bytes"):
        _read(_write(tmp_path, "judul\nPulang\n".encode("utf-16-le")))


def test_unbalanced_quote_is_reported_with_the_lines_it_swallowed(tmp_path: Path) -> None:
    data = b'judul,tahun\nA,2001\n"B,2002\nC,2003\nD,2004\n'
    rows, rejected, _ = _read(_write(tmp_path, data))
    assert rows == [(2, {"title": "A", "year": "2001"})]
    assert rejected == ["baris 3: tanda kutip tidak tertutup (baris 3–5 terbaca sebagai satu) / "
                        "line 3: unclosed quote (lines 3–5 read as one row)"]


def test_quoted_newlines_keep_the_next_rows_line_numbers_true(tmp_path: Path) -> None:
    data = b'judul,deskripsi\nA,"baris satu\nbaris dua"\nB,\n,kosong\n'
    rows, rejected, _ = _read(_write(tmp_path, data))
    assert [line for line, _ in rows] == [2, 4, 5] and not rejected
    assert rows[0][1]["description"] == "baris satu\nbaris dua"


def test_ragged_rows_are_rejected_but_trailing_empty_cells_tolerated(tmp_path: Path) -> None:
    data = b"judul,pengarang,tahun\nA,B,2001\nC,D\nE,F,2003,extra\nG,H,2004,,\n\nI,J,2005\n"
    rows, rejected, _ = _read(_write(tmp_path, data))
    assert [line for line, _ in rows] == [2, 5, 7]
    assert rejected == [
        "baris 3: kolom kurang (2, seharusnya 3) / line 3: too few fields (2, expected 3)",
        "baris 4: terlalu banyak kolom (4, seharusnya 3) / line 4: too many fields (4, expected 3)",
    ]


def test_empty_file_and_missing_title_column_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="file is empty"):
        _read(_write(tmp_path, b""))
    with pytest.raises(FileRejected, match="no title column"):
        _read(_write(tmp_path, b"pengarang,tahun\nA,2001\n"))
