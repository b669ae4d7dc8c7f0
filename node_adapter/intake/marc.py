"""MARC 21 records (ISO 2709 or MARCXML) to ``BibRecord``, streamed one record at a time.

ISO 2709 goes through pymarc's reader (MARC-8 converted to Unicode). MARCXML is read with
lxml ``iterparse`` (entities not resolved, no network, no huge_tree, a file-size limit),
each ``<record>`` built into a pymarc ``Record`` and freed, so both formats share one
mapping. A record with bad content (no title, bad ISBN, unknown status, undecodable
bytes, an XML entity) is rejected on its own; a file whose structure breaks (truncated
ISO 2709, malformed XML) is refused whole.

Holdings: each 852 is one copy: $b location, $c collection, $h call number, $p barcode
(else ``<id>-<n>``), $z status.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pymarc
from lxml import etree
from pymarc import exceptions as marc_errors

from node_adapter.intake import FileRejected, messages, vocab
from node_adapter.intake.identity import derived_id
from node_adapter.intake.messages import Message, Rejection
from node_adapter.intake.rows import copy_status, parse_isbns, parse_year, split_list
from node_adapter.records import BibRecord, Copy

Numbered = tuple[int, BibRecord]
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
    """Map one MARC record; every problem of the record is reported together."""
    problems: list[Message] = []
    fixed = _control(record, "008")
    title = _first(record, ("245",), "a")
    if not title:
        problems.append(messages.missing_title())
    year_text = _first(record, ("264", "260"), "c")
    found = _YEAR.search(year_text) or _YEAR.fullmatch(fixed[7:11])
    year = parse_year(found.group(0), problems) if found else None
    isbns = parse_isbns(";".join(v.split(" ")[0] for v in _all(record, ("020",))), problems)
    creators = _all(record, ("100", "110", "111"))
    contributors: list[str] = []
    for field in record.get_fields("700", "710", "711"):
        names = contributors if field.get_subfields("e", "4") else creators
        names.extend(v.strip(_TRAILING) for v in field.get_subfields("a"))
    creators, contributors = list(dict.fromkeys(creators)), list(dict.fromkeys(contributors))
    local_id = _control(record, "001").strip() or derived_id(isbns, title, creators, year)
    language = vocab.language(fixed[35:38].strip(" |") or _first(record, ("041",), "a"))
    if language is None:
        problems.append(messages.unknown_language(fixed[35:38]))
    call_number = (_first(record, ("090",), "a") + " " + _first(record, ("090",), "b")).strip()
    copies = []
    for n, field in enumerate(record.get_fields("852"), start=1):
        copies.append(Copy(
            barcode=_first_sub(field, "p") or f"{local_id}-{n}",
            location=_first_sub(field, "b"), call_number=_first_sub(field, "h"),
            status=copy_status(_first_sub(field, "z"), problems)))
    if problems:
        return Rejection(number, tuple(problems), unit="record")
    return number, BibRecord(
        local_id=local_id, title=title, subtitle=_first(record, ("245",), "b"),
        creators=creators, contributors=contributors,
        publisher=_first(record, ("264", "260"), "b"), place=_first(record, ("264", "260"), "a"),
        year=year, isbn=isbns, issn=split_list(";".join(_all(record, ("022",)))),
        language=language or "ind", subjects=_subjects(record),
        classification=_first(record, ("082", "084"), "a").replace("/", ""),
        call_number=call_number or next((c.call_number for c in copies), ""),
        material_type=_material_type(record, fixed),
        collection=next((_first_sub(f, "c") for f in record.get_fields("852")), ""),
        description=next((_first_sub(f, "a") for f in record.get_fields("520")), ""),
        digital_url=_first(record, ("856",), "u"),
        copies=copies)


def _first_sub(field: pymarc.Field, code: str) -> str:
    """A field's first subfield ``code``, whitespace-tidied."""
    values = field.get_subfields(code)
    return " ".join(values[0].split()) if values else ""


def read_iso2709(path: Path) -> Iterator[Numbered | Rejection]:
    """Records of a binary MARC file, numbered from 1."""
    with path.open("rb") as fh:
        reader = pymarc.MARCReader(fh, to_unicode=True, permissive=True)
        for number, record in enumerate(reader, start=1):
            if record is not None:
                yield to_bib_record(record, number)
                continue
            error = reader.current_exception
            if isinstance(error, STRUCTURAL_ERRORS):
                raise FileRejected(Message(
                    f"berkas MARC terpotong atau rusak pada rekaman {number} ({error})",
                    f"MARC file truncated or corrupt at record {number} ({error})"))
            yield Rejection(number, (messages.malformed(str(error)),), unit="record")


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


def read_marcxml(path: Path, max_bytes: int) -> Iterator[Numbered | Rejection]:
    """Records of a MARCXML file (namespaced or not), numbered from 1, parsed safely."""
    if path.stat().st_size > max_bytes:
        raise FileRejected(Message(f"berkas XML lebih dari {max_bytes // 2**20} MiB",
                                   f"XML file larger than {max_bytes // 2**20} MiB"))
    events = etree.iterparse(
        str(path), events=("end",), tag=(f"{{{MARCXML_NS}}}record", "record"),
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    number = 0
    try:
        for _, element in events:
            number += 1
            if any(True for _ in element.iter(etree.Entity)):
                yield Rejection(number, (Message("entitas XML tidak diizinkan",
                                                 "XML entities are not allowed"),), "record")
            else:
                yield to_bib_record(_xml_record(element), number)
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise FileRejected(Message(f"XML rusak setelah rekaman {number}: {exc}",
                                   f"malformed XML after record {number}: {exc}")) from exc
