"""A relevance set built from the real seed titles: queries as patrons type them.

Every query is made from one seed book by a rule of its kind (an ISBN as printed, an old
spelling, a typo, a word still being typed, an author with degrees, ...) and counts as
found when that book (or a book with the same title) is among the first ten results.
Queries come from the seed by a fixed random seed, so the set is the same on every run
and grows only by adding kinds. Words are chosen rare in the seed (in at most
``RARE_DF`` titles) only where a kind needs the book to be identifiable at all.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from aggregator.engine.analysis import STOPWORDS, fold, shared_analyzer, split
from aggregator.indonesian import merge_degree_pieces
from aggregator.model import Holding, Work
from biblio.isbn import isbn13_to_10
from node_adapter.samples import OLD_SPELLING, seed_records

STEMMER = shared_analyzer()
RARE_DF = 3
PER_KIND = 30
DEGREED = ("Dr. {}, M.Pd.", "Prof. Dr. {}, S.Pd., M.Si.", "H. {}, Lc., M.A.", "Ir. {}, M.T.")
"""How a patron adds the titles an author is known by, which the catalogue left out."""
_FUNCTION_WORDS = frozenset(["buku", "novel", "cara", "seri", "jilid", "edisi", "the", "of",
                             "and", "untuk", "dari"])


@dataclass(frozen=True)
class Case:
    """One query, its kind, and the works that answer it."""

    kind: str
    text: str
    wanted: frozenset[str]


def seed_works() -> list[Work]:
    """One work per seed book, described as the demo's libraries describe it."""
    works = []
    for number, record in enumerate(seed_records()):
        works.append(Work(
            id=f"seed-{number:05d}", title=record.title,
            creators=merge_degree_pieces(record.creators), publisher=record.publisher,
            year=record.year, isbns=list(record.isbn), language=record.language,
            subjects=list(record.subjects), material_type=record.material_type,
            holdings=[Holding(library_id="seed", record_id=f"seed:{number}",
                              district="Kota Palangka Raya", copies=1, available=1)]))
    return works


class _Seed:
    """The works with the word statistics the rules need."""

    def __init__(self, works: list[Work]) -> None:
        self.works = works
        self.by_title: dict[str, set[str]] = {}
        for work in works:
            self.by_title.setdefault(fold(work.title), set()).add(work.id)
        self.df = Counter(w for work in works for w in set(split(work.title)))
        self.author_works: dict[str, set[str]] = {}
        for work in works:
            for name in work.creators:
                self.author_works.setdefault(name, set()).add(work.id)

    def same_title(self, work: Work) -> frozenset[str]:
        """The work and every work with its exact title (a rule cannot tell them apart)."""
        return frozenset(self.by_title[fold(work.title)])

    def rare_words(self, work: Work) -> list[str]:
        """Title words that identify a book: rare in the seed, not function words."""
        return [w for w in dict.fromkeys(split(work.title)) if w.isalpha() and len(w) > 2
                and w not in STOPWORDS and w not in _FUNCTION_WORDS and self.df[w] <= RARE_DF]


def _hyphenated(isbn: str) -> str:
    """An ISBN-13 as printed on an Indonesian book: 978-602-03-1765-6."""
    return f"{isbn[:3]}-{isbn[3:6]}-{isbn[6:8]}-{isbn[8:12]}-{isbn[12]}"


def typo(word: str, rng: random.Random) -> str:
    """One edit inside a word: a letter swapped, dropped, doubled or replaced."""
    position = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("swap", "drop", "double", "replace"))
    if edit == "swap":
        return word[:position] + word[position + 1] + word[position] + word[position + 2:]
    if edit == "drop":
        return word[:position] + word[position + 1:]
    if edit == "double":
        return word[:position] + word[position] + word[position:]
    letter = rng.choice([c for c in "aiueonrstkml" if c != word[position]])
    return word[:position] + letter + word[position + 1:]


_MODERN = ((re.compile("oe"), "u"), (re.compile("tj"), "c"), (re.compile("dj"), "j"))


_AFFIXES = (("", "nya"), ("di", ""), ("ber", ""), ("", "kan"), ("ke", "an"))


def _affixed(rare: list[str], language: str) -> list[str]:
    """Two rare title words, the first in another affixed form of its root (``bacaan`` for
    ``membaca``), chosen so that the stemmer maps it back, as a patron's form would."""
    if language != "ind" or len(rare) < 2:
        return []
    root = STEMMER.stem(rare[0])
    if len(root) < 4:
        return []
    for front, back in _AFFIXES:
        form = f"{front}{root}{back}"
        if form != rare[0] and STEMMER.stem(form) == root:
            return [form, rare[1]]
    return []


def cases(works: list[Work], seed: int = 8) -> Iterator[Case]:
    """The relevance set: ``PER_KIND`` queries of each kind (fewer where the seed lacks)."""
    rng = random.Random(seed)
    data = _Seed(works)
    shuffled = list(works)
    rng.shuffle(shuffled)
    made: Counter[str] = Counter()

    def take(kind: str, text: str, wanted: frozenset[str]) -> Iterator[Case]:
        if made[kind] < PER_KIND and text.strip():
            made[kind] += 1
            yield Case(kind, text, wanted)

    for work in shuffled:
        rare = data.rare_words(work)
        words = [w for w in split(work.title) if w not in STOPWORDS]
        wanted = data.same_title(work)
        yield from take("known-item", work.title, wanted)
        if work.isbns:
            isbn = work.isbns[0]
            isbn10 = isbn13_to_10(isbn)
            yield from take("isbn-printed", _hyphenated(isbn), wanted)
            yield from take("isbn-prefixed", rng.choice(("ISBN ", "isbn:", "ISBN-13: ")) + isbn,
                            wanted)
            if isbn10 and isbn.startswith("978979"):
                yield from take("isbn-10", f"{isbn10[:3]}-{isbn10[3:7]}-{isbn10[7:9]}-"
                                f"{isbn10[9]}", wanted)
        if len(rare) >= 2:
            pair = " ".join(rare[:2])
            yield from take("two-words", pair, wanted)
            yield from take("noise-word", f"{rng.choice(('buku', 'novel', 'cari'))} {pair}",
                            wanted)
            long = [w for w in rare if len(w) >= 5]
            if long:
                typo_word = long[0]
                yield from take("typo", " ".join(typo(typo_word, rng) if w == typo_word else w
                                                 for w in rare[:2]), wanted)
            last = rare[1]
            if len(last) >= 6:
                yield from take("prefix", f"{rare[0]} {last[:len(last) - 2]}", wanted)
            old = " ".join(w.translate(OLD_SPELLING) for w in rare[:2])
            if old != pair and work.language == "ind":
                yield from take("old-spelling", old, wanted)
        modern = fold(work.title)
        for pattern, new in _MODERN:
            modern = pattern.sub(new, modern)
        if modern != fold(work.title) and len(words) >= 2:
            yield from take("modern-spelling", modern, wanted)
        if work.creators and rare:
            author = work.creators[0]
            if not re.search(r"\b(Dr|Prof|Ir|H)\.|, ?[SM]\.", author) and " " in author:
                yield from take("degrees", rng.choice(DEGREED).format(author),
                                frozenset(data.author_works[author]))
            surname = split(re.sub(r",.*", "", author))[-1:]
            if surname and len(surname[0]) > 2:
                yield from take("author-word", f"{surname[0]} {rare[0]}", wanted)
        affixed = _affixed(rare, work.language)
        if affixed:
            yield from take("affix", " ".join(affixed), wanted)
        if work.subjects and rare:
            yield from take("topical", f"{work.subjects[0]} {rare[0]}", wanted)
        if len(words) >= 3 and len(rare) >= 1:
            yield from take("partial-words", f"{rare[0]} {rng.choice(['kalimantan', 'dayak'])}",
                            wanted)
