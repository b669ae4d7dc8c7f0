"""Metadata formats by prefix: each renders a ``BibRecord`` to an XML fragment once, at upsert.

Fragments are plain strings built by hand (no tree per record: bulk imports of 100,000
records stay fast) and carry their own namespace declarations, so the provider can stream
them verbatim. The library's name is not known when a record is stored, so MARC 852 $a
holds ``INSTITUTION_SLOT``, which the provider replaces; the slot contains ``<``, which
escaped content never does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from node_adapter.records import BibRecord

INSTITUTION_SLOT = "<<institution>>"
ONLINE_LINK_TEXT = "Baca online"
"""856 $y: what a patron reads on the link to a digital copy."""
DUE_DATE_WORDS = "jatuh tempo"
"""852 $g before a copy's due date (ISO), e.g. ``jatuh tempo 2026-12-10``."""
_ILLEGAL_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# One negated class (everything XML allows except " & < >): several times faster than
# an alternation, and most values need no work at all.
_NEEDS_WORK = re.compile("[^\t\n\r\u0020\u0021\u0023-\u0025\u0027-\u003b\u003d"
                         "\u003f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DDC = re.compile(r"^\d{3}(\.\d+)?$")


def xml_text(value: object) -> str:
    """Escape text for element content and attributes, dropping characters XML forbids."""
    text = value if type(value) is str else str(value)
    if not _NEEDS_WORK.search(text):
        return text
    text = _ILLEGAL_XML.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


@dataclass(frozen=True)
class MetadataFormat:
    """One format the node disseminates: what ListMetadataFormats says, and its writer."""

    prefix: str
    schema: str
    namespace: str
    render: Callable[[BibRecord], str]


def _dc(record: BibRecord) -> str:
    """Dublin Core in OAI's ``oai_dc`` wrapper."""
    return ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            ' xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/'
            f' http://www.openarchives.org/OAI/2.0/oai_dc.xsd">{dc_elements(record)}'
            "</oai_dc:dc>")


def dc_elements(record: BibRecord) -> str:
    """Dublin Core elements (``dc:`` prefix, declared by the wrapper): every bibliographic
    field, identifiers as URNs and URLs.

    Identifiers kept aside as invalid are left out: DC has no way to say "this is wrong".
    """
    parts: list[str] = []

    def add(element: str, value: object) -> None:
        if value not in ("", None):
            parts.append(f"<dc:{element}>{xml_text(value)}</dc:{element}>")

    title = f"{record.title} : {record.subtitle}" if record.subtitle else record.title
    add("title", title)
    for name in record.creators:
        add("creator", name)
    for name in record.contributors:
        add("contributor", name)
    add("publisher", record.publisher)
    add("date", record.year)
    add("type", record.material_type)
    for isbn in record.isbn:
        add("identifier", f"urn:isbn:{isbn}")
    for issn in record.issn:
        add("identifier", f"urn:issn:{issn}")
    for url in (record.digital_url, *record.more_digital_urls):
        add("identifier", url)
    add("identifier", record.call_number)
    add("language", record.language)
    for subject in record.subjects:
        add("subject", subject)
    add("subject", record.classification)
    add("description", record.description)
    add("format", record.collation)
    add("coverage", record.place)
    add("relation", record.collection)
    add("relation", record.series)
    return "".join(parts)


_RECORD_TYPE = {"audio-visual": "g", "peta": "e"}
_SERIAL = {"majalah", "surat-kabar"}
_THESIS = {"skripsi", "tesis", "disertasi"}


def _leader_and_008(record: BibRecord) -> tuple[str, str]:
    """Leader and 008 say the material type (record type, level, form, thesis nature)."""
    level = "s" if record.material_type in _SERIAL else "m"
    leader = f"00000n{_RECORD_TYPE.get(record.material_type, 'a')}{level} a2200000 i 4500"
    fixed = list("||||||" + " " * 34)
    if record.year:
        fixed[6:11] = list(f"s{record.year:04d}"[:5])
    else:
        fixed[6:11] = list("nuuuu")
    fixed[15:18] = list("io ")
    if record.material_type == "e-book":
        fixed[23] = "o"
    if record.material_type in _THESIS:
        fixed[24] = "m"
    language = (record.language or "und")[:3].ljust(3)
    fixed[35:38] = list(language)
    fixed[39] = "d"
    return leader, "".join(fixed)


Subfields = tuple[tuple[str, object], ...]


def _marc(record: BibRecord) -> str:
    """MARCXML (MARC21slim), one 852 per copy; bad ISBN/ISSN in 020 $z / 022 $y.

    852 $z is the copy's status word and $9 (the subfield MARC leaves to local use) the
    UTC time that status was known, ``2026-12-03T07:00:00Z``, so harvesters can date it."""
    return marc_xml(record, [
        (("a", INSTITUTION_SLOT), ("b", copy.location), ("c", copy.collection or record.collection),
         ("g", copy.due_date and f"{DUE_DATE_WORDS} {copy.due_date}"),
         ("h", copy.call_number or record.call_number), ("p", copy.barcode),
         ("z", copy.status), ("9", copy.status_known)) for copy in record.copies])


def marc_xml(record: BibRecord, holdings: list[Subfields]) -> str:
    """MARCXML (MARC21slim) of a record's description with one 852 per ``holdings`` entry."""
    leader, fixed = _leader_and_008(record)
    parts = ['<marc:record xmlns:marc="http://www.loc.gov/MARC21/slim"'
             ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
             ' xsi:schemaLocation="http://www.loc.gov/MARC21/slim'
             ' http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd">',
             f"<marc:leader>{leader}</marc:leader>",
             f'<marc:controlfield tag="001">{xml_text(record.local_id)}</marc:controlfield>',
             f'<marc:controlfield tag="008">{xml_text(fixed)}</marc:controlfield>']

    def field(tag: str, ind: str, *subfields: tuple[str, object]) -> None:
        present = [(code, value) for code, value in subfields if value not in ("", None)]
        if not present:
            return
        parts.append(f'<marc:datafield tag="{tag}" ind1="{ind[0]}" ind2="{ind[1]}">')
        for code, value in present:
            text = value if value is INSTITUTION_SLOT else xml_text(value)
            parts.append(f'<marc:subfield code="{code}">{text}</marc:subfield>')
        parts.append("</marc:datafield>")

    for isbn in record.isbn:
        field("020", "  ", ("a", isbn))
    for isbn in record.invalid_isbn:
        field("020", "  ", ("z", isbn))
    for issn in record.issn:
        field("022", "  ", ("a", issn))
    for issn in record.invalid_issn:
        field("022", "  ", ("y", issn))
    field("041", "  ", ("a", record.language))
    classification_tag = "082" if _DDC.match(record.classification) else "084"
    field(classification_tag, "04", ("a", record.classification))
    field("090", "  ", ("a", record.call_number))
    if record.creators:
        field("100", "1 ", ("a", record.creators[0]))
    field("245", "10" if record.creators else "00", ("a", record.title), ("b", record.subtitle),
          ("c", record.responsibility))
    field("250", "  ", ("a", record.edition))
    field("264", " 1", ("a", record.place), ("b", record.publisher), ("c", record.year))
    field("300", "  ", ("a", record.collation))
    field("490", "0 ", ("a", record.series))
    field("520", "  ", ("a", record.description))
    for subject in record.subjects:
        field("650", " 4", ("a", subject))
    field("655", " 4", ("a", record.material_type))
    for name in record.creators[1:]:
        field("700", "1 ", ("a", name))
    for name in record.contributors:
        field("700", "1 ", ("a", name), ("e", "kontributor"))
    for subfields in holdings:
        field("852", "  ", *subfields)
    for url in (record.digital_url, *record.more_digital_urls):
        field("856", "40", ("u", url), ("y", ONLINE_LINK_TEXT))
    parts.append("</marc:record>")
    return "".join(parts)


FORMATS: dict[str, MetadataFormat] = {
    "oai_dc": MetadataFormat(
        "oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        "http://www.openarchives.org/OAI/2.0/oai_dc/", _dc),
    "marc21": MetadataFormat(
        "marc21", "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
        "http://www.loc.gov/MARC21/slim", _marc),
}
"""Every format the node disseminates, by metadataPrefix; each record is stored in all."""
