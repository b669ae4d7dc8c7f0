"""OAI sets a record belongs to: its material type and its collections/locations.

Specs are hierarchical: ``type:buku`` sits under ``type``, ``collection:<slug>`` under
``collection``. A record's header lists its leaf specs; harvesting a parent spec returns
every record of its children.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from node_adapter.records import BibRecord

PARENT_NAMES = {"type": "Jenis bahan (material type)",
                "collection": "Koleksi dan lokasi (collection and location)"}
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


@functools.lru_cache(maxsize=4096)
def slug(text: str) -> str:
    """A setSpec-safe form of a collection or location name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def set_names(record: BibRecord) -> list[tuple[str, str]]:
    """``(spec, name)`` of every set a record belongs to, leaves first, then their parents."""
    material = record.material_type or "lainnya"
    leaves = {f"type:{slug(material) or 'lainnya'}": material}
    for place in (record.collection, *(copy.location for copy in record.copies)):
        if slug(place):
            leaves.setdefault(f"collection:{slug(place)}", place)
    parents = sorted({spec.split(":", 1)[0] for spec in leaves})
    return [*leaves.items(), *((parent, PARENT_NAMES[parent]) for parent in parents)]
