"""MARCXML (``marc21``, ``marcxml``) to the canonical record's raw values.

Namespaces are ignored on purpose: Alma sends a default MARC21/slim namespace, Invenio a
``marc:`` prefix, others none. Holdings come from 852, one field per copy as our nodes
write it ($a institution, $b location, $h call number, $p barcode, $z status word such
as ``tersedia`` or ``dipinjam``, $9 the UTC time that status was known); a record without
852 has ``copies_known=False``. A $9 that is not a time reads as undated, never as an error.
Material type: a 655 term from our vocabulary (our nodes write one), else a 502 thesis
note, else the leader and 008.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from aggregator.normalise.vocabulary import material_type
from aggregator.normalise.xmltree import local_name, text_of
from harvester.quirks import DatestampError, parse_datestamp

NAMESPACES = ("http://www.loc.gov/MARC21/slim", "")
"""Root namespaces this module reads (none at all is common too)."""

AVAILABLE = frozenset({"tersedia", "available", "ada", "on shelf", "in"})
"""852 $z words meaning the copy is on the shelf."""

_AUTHOR_RELATORS = frozenset({"aut", "author", "pengarang", "penulis"})
_THESES = frozenset({"skripsi", "tesis", "disertasi"})
_LEADER_TYPES = {"e": "peta", "f": "peta", "g": "audio-visual", "i": "audio-visual",
                 "j": "audio-visual", "m": "e-book"}


@dataclass
class Marc:
    """The parts of a MARC record this mapping reads; data fields also indexed by tag."""

    leader: str = ""
    control: dict[str, str] = field(default_factory=dict)
    fields: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)
    by_tag: dict[str, list[tuple[str, list[tuple[str, str]]]]] = field(default_factory=dict)

    def add(self, tag: str, ind2: str, subs: list[tuple[str, str]]) -> None:
        """Append a data field."""
        self.fields.append((tag, ind2, subs))
        self.by_tag.setdefault(tag, []).append((ind2, subs))

    def all(self, *tags: str) -> list[tuple[str, list[tuple[str, str]]]]:
        """Fields with one of these tags, in record order, as (ind2, subfields)."""
        if len(tags) == 1:
            return self.by_tag.get(tags[0], [])
        return [(ind2, subs) for tag, ind2, subs in self.fields if tag in tags]

    def values(self, tags: tuple[str, ...], code: str) -> list[str]:
        """Every ``$code`` of the given tags."""
        return [v for _, subs in self.all(*tags) for c, v in subs if c == code and v]

    def first(self, tags: tuple[str, ...], code: str) -> str:
        """The first ``$code`` among the tags, in the order the tags are given."""
        for tag in tags:
            for _, subs in self.by_tag.get(tag, ()):
                for c, v in subs:
                    if c == code and v:
                        return v
        return ""


def read_marc(root: etree._Element) -> Marc:
    """Collect leader, control and data fields of a ``record`` (or a collection's first)."""
    if local_name(root) == "collection":
        records = [child for child in root if local_name(child) == "record"]
        root = records[0] if records else root
    marc = Marc()
    for element in root:
        name = local_name(element)
        if name == "leader":
            marc.leader = (element.text or "").ljust(24)
        elif name == "controlfield":
            marc.control[element.get("tag", "")] = element.text or ""
        elif name == "datafield":
            subs = [(sub.get("code", ""), text_of(sub))
                    for sub in element if local_name(sub) == "subfield"]
            marc.add(element.get("tag", ""), element.get("ind2", " "), subs)
    return marc


def map_record(root: etree._Element) -> dict[str, Any]:
    """Raw canonical values from a MARCXML record (validated later by the schema)."""
    marc = read_marc(root)
    fixed = marc.control.get("008", "").ljust(40)
    creators = marc.values(("100", "110", "111"), "a")
    contributors = []
    for _, subs in marc.all("700", "710", "711"):
        names = [v for c, v in subs if c == "a"]
        roles = {v.strip(" .").lower() for c, v in subs if c in "e4"}
        (creators if not roles or roles & _AUTHOR_RELATORS else contributors).extend(names)
    title_parts = marc.all("245") or marc.all("240", "130")
    subs = title_parts[0][1] if title_parts else []
    title = ". ".join(v.rstrip(" /:;,.") for c, v in subs if c in "anp")
    publication = [s for ind2, s in marc.all("264") if ind2 == "1"] or [s for _, s in
                                                                       marc.all("260")]
    imprint = publication[0] if publication else []
    raw: dict[str, Any] = {
        "title": title,
        "subtitle": " ".join(v for c, v in subs if c == "b"),
        "creators": creators,
        "contributors": contributors,
        "place": next((v for c, v in imprint if c == "a"), ""),
        "publisher": next((v for c, v in imprint if c == "b"), ""),
        "year": [fixed[7:11]] + [v for c, v in imprint if c == "c"],
        "edition": marc.first(("250",), "a"),
        "isbns": marc.values(("020",), "a"),
        "issns": marc.values(("022",), "a"),
        "language": marc.first(("041",), "a") or fixed[35:38].strip(" |"),
        "subjects": [_subject(s) for _, s in marc.all("600", "610", "611", "630", "650",
                                                       "651", "653")],
        "classification": marc.first(("082", "080", "084", "050"), "a"),
        "call_number": marc.first(("090", "099"), "a") or marc.first(("852",), "h"),
        "description": marc.first(("520",), "a"),
        "series": marc.first(("830", "490", "440"), "a").rstrip(" ;,./"),
        "links": marc.values(("856",), "u"),
    }
    kind = _material_type(marc, fixed, subs)
    if kind:
        raw["material_type"] = kind
    raw["holding"] = _holding(marc, raw)
    return raw


def _subject(subs: list[tuple[str, str]]) -> str:
    """A subject heading with its subdivisions, ``Sejarah -- Indonesia -- 1945-1949``."""
    return " -- ".join(v.rstrip(" .") for c, v in subs if c in "axyzv")


def _material_type(marc: Marc, fixed: str, title_subs: list[tuple[str, str]]) -> str | None:
    """Our material type from 655, a thesis note, the medium in 245 $h, then the leader."""
    stated = material_type(marc.values(("655",), "a"))
    if stated:
        return stated
    thesis_note = " ".join(marc.values(("502",), "a") + marc.values(("502",), "b"))
    if thesis_note or ("m" in fixed[24:28] and marc.leader[6] == "a"):
        kind = material_type(thesis_note.lower().replace("(", " ").split())
        return kind if kind in _THESES else "tesis"
    medium = " ".join(v for c, v in title_subs if c == "h").strip("[] /:.").lower()
    if "electron" in medium or "elektron" in medium or fixed[23] in "os":
        return "e-book"
    record_type, level = marc.leader[6], marc.leader[7]
    if record_type in "at" and level in "sbi":
        return "surat-kabar" if fixed[21] == "n" else "majalah"
    if record_type in "at":
        return "buku"
    return _LEADER_TYPES.get(record_type, "lainnya" if record_type.strip() else None)


def _holding(marc: Marc, raw: dict[str, Any]) -> dict[str, Any]:
    """One 852 per copy: counts, the usual location, the first call number."""
    copies = [dict(subs) for _, subs in marc.all("852")]
    statuses = [c.get("z", "").strip().lower() for c in copies]
    locations = Counter(c["b"] for c in copies if c.get("b"))
    return {
        "copies": len(copies),
        "available": sum(1 for s in statuses if s in AVAILABLE),
        "statuses": [s for s in statuses if s],
        "location": locations.most_common(1)[0][0] if locations else "",
        "call_number": next((c["h"] for c in copies if c.get("h")), raw["call_number"]),
        "copies_known": bool(copies),
        "status_times": [_status_time(c.get("9", "")) for c in copies],
        "url": raw["links"][0] if raw["links"] else "",
    }


def _status_time(text: str) -> str:
    """A copy's 852 $9 as UTC ``YYYY-MM-DDThh:mm:ssZ``; empty when it is not a time."""
    try:
        return parse_datestamp(text).strftime("%Y-%m-%dT%H:%M:%SZ")
    except DatestampError:
        return ""
