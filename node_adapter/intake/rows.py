"""Row-level validation: one template row (field -> text) to a ``BibRecord`` with warnings.

Only a row without a title is refused. Every other flaw is a field-level warning: the
book is kept and the bad value set aside (an ISBN/ISSN whose checksum fails goes to
``invalid_isbn``/``invalid_issn``), dropped (a year that is not a year, a URL that is not
a web address) or replaced by the honest default (language ``und``, material type
``lainnya``); over-long values are cut. Every warning of a row is collected together, so a
librarian fixes a row once. The same checks serve MARC records (``parse_year``,
``parse_isbns``, ``parse_issns``, ``copy_status``, ``bound_fields``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from biblio.isbn import compact, is_isbn, is_issn, issn_from_ean
from node_adapter.intake import messages, vocab
from node_adapter.intake.identity import VALID_ID, derived_id
from node_adapter.intake.messages import Message
from node_adapter.records import BibRecord, Copy

MIN_YEAR = 1450
MAX_COPIES = 10_000
FIELD_LIMIT = 1_000
"""Characters kept of a title, name, subject or other short field."""
DESCRIPTION_LIMIT = 10_000
_YEAR = re.compile(r"[\[(]?[c©]?\s*(\d{1,4})[\])]?\.?", re.IGNORECASE)
# A date as exports write it ("13 Feb 2024", "5 Des 2023", "2024-02-13", "13/02/2024").
_DATE = re.compile(r"\d{1,2}[ ./-]+[0-9A-Za-z]{1,9}\.?[ ./-]+(\d{4})|(\d{4})-\d{1,2}-\d{1,2}")
_ALNUM = re.compile(r"[0-9A-Za-z]")


def split_list(text: str) -> list[str]:
    """Values of a multi-valued cell, separated by ``;``, blanks dropped."""
    return [part.strip() for part in text.split(";") if part.strip()]


def parse_year(text: str, warnings: list[Message]) -> int | None:
    """A publication year ("2019", "[2019]", "c2019", a date), None when empty or not a year."""
    text = text.strip()
    if not text:
        return None
    match = _YEAR.fullmatch(text)
    date = None if match else _DATE.fullmatch(text)
    if not match and not date:
        warnings.append(messages.bad_year(text))
        return None
    year = int(match.group(1)) if match else int(date.group(1) or date.group(2))
    high = datetime.now(UTC).year + 1
    if not MIN_YEAR <= year <= high:
        warnings.append(messages.year_out_of_range(year, MIN_YEAR, high))
        return None
    return year


@dataclass
class Identifiers:
    """A cell's codes: the valid ones, the ones kept aside, and ISSNs found among them."""

    valid: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    issn: list[str] = field(default_factory=list)


def _codes(text: str) -> list[tuple[str, str]]:
    """``(as typed, compact)`` per value; placeholders without letters or digits ("-") skipped."""
    return [(raw, compact(raw)) for raw in split_list(text) if _ALNUM.search(raw)]


def _add(codes: list[str], code: str) -> None:
    """Append a code once."""
    if code not in codes:
        codes.append(code)


def parse_isbns(text: str, warnings: list[Message]) -> Identifiers:
    """ISBNs as typed (hyphen-free); ISSN-EANs become ISSNs; failing checksums kept aside."""
    found = Identifiers()
    for raw, code in _codes(text):
        if is_isbn(code):
            _add(found.valid, code)
        elif issn := issn_from_ean(code):
            warnings.append(messages.issn_from_ean(raw, issn))
            _add(found.issn, issn)
        else:
            warnings.append(messages.bad_isbn(raw))
            _add(found.invalid, raw)
    return found


def parse_issns(text: str, warnings: list[Message]) -> Identifiers:
    """ISSNs in their hyphenated form (an ISSN-EAN gives its ISSN); bad ones kept aside."""
    found = Identifiers()
    for raw, code in _codes(text):
        issn = f"{code[:4]}-{code[4:]}" if is_issn(code) else issn_from_ean(code)
        if issn:
            _add(found.valid, issn)
        else:
            warnings.append(messages.bad_issn(raw))
            _add(found.invalid, raw)
    return found


def _vocab(text: str, lookup: vocab.Lookup, problem: vocab.Problem, fallback: str,
           warnings: list[Message]) -> str:
    """A controlled value, or a warning and the honest fallback."""
    value = lookup(text)
    if value is None:
        warnings.append(problem(text.strip()))
        return fallback
    return value


def copy_status(text: str, warnings: list[Message]) -> str:
    """A canonical copy status; an unknown one is reported and read as empty (tersedia)."""
    return _vocab(text, vocab.copy_status, messages.unknown_status, "tersedia", warnings)


def language(text: str, warnings: list[Message]) -> str:
    """An ISO 639-2/B code; an unknown language is reported and stored as ``und``."""
    return _vocab(text, vocab.language, messages.unknown_language, "und", warnings)


def _copies(values: Mapping[str, str], local_id: str, call_number: str,
            warnings: list[Message]) -> list[Copy]:
    """Copies from barcodes (or a count, numbered ``<id>-1`` ...) with location and status."""
    barcodes = split_list(values.get("barcodes", ""))
    count_text = values.get("copies", "").strip()
    if not barcodes and count_text:
        if not count_text.isdigit() or int(count_text) > MAX_COPIES:
            warnings.append(messages.bad_copy_count(count_text))
        else:
            barcodes = [f"{local_id}-{n}" for n in range(1, int(count_text) + 1)]
    statuses = [copy_status(s, warnings) for s in split_list(values.get("status", ""))]
    if len(statuses) > 1 and len(statuses) != len(barcodes):
        warnings.append(messages.status_count_mismatch(len(statuses), len(barcodes)))
        statuses = []
    if len(statuses) <= 1:
        statuses = (statuses or ["tersedia"]) * len(barcodes)
    location = values.get("location", "").strip()
    return [Copy(barcode=b, location=location, call_number=call_number, status=s)
            for b, s in zip(barcodes, statuses, strict=True)]


def _cut(name: str, value: str, limit: int, warnings: list[Message]) -> str:
    """The value, or its first ``limit`` characters with a warning."""
    if len(value) <= limit:
        return value
    warnings.append(messages.too_long(name, len(value), limit))
    return value[:limit].rstrip()


def bound_fields(record: BibRecord, warnings: list[Message]) -> BibRecord:
    """The record with every over-long text cut to its limit, one warning per cut."""
    changes: dict[str, object] = {}
    for item in dataclasses.fields(record):
        value = getattr(record, item.name)
        limit = DESCRIPTION_LIMIT if item.name == "description" else FIELD_LIMIT
        if isinstance(value, str) and len(value) > limit:
            changes[item.name] = _cut(item.name, value, limit, warnings)
        elif isinstance(value, list) and any(isinstance(v, str) and len(v) > limit
                                             for v in value):
            changes[item.name] = [_cut(item.name, v, limit, warnings) for v in value]
    return dataclasses.replace(record, **changes) if changes else record


def build_record(values: Mapping[str, str], problems: list[Message],
                 warnings: list[Message]) -> BibRecord | None:
    """The record a row describes (flaws in ``warnings``), or None without a title."""
    def text(name: str) -> str:
        return " ".join(values.get(name, "").split())

    title = text("title")
    if not title:
        problems.append(messages.missing_title())
        return None
    creators = split_list(values.get("creators", ""))
    year = parse_year(values.get("year", ""), warnings)
    isbns = parse_isbns(values.get("isbn", ""), warnings)
    issns = parse_issns(values.get("issn", ""), warnings)
    local_id = values.get("local_id", "").strip()
    if local_id and not VALID_ID.fullmatch(local_id):
        warnings.append(messages.bad_id(local_id))
        local_id = ""
    local_id = local_id or derived_id(isbns.valid, title, creators, year)
    url = values.get("digital_url", "").strip()
    if url and not url.lower().startswith(("http://", "https://")):
        warnings.append(messages.bad_url(url))
        url = ""
    call_number = text("call_number")
    return bound_fields(BibRecord(
        local_id=local_id, title=title, subtitle=text("subtitle"), creators=creators,
        contributors=split_list(values.get("contributors", "")), publisher=text("publisher"),
        place=text("place"), year=year, isbn=isbns.valid,
        issn=list(dict.fromkeys(issns.valid + isbns.issn)),
        language=language(values.get("language", ""), warnings),
        subjects=split_list(values.get("subjects", "")), classification=text("classification"),
        call_number=call_number,
        material_type=_vocab(values.get("material_type", ""), vocab.material_type,
                             messages.unknown_material_type, "lainnya", warnings),
        collection=text("collection"), series=text("series"),
        description=values.get("description", "").strip(),
        digital_url=url, copies=_copies(values, local_id, call_number, warnings),
        invalid_isbn=isbns.invalid, invalid_issn=issns.invalid,
    ), warnings)


