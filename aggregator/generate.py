"""Synthetic but plausible Indonesian works for benchmarks and demos, at any scale.

Titles and authors come from real Gramedia records (``data/seed``), mixed with Sastrawi's
root words dressed in Indonesian affixes, so stemming matters as it does in a real
catalogue. Holdings are skewed like a real network: most works sit in one or two
libraries, the provincial library holds the most, reading corners the least. The same
seed always yields the same works, and they are produced one at a time (memory stays flat).
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from aggregator.engine.analysis import ROOT_WORDS_FILE
from aggregator.model import Holding, Work
from config.paths import SEED_DIR

DISTRICTS = (
    "Kota Palangka Raya", "Kabupaten Barito Selatan", "Kabupaten Barito Timur",
    "Kabupaten Barito Utara", "Kabupaten Gunung Mas", "Kabupaten Kapuas",
    "Kabupaten Katingan", "Kabupaten Kotawaringin Barat", "Kabupaten Kotawaringin Timur",
    "Kabupaten Lamandau", "Kabupaten Murung Raya", "Kabupaten Pulang Pisau",
    "Kabupaten Seruyan", "Kabupaten Sukamara",
)
HEADS = ("Pengantar", "Sejarah", "Panduan", "Kumpulan", "Belajar", "Dasar-Dasar", "Kisah",
         "Rahasia", "Teknik", "Pendidikan", "Pengelolaan", "Pembangunan", "Cerita Rakyat")
PREFIXES = ("me", "mem", "men", "meng", "ber", "di", "ter", "pe", "pem", "pen", "ke")
SUFFIXES = ("", "", "an", "kan", "i", "nya")
MATERIALS = (("buku", 80), ("ebook", 8), ("majalah", 4), ("skripsi", 4), ("audio-visual", 2),
             ("peta", 2))
LANGUAGES = (("ind", 84), ("eng", 10), ("bjn", 3), ("nij", 2), ("jav", 1))


@dataclass(frozen=True)
class Library:
    """A generated library: id, district, and how much it tends to hold (its weight)."""

    id: str
    district: str
    weight: float


def network(libraries: int) -> list[Library]:
    """``libraries`` libraries over the province's districts, with Zipf-like weights."""
    result = [Library("dispursip-kalteng", DISTRICTS[0], 1.0)]
    for i in range(1, libraries):
        district = DISTRICTS[i % len(DISTRICTS)]
        slug = district.lower().removeprefix("kabupaten ").replace(" ", "-")
        result.append(Library(f"perpus-{slug}-{i:03d}", district, 1 / (i + 1)))
    return result


class Generator:
    """Deterministic stream of synthetic works built from the seed data."""

    def __init__(self, seed: int = 42, libraries: int = 120) -> None:
        self.random = random.Random(seed)
        books = json.loads((SEED_DIR / "gramedia-books.json").read_text(encoding="utf-8"))
        self.titles = [b["Title"].strip() for b in books if b.get("Title")]
        self.authors = sorted({a.strip() for b in books for a in
                               str(b.get("Author", "")).replace(" dan ", ",").split(",")
                               if _looks_like_name(a.strip())})
        self.subjects = sorted({b["category"].rstrip("-0123456789").replace("-", " ").title()
                                for b in books if b.get("category")})
        roots = [w for w in Path(ROOT_WORDS_FILE).read_text(encoding="utf-8").split()
                 if w.isalpha() and 4 <= len(w) <= 9]
        self.random.shuffle(roots)
        self.vocabulary = [self._dress(root) for root in roots]
        self._vocabulary_weights = list(itertools.accumulate(
            1 / (rank + 10) for rank in range(len(self.vocabulary))))
        self.libraries = network(libraries)
        self._weights = [lib.weight for lib in self.libraries]

    def works(self, count: int, start: int = 0) -> Iterator[Work]:
        """Yield ``count`` works with ids ``gen-<n>`` from ``start``."""
        for number in range(start, start + count):
            yield self.work(number)

    def work(self, number: int) -> Work:
        """One synthetic work."""
        pick = self.random
        if pick.random() < 0.5:
            title = pick.choice(self.titles)
            if pick.random() < 0.3:
                title = f"{title}: {self._phrase(2)}"
        else:
            title = f"{pick.choice(HEADS)} {self._phrase(pick.randint(1, 3))}"
        creators = [pick.choice(self.authors) for _ in range(1 if pick.random() < 0.8 else 2)]
        year = min(2025, int(2025 - pick.expovariate(1 / 12)))
        return Work(
            id=f"gen-{number:08d}",
            title=title,
            creators=creators,
            publisher=pick.choice(("Gramedia Pustaka Utama", "Balai Pustaka", "Erlangga",
                                   "Mizan", "Penerbit Kanisius", "Pemprov Kalteng")),
            year=max(1900, year),
            isbns=[f"978602{pick.randrange(10_000_000):07d}"] if pick.random() < 0.7 else [],
            language=self._weighted(LANGUAGES),
            material_type=self._weighted(MATERIALS),
            subjects=pick.sample(self.subjects, 1 if pick.random() < 0.7 else 2),
            description=" ".join(self._phrase(pick.randint(6, 14)).capitalize()
                                 for _ in range(pick.randint(1, 2))) + ".",
            holdings=self._holdings(number),
        )

    def _dress(self, root: str) -> str:
        """A root word as it appears in text: most often with an affix."""
        if self.random.random() < 0.4:
            return root
        return self.random.choice(PREFIXES) + root + self.random.choice(SUFFIXES)

    def _phrase(self, words: int) -> str:
        """Words drawn with Zipf-like frequencies, as in real titles and abstracts."""
        chosen = self.random.choices(self.vocabulary, cum_weights=self._vocabulary_weights,
                                     k=words)
        return " ".join(chosen).capitalize()

    def _holdings(self, number: int) -> list[Holding]:
        """One to many libraries (most works in one or two), weighted toward big ones."""
        pick = self.random
        wanted = min(len(self.libraries), 1 + int(pick.paretovariate(1.6)) - 1)
        chosen = {lib.id: lib for lib in pick.choices(self.libraries, self._weights, k=wanted)}
        holdings = []
        for lib in chosen.values():
            copies = 1 + int(pick.paretovariate(2.0)) - 1
            holdings.append(Holding(library_id=lib.id, record_id=f"{lib.id}:{number}",
                                    district=lib.district, copies=copies,
                                    available=pick.randint(0, copies)))
        return holdings

    def _weighted(self, table: tuple[tuple[str, int], ...]) -> str:
        """A value drawn with the table's weights."""
        return self.random.choices([v for v, _ in table], [w for _, w in table])[0]


def _looks_like_name(text: str) -> bool:
    """Keep people and teams; drop degree fragments such as ``M.Si.`` left by splitting."""
    return len(text) > 3 and text[0].isupper() and not text.endswith(".")
