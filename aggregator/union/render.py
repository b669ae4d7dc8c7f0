"""A published work as the union feed (and ``/sru``) writes it: content, sets, MARCXML, DC.

The content (canonical JSON of the work without its member datestamps and status times,
which the feed does not carry) is what decides
whether a work changed: equal content, unchanged datestamp. MARC carries one 852 per
holding library: ``$a`` library code, ``$b`` library name, ``$e`` its district, ``$h``
the call number, ``$z`` copies and available copies with the date they were published.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from aggregator.model import Holding, Work
from aggregator.union.config import republishes
from config.network import Source
from config.province import Province
from node_adapter.oai.formats import FORMATS, Subfields, dc_elements, marc_xml, xml_text
from node_adapter.oai.response import oai_identifier
from node_adapter.oai.sets import PARENT_NAMES, slug
from node_adapter.records import BibRecord

SET_PARENTS = {"library": "Perpustakaan anggota (member library)",
               "district": "Kabupaten/kota (district)",
               "type": PARENT_NAMES["type"]}
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Publication:
    """What the union table stores for one live work."""

    content: str
    sets: tuple[tuple[str, str], ...]

    def leaves(self) -> str:
        """The leaf specs as the catalogue tables store them (space-separated)."""
        return " ".join(spec for spec, _ in self.sets if ":" in spec)


def publication(work: Work, province: Province) -> Publication:
    """The work's canonical content and its sets (library, district, material type)."""
    data = work.to_dict()
    data.pop("updated")
    for holding in data["holdings"]:
        holding.pop("status_known", None)  # not published: a re-harvest alone is no change
    leaves: dict[str, str] = {}
    for holding in work.holdings:
        leaves.setdefault(f"library:{slug(holding.library_id)}",
                          holding.library_name or holding.library_id)
        district = province.find(holding.district) if holding.district else None
        if district:
            leaves.setdefault(f"district:{district.code}", district.name)
    leaves[f"type:{slug(work.material_type) or 'lainnya'}"] = work.material_type or "lainnya"
    parents = sorted({spec.split(":", 1)[0] for spec in leaves})
    names = (*sorted(leaves.items()), *((parent, SET_PARENTS[parent]) for parent in parents))
    return Publication(_CANONICAL.encode(data), names)


@dataclass(frozen=True)
class Rendered:
    """A work as the feed will store it, rendered where the work was built (in a rebuild, a
    worker process); ``publication`` is None when no member lets it be republished."""

    work: Work
    publication: Publication | None
    fragments: dict[str, str]
    day: str
    """The UTC date its MARC counts copies on ("": fragments not rendered yet)."""


@dataclass(frozen=True, eq=False)
class Renderer:
    """Renders works for the feed: pure and picklable, so a worker can run it."""

    libraries: Mapping[str, Source]
    province: Province

    def visible(self, work: Work) -> Work:
        """The work with only the holdings of members that allow re-publication."""
        kept = [h for h in work.holdings if republishes(self.libraries.get(h.library_id))]
        return work if len(kept) == len(work.holdings) else replace(work, holdings=kept)

    def __call__(self, work: Work) -> Rendered:
        """The work's content, sets and fragments, its copies counted today (UTC)."""
        return self.dated(self.content(work), datetime.now(UTC).strftime("%Y-%m-%d"))

    def content(self, work: Work) -> Rendered:
        """The work's content and sets only: enough to tell whether it changed."""
        shown = self.visible(work)
        return Rendered(work, publication(shown, self.province) if shown.holdings else None,
                        {}, "")

    def dated(self, rendered: Rendered, day: str) -> Rendered:
        """``rendered`` with its fragments, copies counted on ``day``, unless they are."""
        if rendered.publication is None or rendered.day == day:
            return rendered
        return replace(rendered, fragments=fragments(self.visible(rendered.work), day), day=day)


def described(work: Work) -> BibRecord:
    """The work's description in the shape the node formats write."""
    return BibRecord(
        local_id=work.id, title=work.title, subtitle=work.subtitle,
        creators=list(work.creators), contributors=list(work.contributors),
        publisher=work.publisher, place=work.place, year=work.year, isbn=list(work.isbns),
        issn=list(work.issns), language=work.language or "und",
        subjects=list(work.subjects), classification=work.classification,
        material_type=work.material_type, description=work.description,
        series=work.series,
        digital_url=next(iter(work.links), ""))


def holding_field(holding: Holding, as_of: str) -> Subfields:
    """One library's 852: who, where, and how many copies were on the shelf that day."""
    if holding.copies_known:
        note = (f"{holding.copies} eksemplar, {holding.available} tersedia per {as_of}"
                f" ({holding.copies} copies, {holding.available} available on {as_of})")
    else:
        note = f"jumlah eksemplar tidak diketahui per {as_of} (copies unknown on {as_of})"
    return (("a", holding.library_id), ("b", holding.library_name), ("e", holding.district),
            ("h", holding.call_number), ("z", note))


def fragments(work: Work, day: str) -> dict[str, str]:
    """The work in every prefix the provider offers, its copies counted on ``day``."""
    return {"marc21": marc_record(work, day),
            "oai_dc": FORMATS["oai_dc"].render(described(work))}


def marc_record(work: Work, as_of: str) -> str:
    """MARCXML of the work with one 852 per holding library, copies counted ``as_of``."""
    return marc_xml(described(work), [holding_field(h, as_of) for h in work.holdings])


def srw_dc_record(work: Work) -> str:
    """The work in SRU's Dublin Core schema (``info:srw/schema/1/dc-v1.1``)."""
    return ('<srw_dc:dc xmlns:srw_dc="info:srw/schema/1/dc-schema"'
            f' xmlns:dc="http://purl.org/dc/elements/1.1/">{dc_elements(described(work))}'
            "</srw_dc:dc>")


def successor_about(repository: str, successor: str) -> str:
    """A tombstone's ``<about>``: Dublin Core naming the work it was merged into."""
    return ('<about><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            ' xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/'
            ' http://www.openarchives.org/OAI/2.0/oai_dc.xsd">'
            f"<dc:relation>{xml_text(oai_identifier(repository, successor))}</dc:relation>"
            "</oai_dc:dc></about>")
