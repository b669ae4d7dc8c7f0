"""Stored records cut out of recorded real provider responses, as the harvester stores them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from harvester.store import StoredRecord

OAI = "{http://www.openarchives.org/OAI/2.0/}"
PROVIDERS = Path(__file__).resolve().parent.parent / "fixtures" / "providers"


def provider_records(relative: str, prefix: str, source: str = "prov") -> Iterator[StoredRecord]:
    """Each ``<record>`` of a recorded response: its header and ``<metadata>`` child's XML."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    tree = etree.parse(str(PROVIDERS / relative), parser)
    for seq, record in enumerate(tree.iter(f"{OAI}record"), start=1):
        header = record.find(f"{OAI}header")
        metadata = record.find(f"{OAI}metadata")
        deleted = header.get("status") == "deleted" or metadata is None or not len(metadata)
        yield StoredRecord(
            source=source,
            identifier=header.findtext(f"{OAI}identifier"),
            datestamp=header.findtext(f"{OAI}datestamp"),
            deleted=deleted,
            metadata_prefix=prefix,
            metadata=None if deleted else etree.tostring(metadata[0], encoding="unicode"),
            set_specs=[s.text for s in header.findall(f"{OAI}setSpec")],
            seq=seq,
        )
