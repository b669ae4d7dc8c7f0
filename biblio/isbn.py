"""ISBN and ISSN rules shared by intake (validation) and the aggregator (matching).

The whole API:

- ``compact(text)``: drop hyphens, spaces and dots, upper-case a final ``x``.
- ``is_isbn10(code)``, ``is_isbn13(code)``, ``is_isbn(code)``: checksum validation of a
  compact code (call ``compact`` first; hyphenated input is not valid here).
- ``isbn10_to_13(code)``: the ISBN-13 (978 prefix) of a valid ISBN-10.
- ``isbn13_to_10(code)``: the ISBN-10 of a valid 978 ISBN-13, else ``None`` (979 codes
  have no ISBN-10).
- ``to_isbn13(text)``: any valid ISBN (raw text) as its ISBN-13, else ``None``; the key
  under which two catalogue records of the same edition compare equal.
- ``is_issn(text)``: checksum validation of an ISSN (``0317-8471`` or ``03178471``).
- ``issn_from_ean(text)``: the hyphenated ISSN an ISSN-EAN (``977`` + 7 digits + 2 + check)
  carries, else ``None``.

Nothing here raises on bad input: validation answers ``False`` or ``None``.
"""

from __future__ import annotations

_SEPARATORS = str.maketrans("", "", "- .\u2010\u2011\u2012\u2013")


def compact(text: str) -> str:
    """Strip the separators people type so that checksums see only the code."""
    return text.strip().translate(_SEPARATORS).upper()


def is_isbn10(code: str) -> bool:
    """True for ten characters (digits, last may be X) whose weighted sum is 0 mod 11."""
    if len(code) != 10 or not code[:9].isdigit() or not (code[9].isdigit() or code[9] == "X"):
        return False
    digits = [int(c) for c in code[:9]] + [10 if code[9] == "X" else int(code[9])]
    return sum((10 - i) * d for i, d in enumerate(digits)) % 11 == 0


def is_isbn13(code: str) -> bool:
    """True for 13 digits starting 978/979 whose 1-3 weighted sum is 0 mod 10."""
    if len(code) != 13 or not code.isdigit() or code[:3] not in {"978", "979"}:
        return False
    return sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(code)) % 10 == 0


def is_isbn(code: str) -> bool:
    """True for a valid compact ISBN-10 or ISBN-13."""
    return is_isbn13(code) or is_isbn10(code)


def _isbn13_check_digit(first12: str) -> str:
    """The check digit that completes twelve digits into an ISBN-13."""
    total = sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(first12))
    return str((10 - total % 10) % 10)


def isbn10_to_13(code: str) -> str:
    """Convert a valid compact ISBN-10 to its 978-prefixed ISBN-13."""
    if not is_isbn10(code):
        raise ValueError(f"not a valid ISBN-10: {code!r}")
    first12 = "978" + code[:9]
    return first12 + _isbn13_check_digit(first12)


def isbn13_to_10(code: str) -> str | None:
    """The ISBN-10 that older catalogues record for a 978-prefixed ISBN-13."""
    if not is_isbn13(code) or not code.startswith("978"):
        return None
    total = sum((10 - i) * int(c) for i, c in enumerate(code[3:12]))
    check = (11 - total % 11) % 11
    return code[3:12] + ("X" if check == 10 else str(check))


def to_isbn13(text: str) -> str | None:
    """The ISBN-13 form of any valid ISBN given as typed, or None when it is not one."""
    code = compact(text)
    if is_isbn13(code):
        return code
    if is_isbn10(code):
        return isbn10_to_13(code)
    return None


def is_issn(text: str) -> bool:
    """True for eight characters (last may be X) whose weighted sum is 0 mod 11."""
    code = compact(text)
    if len(code) != 8 or not code[:7].isdigit() or not (code[7].isdigit() or code[7] == "X"):
        return False
    digits = [int(c) for c in code[:7]] + [10 if code[7] == "X" else int(code[7])]
    return sum((8 - i) * d for i, d in enumerate(digits)) % 11 == 0


def _issn_check_digit(first7: str) -> str:
    """The check character that completes seven digits into an ISSN."""
    check = (11 - sum((8 - i) * int(c) for i, c in enumerate(first7)) % 11) % 11
    return "X" if check == 10 else str(check)


def issn_from_ean(text: str) -> str | None:
    """The ISSN inside a serial's EAN-13 barcode (977...), which carries no ISSN check digit."""
    code = compact(text)
    if len(code) != 13 or not code.isdigit() or not code.startswith("977"):
        return None
    if sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(code)) % 10:
        return None
    issn = code[3:10] + _issn_check_digit(code[3:10])
    return f"{issn[:4]}-{issn[4:]}"
