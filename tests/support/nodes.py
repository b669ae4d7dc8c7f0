"""A real node adapter on a loopback port, and plausible records to fill it with.

Usage::

    from tests.support.nodes import make_records, running_node

    def test_harvest(tmp_path):
        with running_node(tmp_path / "node.sqlite3", page_size=10,
                          repository_identifier="kota.example.id") as node:
            node.catalogue.upsert_many(make_records(25, prefix="kota"))
            node.catalogue.delete("kota-3")
            requests.get(node.url, params={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
            node.identifier("kota-7")   # "oai:kota.example.id:kota-7"

``node.url`` ends in ``/oai``; ``node.catalogue`` is the very catalogue the server reads,
so changes show in the next response. Extra keyword arguments are ``[node]`` keys (see
``node_adapter/config.py``). Records are built from the real Gramedia book records in
``data/seed/`` (titles, authors, categories, dates), with copies, locations, statuses
and a distinct valid ISBN-13 each (so none merge); ids are ``<prefix>-<n>``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.paths import SEED_DIR
from config.settings import Settings
from node_adapter.app import create_app
from node_adapter.catalogue import Catalogue
from node_adapter.oai.provider import Provider
from node_adapter.oai.response import oai_identifier
from node_adapter.oai.views import PROVIDER_KEY
from node_adapter.records import COPY_STATUSES, BibRecord, Copy
from tests.support.http import live_server

LOCATIONS = ("Ruang Baca Umum", "Ruang Anak", "Ruang Referensi", "Pojok Baca Kecamatan")
MATERIALS = ("buku", "buku", "buku", "e-book", "majalah", "skripsi", "buku", "referensi")


@dataclass
class NodeHandle:
    """A running node: its OAI base URL and the catalogue it serves."""

    url: str
    catalogue: Catalogue
    provider: Provider

    def identifier(self, local_id: str) -> str:
        """The OAI identifier this node gives a local id."""
        return oai_identifier(self.provider.config.repository_identifier, local_id)


@contextmanager
def running_node(db_path: Path, *, page_size: int = 100,
                 **node_config: Any) -> Iterator[NodeHandle]:
    """Serve the catalogue at ``db_path`` over real HTTP (waitress) for the block."""
    app = create_app({"database": str(db_path), "page_size": page_size, **node_config},
                     settings=Settings(data_dir=db_path.parent))
    provider: Provider = app.extensions[PROVIDER_KEY]
    try:
        with live_server(app) as server:
            yield NodeHandle(f"{server.url}/oai", provider.catalogue, provider)
    finally:
        provider.catalogue.close()


@functools.cache
def _seed_books() -> list[dict[str, str]]:
    """The real book records behind the generated ones."""
    return json.loads((SEED_DIR / "gramedia-books.json").read_text(encoding="utf-8"))


def _isbn13(number: int) -> str:
    """A valid, distinct ISBN-13 in the 979 range for a counter."""
    body = f"979{number % 10**9:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def make_records(n: int, prefix: str = "b") -> list[BibRecord]:
    """``n`` plausible catalogue records with ids ``<prefix>-0`` … ``<prefix>-<n-1>``."""
    books = _seed_books()
    records = []
    for index in range(n):
        book = books[index % len(books)]
        material = MATERIALS[index % len(MATERIALS)]
        year = book.get("Tanggal Terbit", "")[-4:]
        copies = [Copy(barcode=f"{prefix.upper()}{index:06d}{c}",
                       location=LOCATIONS[(index + c) % len(LOCATIONS)],
                       call_number=f"{index % 1000:03d} {book['Author'][:3].upper()}",
                       status=COPY_STATUSES[(index + c) % 2])
                  for c in range(1 + index % 3)]
        records.append(BibRecord(
            local_id=f"{prefix}-{index}",
            title=book["Title"] if index < len(books) else f"{book['Title']} (jilid {index})",
            creators=[book["Author"]] if book.get("Author") else [],
            publisher="Gramedia Pustaka Utama",
            place="Jakarta",
            year=int(year) if year.isdigit() else None,
            isbn=[_isbn13(index + 1)],
            language="ind" if book.get("Bahasa", "Indonesia") == "Indonesia" else "eng",
            subjects=[book["category"]] if book.get("category") else [],
            classification=f"{(index * 7) % 1000:03d}",
            call_number=f"{(index * 7) % 1000:03d} {book['Author'][:3].upper()}",
            material_type=material,
            collection="Koleksi Umum" if index % 5 else "Koleksi Lokal Kalteng",
            description=f"{book['Title']}: {book.get('Jumlah Halaman', '?')} halaman.",
            digital_url=f"https://pustaka.example.id/baca/{prefix}-{index}"
            if material == "e-book" else "",
            copies=copies if material != "e-book" else [],
        ))
    return records
