"""Works the engine suites index, and how to open each backend for the contract suite."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aggregator.engine.base import SearchEngine
from aggregator.model import Holding, Work

STATUS_KNOWN = "2026-12-03T07:00:00Z"


def holding(library: str, district: str, copies: int = 1, available: int = 1) -> Holding:
    """One library's copies of a work, their statuses known at ``STATUS_KNOWN``."""
    return Holding(library_id=library, record_id=f"{library}:{uuid.uuid4().hex[:8]}",
                   district=district, copies=copies, available=available,
                   status_known=STATUS_KNOWN)


PALANGKA = "Kota Palangka Raya"
SAMPIT = "Kabupaten Kotawaringin Timur"

WORKS = [
    Work(id="w-baca", title="Baca Tulis untuk Anak", creators=["Siti Rahmawati"], year=2015,
         subjects=["Pendidikan"], language="ind", series="Seri Literasi Dini",
         holdings=[holding("prov", PALANGKA, 3, 2), holding("kotim", SAMPIT, 1, 0)]),
    Work(id="w-laskar", title="Laskar Pelangi", creators=["Andrea Hirata"], year=2005,
         isbns=["9789793062792"],
         subjects=["Novel", "Pendidikan"], language="ind",
         description="Kisah sepuluh anak Belitung yang bersekolah di sekolah Muhammadiyah.",
         holdings=[holding("prov", PALANGKA, 5, 5), holding("kota", PALANGKA, 2, 1),
                   holding("kotim", SAMPIT, 1, 1)]),
    Work(id="w-sejarah", title="Sejarah Kalimantan Tengah", creators=["Tjilik Riwut"],
         year=1958, subjects=["Sejarah"], language="ind",
         description="Catatan tentang <Dayak> & perjuangan rakyat; membaca masa lalu.",
         holdings=[holding("prov", PALANGKA, 1, 1)]),
    Work(id="w-hirata", title="Sang Pemimpi", creators=["Andrea Hirata"], year=2006,
         subjects=["Novel"], language="ind", holdings=[holding("kota", PALANGKA, 1, 1)]),
    Work(id="w-ebook", title="Pemrograman Python untuk Pemula", creators=["Budi Raharjo"],
         year=2021, material_type="ebook", subjects=["Komputer"], language="ind",
         holdings=[holding("kotim", SAMPIT, 0, 0)]),
    Work(id="w-english", title="Reading the <Forest> & Rivers", creators=["Anna Tsing"],
         year=1993, subjects=["Anthropology", "Pendidikan"], language="eng",
         holdings=[holding("prov", PALANGKA, 1, 1)]),
]


@contextmanager
def tantivy_pair(tmp_path: Path) -> Iterator[tuple[SearchEngine, SearchEngine]]:
    """A writer and a separate reader on a fresh tantivy index."""
    from aggregator.engine.tantivy_engine import TantivyEngine

    writer = TantivyEngine(tmp_path / "index", writer=True, heap_mb=50, threads=1)
    reader = TantivyEngine(tmp_path / "index")
    try:
        yield writer, reader
    finally:
        reader.close()
        writer.close()


@contextmanager
def elasticsearch_pair(tmp_path: Path) -> Iterator[tuple[SearchEngine, SearchEngine]]:
    """A writer and a reader on a throwaway alias of the cluster at ``ELASTICSEARCH_URL``."""
    from aggregator.engine.elasticsearch_engine import ElasticsearchEngine

    alias = f"jala-test-{uuid.uuid4().hex[:8]}"
    url = os.environ["ELASTICSEARCH_URL"]
    writer = ElasticsearchEngine(url, alias, writer=True, refresh_on_commit=True)
    reader = ElasticsearchEngine(url, alias)
    try:
        yield writer, reader
    finally:
        writer.drop()
        reader.close()
        writer.close()
