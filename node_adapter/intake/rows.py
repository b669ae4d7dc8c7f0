"""Row-level validation: one template row (field -> text) to a ``BibRecord`` or problems.

Every problem of a row is collected, not just the first, so a librarian fixes a row once.
The same checks serve MARC records (``parse_year``, ``parse_isbns``, ``copy_status``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from biblio.isbn import compact, is_isbn, is_issn
from node_adapter.intake import messages, vocab
from node_adapter.intake.identity import VALID_ID, derived_id
from node_adapter.intake.messages import Message
from node_adapter.records import BibRecord, Copy

MIN_YEAR = 1450
MAX_COPIES = 10_000
_YEAR = re.compile(r"[\[(]?[c©]?\s*(\d{1,4})[\])]?\.?", re.IGNORECASE)


def split_list(text: str) -> list[str]:
    """Values of a multi-valued cell, separated by ``;``, blanks dropped."""
    return [part.strip() for part in text.split(";") if part.strip()]


def parse_year(text: str, problems: list[Message]) -> int | None:
    """A publication year ("2019", "[2019]", "c2019"), None when empty."""
    text = text.strip()
    if not text:
        return None
    match = _YEAR.fullmatch(text)
    if not match:
        problems.append(messages.bad_year(text))
        return None
    year, high = int(match.group(1)), datetime.now(UTC).year + 1
    if not MIN_YEAR <= year <= high:
        problems.append(messages.year_out_of_range(year, MIN_YEAR, high))
        return None
    return year


def _identifiers(text: str, problems: list[Message], valid: Callable[[str], bool],
                 problem: vocab.Problem, shown: Callable[[str], str]) -> list[str]:
    """Distinct valid codes of a multi-valued cell; one problem per invalid one."""
    codes: list[str] = []
    for raw in split_list(text):
        code = compact(raw)
        if not valid(code):
            problems.append(problem(raw))
        elif shown(code) not in codes:
            codes.append(shown(code))
    return codes


def parse_isbns(text: str, problems: list[Message]) -> list[str]:
    """Valid ISBNs as typed (hyphen-free; an ISBN-10 stays ISBN-10)."""
    return _identifiers(text, problems, is_isbn, messages.bad_isbn, str)


def _parse_issns(text: str, problems: list[Message]) -> list[str]:
    """Valid ISSNs in their hyphenated form."""
    return _identifiers(text, problems, is_issn, messages.bad_issn,
                        lambda code: f"{code[:4]}-{code[4:]}")


def _vocab(text: str, lookup: vocab.Lookup, problem: vocab.Problem,
           problems: list[Message]) -> str:
    """A controlled value, or a problem and an empty string."""
    value = lookup(text)
    if value is None:
        problems.append(problem(text.strip()))
        return ""
    return value


def copy_status(text: str, problems: list[Message]) -> str:
    """A canonical copy status, or a problem."""
    return _vocab(text, vocab.copy_status, messages.unknown_status, problems)


def _copies(values: Mapping[str, str], local_id: str, call_number: str,
            problems: list[Message]) -> list[Copy]:
    """Copies from barcodes (or a count, numbered ``<id>-1`` ...) with location and status."""
    barcodes = split_list(values.get("barcodes", ""))
    count_text = values.get("copies", "").strip()
    if not barcodes and count_text:
        if not count_text.isdigit() or int(count_text) > MAX_COPIES:
            problems.append(messages.bad_copy_count(count_text))
            return []
        barcodes = [f"{local_id}-{n}" for n in range(1, int(count_text) + 1)]
    statuses = [copy_status(s, problems) for s in split_list(values.get("status", ""))]
    if not statuses:
        statuses = ["tersedia"]
    if len(statuses) == 1:
        statuses *= len(barcodes)
    elif barcodes and len(statuses) != len(barcodes):
        problems.append(messages.status_count_mismatch(len(statuses), len(barcodes)))
        return []
    location = values.get("location", "").strip()
    return [Copy(barcode=b, location=location, call_number=call_number, status=s)
            for b, s in zip(barcodes, statuses, strict=False)]


def build_record(values: Mapping[str, str], problems: list[Message]) -> BibRecord | None:
    """The record a row describes, or None with the reasons appended to ``problems``."""
    def text(field: str) -> str:
        return " ".join(values.get(field, "").split())

    title = text("title")
    if not title:
        problems.append(messages.missing_title())
    creators = split_list(values.get("creators", ""))
    year = parse_year(values.get("year", ""), problems)
    isbns = parse_isbns(values.get("isbn", ""), problems)
    local_id = values.get("local_id", "").strip()
    if local_id and not VALID_ID.fullmatch(local_id):
        problems.append(messages.bad_id(local_id))
    local_id = local_id or derived_id(isbns, title, creators, year)
    url = values.get("digital_url", "").strip()
    if url and not url.lower().startswith(("http://", "https://")):
        problems.append(messages.bad_url(url))
    call_number = text("call_number")
    record = BibRecord(
        local_id=local_id, title=title, subtitle=text("subtitle"), creators=creators,
        contributors=split_list(values.get("contributors", "")), publisher=text("publisher"),
        place=text("place"), year=year, isbn=isbns,
        issn=_parse_issns(values.get("issn", ""), problems),
        language=_vocab(values.get("language", ""), vocab.language,
                        messages.unknown_language, problems),
        subjects=split_list(values.get("subjects", "")), classification=text("classification"),
        call_number=call_number,
        material_type=_vocab(values.get("material_type", ""), vocab.material_type,
                             messages.unknown_material_type, problems),
        collection=text("collection"), description=values.get("description", "").strip(),
        digital_url=url, copies=_copies(values, local_id, call_number, problems),
    )
    return None if problems else record
