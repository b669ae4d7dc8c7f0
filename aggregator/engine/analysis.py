"""Indonesian text analysis, identical at index and query time, for every backend.

Tantivy has no Indonesian stemmer and takes no Python analyzers, so text is analysed
here and handed to the engine as space-separated terms: lowercase, fold diacritics
(``é`` → ``e``), split into words, drop stopwords (a compact Indonesian list and common
English ones), and stem with Sastrawi (Nazief–Adriani, dictionary based). Stemming is the
slow step (a few thousand new words per second), so stems are cached in a bounded
two-generation cache: memory stays flat however large the catalogue, and repeated words
(most of them) cost one dictionary lookup.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import Sastrawi
from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer

_INDONESIAN = """
ada adalah agar akan aku anda antara apa atau bagai bagaimana bagi bahwa banyak belum
beberapa begitu bila bisa boleh dalam dan dapat dari demikian dengan di dia dua hal
hanya harus ia ialah ini itu jadi jika juga kami kamu karena ke kepada ketika kini
lagi lain lalu maka masih mereka meski namun nya oleh pada para per saat sampai sang
sangat saya se sebagai sebuah secara sedang sehingga sejak seorang seperti sesuatu
setelah si suatu sudah tak tanpa tentang telah tersebut tetapi untuk wahai yaitu yakni
yang
"""
_ENGLISH = """
a an and are as at be but by for from has have in into is it its of on or that the
their this to was were which will with
"""
INDONESIAN_STOPWORDS = frozenset(_INDONESIAN.split())
ENGLISH_STOPWORDS = frozenset(_ENGLISH.split())
STOPWORDS = INDONESIAN_STOPWORDS | ENGLISH_STOPWORDS

WORD = re.compile(r"\w+")
ROOT_WORDS_FILE = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
"""Sastrawi's dictionary of Indonesian root words (also a seed of the record generator)."""
DEFAULT_CACHE_SIZE = 200_000


def fold(text: str) -> str:
    """Lowercase and strip diacritics, so ``Émile`` and ``emile`` compare equal."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def split(text: str) -> list[str]:
    """The folded words of ``text``, in order (names are indexed like this, unstemmed)."""
    return WORD.findall(fold(text))


def words(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield each word, folded, with its start and end offsets in ``text``."""
    for match in WORD.finditer(text):
        yield fold(match.group()), match.start(), match.end()


class CacheStats(NamedTuple):
    """How well the stem cache serves: words analysed, words Sastrawi had to stem, size."""

    lookups: int
    misses: int
    size: int
    maxsize: int

    @property
    def hit_rate(self) -> float:
        """Share of analysed words (stopwords and numbers too) that needed no Sastrawi call."""
        return 1 - self.misses / self.lookups if self.lookups else 0.0


class Analyzer:
    """Turns text into index terms; one instance per process (the cache is its memory).

    The stem cache is two plain dicts used as generations: a word is looked up in the
    young one (one dict lookup, the hot path), then the old one (and promoted); when the
    young one is full it becomes the old one. Words in use survive every rotation, memory
    stays below ``cache_size`` entries, and a hit costs far less than ``lru_cache``'s
    bookkeeping. Numbers (ISBNs, years) are never cached: they would crowd out words.
    """

    def __init__(self, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        dictionary = ArrayDictionary(
            ROOT_WORDS_FILE.read_text(encoding="utf-8").split("\n")
        )
        self._stemmer = Stemmer(dictionary)
        self.cache_size = cache_size
        self._generation = max(1, cache_size // 2)
        self._young: dict[str, str] = {}
        self._old: dict[str, str] = {}
        self._lookups = 0
        self._misses = 0

    def stem(self, word: str) -> str:
        """Sastrawi's stem of one folded word; numbers and short words stay as they are."""
        self._lookups += 1
        return self._young.get(word) or self._stem_slow(word)

    def _stem_slow(self, word: str) -> str:
        """A word not in the young generation: promote it from the old one, or stem it."""
        stem = self._old.get(word)
        if stem is None:
            if not word.isalpha():
                return word
            self._misses += 1
            stem = word if len(word) <= 3 else self._stemmer.stem_word(word) or word
        if len(self._young) >= self._generation:
            self._old, self._young = self._young, {}
        self._young[word] = stem
        return stem

    def terms_of(self, folded_words: list[str]) -> list[str]:
        """Index terms of words already folded and split: stopwords dropped, stemmed."""
        self._lookups += len(folded_words)
        young, slow = self._young, self._stem_slow
        return [young.get(w) or slow(w) for w in folded_words if w not in STOPWORDS]

    def terms(self, text: str) -> list[str]:
        """Index (or query) terms of ``text``: folded, stopwords dropped, stemmed."""
        return self.terms_of(split(text))

    def query_words(self, text: str) -> list[tuple[str, str]]:
        """Each word of a query with its stem: (folded word, stem), stopwords dropped.

        A query of stopwords only keeps them, so that searching "yang" still finds titles.
        """
        found = split(text)
        kept = [w for w in found if w not in STOPWORDS] or found
        return [(word, self.stem(word)) for word in kept]

    def analyze(self, text: str) -> str:
        """The terms of ``text`` joined by spaces, ready for a whitespace-tokenised field."""
        return " ".join(self.terms(text))

    def cache_info(self) -> CacheStats:
        """Lookups, misses and size of the stem cache (benchmarks report the hit rate)."""
        return CacheStats(self._lookups, self._misses, len(self._young) + len(self._old),
                          2 * self._generation)


@functools.cache
def shared_analyzer(cache_size: int = DEFAULT_CACHE_SIZE) -> Analyzer:
    """The process-wide analyzer (loading the dictionary takes a tenth of a second)."""
    return Analyzer(cache_size)
