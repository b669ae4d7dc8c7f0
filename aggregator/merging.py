"""One ``Work`` document from the records of a cluster: merged description, holdings per library.

Merge rules (deterministic, independent of the order records arrived in):
- Records are ranked by completeness (how many descriptive fields are filled), then by
  (source, identifier). Title, subtitle, creators, publisher, place, series and material
  type come from the best-ranked record that has them.
- ``year``: the earliest known year (the work's first appearance among the editions we
  cluster together; reprints catalogued a year apart agree on it).
- ``language`` and ``classification``: the value most records give (ties: best rank).
- ``isbns``, ``issns``, ``links``, ``contributors``, ``subjects``: the union, in rank order,
  duplicates (by matching key) dropped.
- ``description``: the longest.
- ``holdings``: one per library, sorted by library id: copies and available copies summed
  over that library's records, the call number and location of its best record; its
  statuses known as of the oldest of its records' times (a claim is as old as its parts).
- ``updated``: the latest datestamp among the records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from aggregator.matching import name_key, text_key
from aggregator.model import Holding, Work
from aggregator.normalise.schema import NormalisedRecord
from config.network import Source

_DESCRIPTIVE = ("subtitle", "creators", "publisher", "place", "year", "isbns", "language",
                "subjects", "classification", "description", "edition",
                "series")


def completeness(record: NormalisedRecord) -> int:
    """How many descriptive fields a record fills (a better record describes the work)."""
    filled = sum(1 for name in _DESCRIPTIVE if getattr(record, name) not in ("", None, [], "und"))
    return filled + (1 if record.holding.copies_known else 0)


def build_work(work_id: str, records: Iterable[NormalisedRecord],
               libraries: Mapping[str, Source]) -> Work:
    """The search document of one work."""
    ranked = sorted(records, key=lambda r: (-completeness(r), r.source, r.identifier))
    best = ranked[0]
    years = [r.year for r in ranked if r.year is not None]
    return Work(
        id=work_id,
        title=best.title,
        subtitle=next((r.subtitle for r in ranked if r.subtitle), ""),
        creators=next((r.creators for r in ranked if r.creators), []),
        contributors=_union((r.contributors for r in ranked), name_key),
        publisher=next((r.publisher for r in ranked if r.publisher), ""),
        place=next((r.place for r in ranked if r.place), ""),
        year=min(years) if years else None,
        isbns=_union((r.isbns for r in ranked), str),
        issns=_union((r.issns for r in ranked), str),
        language=_most_common([r.language for r in ranked if r.language != "und"]) or "und",
        material_type=best.material_type,
        subjects=_union((r.subjects for r in ranked), text_key),
        classification=_most_common([r.classification for r in ranked if r.classification]),
        description=max((r.description for r in ranked), key=len),
        series=next((r.series for r in ranked if r.series), ""),
        links=_union((r.links for r in ranked), str),
        holdings=_holdings(ranked, libraries),
        updated=max(r.datestamp for r in ranked),
    )


def _union(lists: Iterable[list[str]], key: Callable[[str], str]) -> list[str]:
    """Values of every list in order, the first spelling of each key kept."""
    seen: set[str] = set()
    merged = []
    for values in lists:
        for value in values:
            marker = key(value)
            if marker not in seen:
                seen.add(marker)
                merged.append(value)
    return merged


def _most_common(values: list[str]) -> str:
    """The most frequent value; ties go to the one seen first (best-ranked record)."""
    if not values:
        return ""
    counts = Counter(values)
    top = max(counts.values())
    return next(v for v in values if counts[v] == top)


def _holdings(ranked: list[NormalisedRecord], libraries: Mapping[str, Source]) -> list[Holding]:
    """One holding per library, its records' copies added up."""
    by_library: dict[str, list[Holding]] = {}
    for record in ranked:
        by_library.setdefault(record.source, []).append(record.holding)
    holdings = []
    for library_id in sorted(by_library):
        parts = by_library[library_id]
        main = parts[0]
        source = libraries.get(library_id)
        holdings.append(Holding(
            library_id=library_id,
            record_id=main.record_id,
            library_name=source.name if source else library_id,
            district=source.district if source else "",
            library_type=source.type if source else "",
            call_number=main.call_number or next((h.call_number for h in parts
                                                  if h.call_number), ""),
            location=main.location or next((h.location for h in parts if h.location), ""),
            copies=sum(h.copies for h in parts),
            available=sum(h.available for h in parts),
            statuses=[s for h in parts for s in h.statuses],
            url=main.url or next((h.url for h in parts if h.url), ""),
            copies_known=any(h.copies_known for h in parts),
            status_known=min((h.status_known for h in parts if h.copies_known), default=""),
        ))
    return holdings
