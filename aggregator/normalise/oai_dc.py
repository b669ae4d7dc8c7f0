"""Simple Dublin Core (``oai_dc``) to the canonical record's raw values.

Dublin Core has one flat ``identifier`` for ISBNs, call numbers and URLs, and ``subject``
for both subjects and class numbers, so each value is sorted by its shape. Providers seen
in the wild are accepted as they are: SLiMS's ``dc:identifier_isbn`` and place of
publication in ``dc:coverage`` (our own nodes put the place there too), DSpace's
repeated ``dc:date`` values (the earliest year wins), elements in the DC Terms namespace.
Dublin Core says nothing about copies, so the holding has ``copies_known=False``.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from aggregator.normalise.vocabulary import material_type
from aggregator.normalise.xmltree import local_name, text_of

NAMESPACES = ("http://www.openarchives.org/OAI/2.0/oai_dc/",)
"""Root namespaces this module reads."""

_ISBN_SHAPE = re.compile(r"^(?:urn:isbn:|isbn[:\s]*)?[0-9][0-9\- ]{8,15}[0-9Xx]$", re.I)
_ISSN = re.compile(r"^(?:urn:issn:|issn[:\s]*)\d{4}-?\d{3}[\dXx]$", re.I)
_CLASS_NUMBER = re.compile(r"^\d{3}(?:[./ ]|$)")
_CALL_NUMBER = re.compile(r"^(?:[A-Z]{1,3}\s+)?\d{3}(?:\.\d+)?\b.*\S\s+\S")
_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|webp)(?:$|[?&])|createthumb|thumbnail", re.I)
_SUBTITLE = re.compile(r"\s*:\s*")


def map_record(root: etree._Element) -> dict[str, Any]:
    """Raw canonical values from an ``oai_dc:dc`` element (validated later by the schema)."""
    values: dict[str, list[str]] = {}
    for child in root:
        text = text_of(child)
        if text:
            values.setdefault(local_name(child).lower(), []).append(text)
    title, subtitle = split_title(first(values, "title"))
    raw: dict[str, Any] = {
        "title": title,
        "subtitle": subtitle,
        "creators": values.get("creator", []),
        "contributors": values.get("contributor", []),
        "publisher": first(values, "publisher"),
        "place": first(values, "coverage"),
        "year": values.get("date", []) + values.get("issued", []),
        "language": first(values, "language"),
        "description": first(values, "description") or first(values, "abstract"),
        "isbns": values.get("identifier_isbn", []),
        "issns": [],
        "links": [],
        "subjects": [],
    }
    kind = material_type(values.get("type", []))
    if kind:
        raw["material_type"] = kind
    for identifier in values.get("identifier", []):
        _sort_identifier(identifier, raw)
    for subject in values.get("subject", []):
        if _CLASS_NUMBER.match(subject) and not raw.get("classification"):
            raw["classification"] = subject.split()[0]
        elif not _CLASS_NUMBER.match(subject):
            raw["subjects"].append(subject)
    raw["holding"] = {"call_number": raw.get("call_number", ""), "copies_known": False,
                      "url": raw["links"][0] if raw["links"] else ""}
    return raw


def _sort_identifier(identifier: str, raw: dict[str, Any]) -> None:
    """File one ``dc:identifier`` under ISBN, ISSN, link or call number by its shape."""
    if _ISBN_SHAPE.match(identifier):
        raw["isbns"].append(identifier)
    elif _ISSN.match(identifier):
        raw["issns"].append(identifier)
    elif identifier.lower().startswith(("http://", "https://")):
        if not _IMAGE.search(identifier):
            raw["links"].append(identifier)
    elif _CALL_NUMBER.match(identifier) and not raw.get("call_number"):
        raw["call_number"] = identifier


def first(values: dict[str, list[str]], name: str) -> str:
    """The first value of an element, empty when absent."""
    found = values.get(name)
    return found[0] if found else ""


def split_title(text: str) -> tuple[str, str]:
    """``Title : subtitle / statement of responsibility`` into title and subtitle."""
    text = text.split(" / ", 1)[0]
    parts = _SUBTITLE.split(text, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 and parts[0] else (text, "")
