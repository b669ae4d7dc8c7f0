"""Harvested records (raw XML in the record store) to canonical records, format by format.

``normalise(stored)`` picks the format module by metadata prefix (``FORMATS``), falling
back to the root element's namespace when a provider names a known format differently,
and validates the result with ``schema.RECORD_SCHEMA`` (compiled by ``fastload``: the same
rules without marshmallow's per-field overhead). Records that cannot be mapped stay
in the record store untouched; the indexer lists them with the reason. A holding's
``status_known`` is when its copies' statuses were known: the oldest time the format
gives (MARC 852 $9), the record's harvest time for a copy it gives none.

Exceptions::

    UnmappableRecord        a stored record we keep but cannot index; ``reason`` says why
    ├── UnsupportedFormat   no mapping for its metadata format (``mods``, ``oai_doaj``...)
    ├── MalformedXml        broken XML, too large, or not the format its prefix claims
    └── InvalidRecord       mapped, but the schema refuses it (no title, ...)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree
from marshmallow import ValidationError

from aggregator.normalise import marc21, oai_dc
from aggregator.normalise.fastload import compile_loader
from aggregator.normalise.schema import RECORD_SCHEMA, NormalisedRecord
from aggregator.normalise.xmltree import XmlProblem, namespace, parse_metadata
from harvester.store import StoredRecord

Mapper = Callable[[etree._Element], dict[str, Any]]

FORMATS: dict[str, tuple[Mapper, tuple[str, ...]]] = {
    "oai_dc": (oai_dc.map_record, oai_dc.NAMESPACES),
    "marc21": (marc21.map_record, marc21.NAMESPACES),
    "marcxml": (marc21.map_record, marc21.NAMESPACES),
    "marc": (marc21.map_record, marc21.NAMESPACES),
}
"""Metadata prefix (lower case) → (mapping function, root namespaces it reads)."""

DEFAULT_MAX_BYTES = 1_048_576
_load_record = compile_loader(RECORD_SCHEMA)


class UnmappableRecord(Exception):
    """A stored record that cannot become a canonical record; ``reason`` is for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnsupportedFormat(UnmappableRecord):
    """We have no mapping for this metadata format."""


class MalformedXml(UnmappableRecord):
    """The metadata is not well-formed, too large, or not what its prefix says."""


class InvalidRecord(UnmappableRecord):
    """The mapped values fail the canonical schema."""


def normalise(stored: StoredRecord, max_bytes: int = DEFAULT_MAX_BYTES) -> NormalisedRecord:
    """The canonical record of one live stored record, or ``UnmappableRecord``."""
    raw = raw_values(stored, max_bytes)
    try:
        return _load_record(raw)
    except ValidationError as exc:
        raise InvalidRecord(_describe(exc.messages)) from exc


def raw_values(stored: StoredRecord, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, Any]:
    """What the record's format module picks out of its XML, before the schema cleans it."""
    if stored.deleted or stored.metadata is None:
        raise InvalidRecord("deleted records have no metadata")
    try:
        root = parse_metadata(stored.metadata, max_bytes)
    except XmlProblem as exc:
        raise MalformedXml(str(exc)) from exc
    raw = _mapper(stored.metadata_prefix, namespace(root))(root)
    raw.update(source=stored.source, identifier=stored.identifier,
               datestamp=stored.datestamp, metadata_prefix=stored.metadata_prefix)
    holding = raw["holding"]
    holding.update(library_id=stored.source, record_id=stored.identifier,
                   status_known=status_known(holding.pop("status_times", []),
                                             stored.harvested_at))
    return raw


def status_known(times: list[str], harvested_at: str) -> str:
    """The oldest copy's status time; a copy its source did not date counts from the harvest."""
    return min((time or harvested_at for time in times), default="")


def _mapper(prefix: str, root_namespace: str) -> Mapper:
    """The mapping for a prefix, checked against the record's namespace."""
    known = FORMATS.get(prefix.lower())
    if known is not None:
        mapper, namespaces = known
        if root_namespace not in namespaces:
            raise MalformedXml(f"metadata prefix {prefix!r} but the record is in namespace "
                               f"{root_namespace or '(none)'!r}")
        return mapper
    for mapper, namespaces in FORMATS.values():
        if root_namespace and root_namespace in namespaces:
            return mapper
    raise UnsupportedFormat(f"unsupported metadata format {prefix!r}")


def _describe(messages: Any) -> str:
    """Schema errors as one line: ``title: no title; holding.copies: ...``."""
    if isinstance(messages, dict):
        parts = []
        for key, value in messages.items():
            inner = _describe(value)
            parts.append(inner if key == "_schema" else f"{key}: {inner}")
        return "; ".join(parts)
    if isinstance(messages, list):
        return ", ".join(_describe(m) for m in messages)
    return str(messages)
