"""Indonesian text analysis, identical at index and query time, for every backend.

Tantivy has no Indonesian stemmer and takes no Python analyzers, so text is analysed
here and handed to the engine as space-separated terms: lowercase, fold diacritics
(``é`` → ``e``), split into words, drop stopwords (a compact Indonesian list and common
English ones), and stem with Sastrawi (Nazief–Adriani, dictionary based). Stemming is the
slow step, so stems are cached in a bounded LRU cache: memory stays flat however large
the catalogue, and repeated words (most of them) cost a dictionary lookup.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

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


def words(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield each word, folded, with its start and end offsets in ``text``."""
    for match in WORD.finditer(text):
        yield fold(match.group()), match.start(), match.end()


class Analyzer:
    """Turns text into index terms; one instance per process (the cache is its memory)."""

    def __init__(self, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        dictionary = ArrayDictionary(
            ROOT_WORDS_FILE.read_text(encoding="utf-8").split("\n")
        )
        self._stemmer = Stemmer(dictionary)
        self.stem = functools.lru_cache(maxsize=cache_size)(self._stem_uncached)

    def _stem_uncached(self, word: str) -> str:
        """Sastrawi's stem of one folded word; numbers and short words stay as they are."""
        if len(word) <= 3 or not word.isalpha():
            return word
        return self._stemmer.stem_word(word) or word

    def terms(self, text: str) -> list[str]:
        """Index (or query) terms of ``text``: folded, stopwords dropped, stemmed."""
        stem = self.stem
        return [stem(word) for word in WORD.findall(fold(text)) if word not in STOPWORDS]

    def query_words(self, text: str) -> list[tuple[str, str]]:
        """Each word of a query with its stem: (folded word, stem), stopwords dropped.

        A query of stopwords only keeps them, so that searching "yang" still finds titles.
        """
        found = WORD.findall(fold(text))
        kept = [w for w in found if w not in STOPWORDS] or found
        return [(word, self.stem(word)) for word in kept]

    def names(self, text: str) -> str:
        """Personal names as index terms: folded, never stemmed (``Setiawan`` is no ``setia``)."""
        return " ".join(WORD.findall(fold(text)))

    def analyze(self, text: str) -> str:
        """The terms of ``text`` joined by spaces, ready for a whitespace-tokenised field."""
        return " ".join(self.terms(text))

    def cache_info(self) -> functools._CacheInfo:
        """Hits, misses and size of the stem cache (for benchmarks)."""
        return self.stem.cache_info()


@functools.cache
def shared_analyzer(cache_size: int = DEFAULT_CACHE_SIZE) -> Analyzer:
    """The process-wide analyzer (loading the dictionary takes a tenth of a second)."""
    return Analyzer(cache_size)
