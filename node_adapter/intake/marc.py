"""MARC 21 records (ISO 2709 or MARCXML) to ``BibRecord``, streamed one record at a time.

ISO 2709 goes through pymarc's reader (MARC-8 converted to Unicode). MARCXML is read with
lxml ``iterparse`` (entities not resolved, no network, no huge_tree, a file-size limit),
each ``<record>`` built into a pymarc ``Record`` and freed, so both formats share one
mapping. Field-level flaws (bad ISBN, year, language, status) are warnings, as in
``rows``; only a record without a title, one that cannot be decoded or one holding an XML
entity is refused. A structurally broken ISO 2709 file (truncated, a record length that
is not a length) is refused whole: nothing after the break can be trusted. MARCXML is
read through ``xml_salvage``: characters XML 1.0 forbids are dropped and reported, and
after a syntax error the rest of the file is read record by record.

Holdings: each 852 is one copy: $b location, $c collection, $h call number, $p barcode
(else ``<id>-<n>``), $z status.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pymarc
from lxml import etree
from pymarc import exceptions as marc_errors

from node_adapter.intake import FileRejected, messages, vocab
from node_adapter.intake.identity import derived_id
from node_adapter.intake.messages import Message, Rejection
from node_adapter.intake.rows import (
    bound_fields,
    copy_status,
    language,
    parse_isbns,
    parse_issns,
    parse_year,
)
from node_adapter.intake.xml_salvage import CleanedXML, salvaged_records
from node_adapter.records import BibRecord, Copy

Numbered = tuple[int, BibRecord, tuple[Message, ...]]
"""A record's number in its file, the record, and its field-level warnings."""
MARCXML_NS = "http://www.loc.gov/MARC21/slim"
_TRAILING = " /:;,.=-"
_YEAR = re.compile(r"\d{4}")
# The stream is out of step after these: nothing after them can be trusted.
STRUCTURAL_ERRORS = (marc_errors.RecordLengthInvalid, marc_errors.TruncatedRecord,
                     marc_errors.EndOfRecordNotFound)


def _first(record: pymarc.Record, tags: tuple[str, ...], code: str) -> str:
    """The first non-empty subfield ``code`` among fields with these tags, tidied."""
    for field in record.get_fields(*tags):
        for value in field.get_subfields(code):
            if value.strip(_TRAILING):
                return " ".join(value.split()).strip(_TRAILING)
    return ""


def _all(record: pymarc.Record, tags: tuple[str, ...], code: str = "a") -> list[str]:
    """Every non-empty subfield ``code`` among fields with these tags, tidied."""
    return [" ".join(v.split()).strip(_TRAILING) for f in record.get_fields(*tags)
            for v in f.get_subfields(code) if v.strip(_TRAILING)]


def _control(record: pymarc.Record, tag: str) -> str:
    """A control field's data, or an empty string."""
    fields = record.get_fields(tag)
    return (fields[0].data or "") if fields else ""


def _material_type(record: pymarc.Record, fixed: str) -> str:
    """Our material type: 655 as we write it, else a thesis note, else the leader."""
    for term in _all(record, ("655",)):
        if found := vocab.material_type(term):
            return found
    if note := _first(record, ("502",), "a") or _first(record, ("502",), "b"):
        words = vocab.vocab_key(note)
        return next((kind for kind in ("disertasi", "tesis", "skripsi") if kind in words),
                    "skripsi")
    leader = str(record.leader)
    kind, level = leader[6:7], leader[7:8]
    if level == "s":
        return "majalah"
    if kind in {"g", "i", "j"}:
        return "audio-visual"
    if kind in {"e", "f"}:
        return "peta"
    if kind in {"a", "t"}:
        online = fixed[23:24] in {"o", "q", "s"} or _control(record, "007").startswith("c")
        return "e-book" if online else "buku"
    return "lainnya"


def _subjects(record: pymarc.Record) -> list[str]:
    """Subject headings with their subdivisions joined by `` -- ``."""
    headings = []
    for field in record.get_fields("600", "610", "611", "650", "651"):
        parts = [v.strip(_TRAILING) for code in "axyz" for v in field.get_subfields(code)]
        if heading := " -- ".join(p for p in parts if p):
            headings.append(heading)
    return headings


def to_bib_record(record: pymarc.Record, number: int) -> Numbered | Rejection:
    """Map one MARC record; every warning of the record is reported together."""
    warnings: list[Message] = []
    fixed = _control(record, "008")
    title = _first(record, ("245",), "a")
    if not title:
        return Rejection(number, (messages.missing_title(),), unit="record")
    year_text = _first(record, ("264", "260"), "c")
    found = _YEAR.search(year_text) or _YEAR.fullmatch(fixed[7:11])
    year = parse_year(found.group(0), warnings) if found else None
    isbns = parse_isbns(";".join(v.split(" ")[0] for v in _all(record, ("020",))), warnings)
    issns = parse_issns(";".join(_all(record, ("022",))), warnings)
    creators = _all(record, ("100", "110", "111"))
    contributors: list[str] = []
    for field in record.get_fields("700", "710", "711"):
        names = contributors if field.get_subfields("e", "4") else creators
        names.extend(v.strip(_TRAILING) for v in field.get_subfields("a"))
    creators, contributors = list(dict.fromkeys(creators)), list(dict.fromkeys(contributors))
    local_id = _control(record, "001").strip() or derived_id(isbns.valid, title, creators, year)
    code = fixed[35:38].strip(" |")
    language_code = language(code or _first(record, ("041",), "a"), warnings)
    call_number = (_first(record, ("090",), "a") + " " + _first(record, ("090",), "b")).strip()
    copies = []
    for n, field in enumerate(record.get_fields("852"), start=1):
        copies.append(Copy(
            barcode=_first_sub(field, "p") or f"{local_id}-{n}",
            location=_first_sub(field, "b"), call_number=_first_sub(field, "h"),
            status=copy_status(_first_sub(field, "z"), warnings)))
    bib = BibRecord(
        local_id=local_id, title=title, subtitle=_first(record, ("245",), "b"),
        creators=creators, contributors=contributors,
        publisher=_first(record, ("264", "260"), "b"), place=_first(record, ("264", "260"), "a"),
        year=year, isbn=isbns.valid, issn=list(dict.fromkeys(issns.valid + isbns.issn)),
        language=language_code, subjects=_subjects(record),
        classification=_first(record, ("082", "084"), "a").replace("/", ""),
        call_number=call_number or next((c.call_number for c in copies), ""),
        material_type=_material_type(record, fixed),
        collection=next((_first_sub(f, "c") for f in record.get_fields("852")), ""),
        description=next((_first_sub(f, "a") for f in record.get_fields("520")), ""),
        series=_first(record, ("830", "490", "440"), "a"),
        digital_url=_first(record, ("856",), "u"), copies=copies,
        invalid_isbn=isbns.invalid + _all(record, ("020",), "z"),
        invalid_issn=issns.invalid + _all(record, ("022",), "y"))
    return number, bound_fields(bib, warnings), tuple(warnings)


def _first_sub(field: pymarc.Field, code: str) -> str:
    """A field's first subfield ``code``, whitespace-tidied."""
    values = field.get_subfields(code)
    return " ".join(values[0].split()) if values else ""


def read_iso2709(path: Path) -> Iterator[Numbered | Rejection]:
    """Records of a binary MARC file, numbered from 1."""
    with path.open("rb") as fh:
        reader = pymarc.MARCReader(fh, to_unicode=True, permissive=True)
        for number in itertools.count(1):
            try:
                record = next(reader)
            except StopIteration:
                return
            except ValueError as exc:  # pymarc reads a negative length for "00000".."00004"
                raise _broken(number, exc) from exc
            if record is not None:
                yield to_bib_record(record, number)
                continue
            error = reader.current_exception
            if isinstance(error, STRUCTURAL_ERRORS):
                raise _broken(number, error)
            yield Rejection(number, (messages.malformed(str(error)),), unit="record")


def _broken(number: int, error: Exception) -> FileRejected:
    """A binary MARC file out of step at ``number``: refused, nothing after it trusted."""
    detail = str(error) or type(error).__name__
    return FileRejected(Message(
        f"berkas MARC terpotong atau rusak pada rekaman {number} ({detail})",
        f"MARC file truncated or corrupt at record {number} ({detail})"))


def _xml_record(element: etree._Element) -> pymarc.Record:
    """A pymarc record from one MARCXML ``<record>`` element."""
    record = pymarc.Record()
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name == "leader":
            record.leader = pymarc.Leader((child.text or "").ljust(24)[:24])
        elif name == "controlfield":
            record.add_field(pymarc.Field(tag=child.get("tag", ""), data=child.text or ""))
        elif name == "datafield":
            subfields = [pymarc.Subfield(code=s.get("code", ""), value=s.text or "")
                         for s in child if etree.QName(s).localname == "subfield"]
            indicators = pymarc.Indicators(child.get("ind1", " "), child.get("ind2", " "))
            record.add_field(pymarc.Field(tag=child.get("tag", ""), indicators=indicators,
                                          subfields=subfields))
    return record


def _from_element(element: etree._Element, number: int) -> Numbered | Rejection:
    """One parsed ``<record>`` element mapped, unless it holds an entity."""
    if any(True for _ in element.iter(etree.Entity)):
        return Rejection(number, (Message("entitas XML tidak diizinkan",
                                          "XML entities are not allowed"),), "record")
    return to_bib_record(_xml_record(element), number)


def read_marcxml(path: Path, max_bytes: int,
                 warnings: list[Message]) -> Iterator[Numbered | Rejection]:
    """Records of a MARCXML file (namespaced or not), numbered from 1, parsed safely."""
    if path.stat().st_size > max_bytes:
        raise FileRejected(Message(f"berkas XML lebih dari {max_bytes // 2**20} MiB",
                                   f"XML file larger than {max_bytes // 2**20} MiB"))
    number = 0
    with path.open("rb") as raw:
        cleaned = CleanedXML(raw)
        events = etree.iterparse(
            cleaned, events=("end",), tag=(f"{{{MARCXML_NS}}}record", "record"),
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            for _, element in events:
                number += 1
                yield _from_element(element, number)
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
        except etree.XMLSyntaxError as exc:
            warnings.append(Message(
                f"XML rusak di baris {exc.lineno} ({exc.msg}); berkas dibaca per rekaman",
                f"malformed XML on line {exc.lineno} ({exc.msg}); the file was read record "
                "by record"))
        else:
            warnings.extend(cleaned.report())
            return
    with path.open("rb") as raw:
        cleaned = CleanedXML(raw)
        for later, element in salvaged_records(cleaned, skip=number):
            yield element if isinstance(element, Rejection) else _from_element(element, later)
        warnings.extend(cleaned.report())
