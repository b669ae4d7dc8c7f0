"""ISBN/ISSN checksums and conversion, checked against published codes."""

from __future__ import annotations

import pytest

from biblio.isbn import (
    compact,
    is_isbn,
    is_isbn10,
    is_isbn13,
    is_issn,
    isbn10_to_13,
    isbn13_to_10,
    to_isbn13,
)


def test_compact_strips_separators_and_uppercases_x() -> None:
    assert compact(" 0-8044-2957-x ") == "080442957X"
    assert compact("978 602 03 1234 5") == "9786020312345"


@pytest.mark.parametrize("code", ["0306406152", "080442957X", "0198526636"])
def test_valid_isbn10(code: str) -> None:
    assert is_isbn10(code)
    assert is_isbn(code)


@pytest.mark.parametrize("code", ["0306406153", "080442957", "08044295XX", "ABCDEFGHIJ"])
def test_invalid_isbn10(code: str) -> None:
    assert not is_isbn10(code)


@pytest.mark.parametrize("code", ["9780306406157", "9786231646088", "9789795923862"])
def test_valid_isbn13(code: str) -> None:
    assert is_isbn13(code)


@pytest.mark.parametrize("code", ["9780306406158", "978030640615", "1234567890128", "SCOOPG123456"])
def test_invalid_isbn13(code: str) -> None:
    assert not is_isbn13(code)
    assert not is_isbn(code)


def test_isbn10_to_13_matches_published_pair() -> None:
    assert isbn10_to_13("0306406152") == "9780306406157"
    assert isbn10_to_13("080442957X") == "9780804429573"


def test_isbn13_to_10_inverts_the_conversion() -> None:
    assert isbn13_to_10("9780306406157") == "0306406152"
    assert isbn13_to_10("9780804429573") == "080442957X"
    assert isbn13_to_10("9791234567896") is None
    assert isbn13_to_10("9780306406158") is None


def test_isbn10_to_13_rejects_bad_checksum() -> None:
    with pytest.raises(ValueError):
        isbn10_to_13("0306406153")


def test_to_isbn13_accepts_either_form_and_hyphens() -> None:
    assert to_isbn13("0-306-40615-2") == "9780306406157"
    assert to_isbn13("978-0-306-40615-7") == "9780306406157"
    assert to_isbn13("978-0-306-40615-8") is None
    assert to_isbn13("") is None


@pytest.mark.parametrize(("issn", "valid"), [
    ("0317-8471", True), ("2049-3630", True), ("0000-006X", True), ("1050-124x", True),
    ("0317-8472", False), ("0317847", False), ("ABCD-EFGH", False),
])
def test_issn(issn: str, valid: bool) -> None:
    assert is_issn(issn) is valid
