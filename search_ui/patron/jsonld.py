"""schema.org descriptions (JSON-LD) so search engines understand works and libraries.

A work is a ``Book``; each holding library's copies are a ``workExample`` with an
``Offer`` (free loan) whose availability follows the copies on the shelf, claimed only
while their statuses are fresh (``search_ui.patron.availability``); digital links are
``EBook`` examples. A library is a ``Library`` with address, phone and coordinates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aggregator.model import Holding, Work
from config.network import Source, http_only
from search_ui.patron.present import ISO_639_2, map_url

SCHEMA = "https://schema.org"
EBOOK_TYPES = {"ebook", "e-book", "buku-elektronik"}


def _availability(holding: Holding) -> str:
    """schema.org availability of one library's copies."""
    if holding.available > 0:
        return f"{SCHEMA}/InStock"
    return f"{SCHEMA}/OutOfStock" if holding.copies else f"{SCHEMA}/InStoreOnly"


def library_ld(source: Source, page_url: str) -> dict[str, Any]:
    """A member library as a schema.org ``Library``."""
    data: dict[str, Any] = {"@type": "Library", "@id": page_url, "name": source.name,
                            "url": source.web_address or page_url}
    address = {"@type": "PostalAddress", "streetAddress": source.address,
               "addressRegion": source.district, "addressCountry": "ID"}
    data["address"] = {k: v for k, v in address.items() if v}
    if source.phone or source.whatsapp:
        data["telephone"] = source.phone or "+" + source.whatsapp
    if source.email:
        data["email"] = source.email
    if source.latitude is not None and source.longitude is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": source.latitude,
                       "longitude": source.longitude}
        data["hasMap"] = map_url(source.latitude, source.longitude)
    return data


def _offered_by(holding: Holding, sources: dict[str, Source],
                library_url: dict[str, str]) -> dict[str, Any]:
    """The holding library, fully described when it is in the registry."""
    source = sources.get(holding.library_id)
    if source is None:
        return {"@type": "Library", "name": holding.library_name or holding.library_id}
    return library_ld(source, library_url[holding.library_id])


def book_ld(work: Work, url: str, sources: dict[str, Source], library_url: dict[str, str],
            fresh: Callable[[Holding], bool]) -> dict[str, Any]:
    """A work as a schema.org ``Book``, one example per holding and digital link.

    A holding whose statuses are not ``fresh`` gets an offer without availability or
    inventory level: no claim beats a stale one."""
    data: dict[str, Any] = {"@context": SCHEMA, "@type": "Book", "@id": url, "url": url,
                            "name": work.title}
    if work.subtitle:
        data["alternativeHeadline"] = work.subtitle
    if work.creators:
        data["author"] = [{"@type": "Person", "name": name} for name in work.creators]
    if work.publisher:
        data["publisher"] = {"@type": "Organization", "name": work.publisher}
    if work.series:
        data["isPartOf"] = {"@type": "BookSeries", "name": work.series}
    if work.year:
        data["datePublished"] = str(work.year)
    if work.isbns:
        data["isbn"] = work.isbns[0]
    if work.language:  # schema.org wants BCP 47 ("id"), records say MARC's "ind"
        data["inLanguage"] = ISO_639_2.get(work.language.strip().lower(), work.language)
    if work.subjects:
        data["keywords"] = ", ".join(work.subjects)
    if work.description:
        data["description"] = work.description
    examples: list[dict[str, Any]] = []
    for holding in work.holdings:
        offer: dict[str, Any] = {
            "@type": "Offer", "price": "0", "priceCurrency": "IDR",
            "businessFunction": "http://purl.org/goodrelations/v1#LeaseOut",
            "offeredBy": _offered_by(holding, sources, library_url)}
        if fresh(holding):
            offer["availability"] = _availability(holding)
            offer["inventoryLevel"] = {"@type": "QuantitativeValue",
                                       "value": holding.available}
        example = {"@type": "Book", "name": work.title, "offers": offer,
                   "bookFormat": f"{SCHEMA}/"
                   + ("EBook" if work.material_type in EBOOK_TYPES else "Paperback")}
        if holding.call_number:
            example["identifier"] = holding.call_number
        examples.append(example)
    examples.extend({"@type": "Book", "name": work.title, "bookFormat": f"{SCHEMA}/EBook",
                     "url": link} for link in work.links if http_only(link))
    if examples:
        data["workExample"] = examples
    return data


def directory_ld(entries: list[tuple[Source, str]]) -> dict[str, Any]:
    """The library directory as an ``ItemList`` of ``Library`` entries."""
    return {"@context": SCHEMA, "@type": "ItemList",
            "itemListElement": [{"@type": "ListItem", "position": n,
                                 "item": library_ld(source, url)}
                                for n, (source, url) in enumerate(entries, start=1)]}
