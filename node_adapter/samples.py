"""Deterministic sample catalogues for the demo libraries, built from real Gramedia records.

Sample data, not any library's holdings: titles, authors, ISBNs, dates, categories and
languages come from Gramedia product pages (``data/seed/gramedia-books.json``) and
publishers from ``data/seed/gramedia-ratings.csv`` (sources in ``data/seed/SOURCES.md``).
The libraries share a pool of popular titles, so most of those are held by two to four of
them, and each catalogues them its own way, as real libraries do: ISBN-10 instead of
ISBN-13 or no ISBN at all, degrees and honorifics added to names, old spellings (oe, dj,
tj) in the reading corner. Magazine issues and theses are synthesised; a few books are
e-books with a digital URL. The same name always gives the same records.
"""

from __future__ import annotations

import csv
import functools
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from biblio.isbn import is_isbn13, isbn13_to_10
from config.paths import SEED_DIR
from node_adapter.intake.identity import fold
from node_adapter.records import BibRecord, Copy

CATEGORIES = {  # Gramedia category: (DDC class, Indonesian subject, collection)
    "agama": ("200", "Agama", "Umum"), "bisnis-ekonomi": ("330", "Ekonomi dan Bisnis", "Umum"),
    "buku-masakan": ("641.5", "Masakan", "Umum"), "buku-anak": ("899.221", "Cerita Anak", "Anak"),
    "sains": ("500", "Ilmu Pengetahuan Alam", "Umum"),
    "nonfiksi-anak-remaja": ("001", "Pengetahuan Umum untuk Anak", "Anak"),
    "fiksi-sastra": ("899.2213", "Fiksi Indonesia", "Fiksi"), "teknik": ("620", "Teknik", "Umum"),
    "biografi": ("920", "Biografi", "Umum"), "pendidikan": ("370", "Pendidikan", "Umum"),
    "komputer-teknologi": ("004", "Komputer", "Umum"),
    "pengembangan-diri-1": ("158.1", "Pengembangan Diri", "Umum"),
    "komik": ("741.5", "Komik", "Anak"), "olahraga-2": ("796", "Olahraga", "Umum"),
    "keluarga": ("306.85", "Keluarga", "Umum"), "filsafat": ("100", "Filsafat", "Umum"),
    "medis": ("610", "Kesehatan", "Umum"), "sastra-1": ("800", "Sastra", "Fiksi"),
    "puisi-1": ("899.2211", "Puisi", "Fiksi"), "travel": ("910", "Perjalanan", "Umum"),
    "teenlit": ("899.2213", "Fiksi Remaja", "Fiksi"), "lain-lain-2": ("000", "Umum", "Umum"),
    "fotografi": ("770", "Fotografi", "Umum"), "sosial": ("300", "Ilmu Sosial", "Umum"),
    "seni-rupa": ("700", "Seni Rupa", "Umum"), "humor": ("817", "Humor", "Umum"),
    "desain": ("745.4", "Desain", "Umum"), "game-aktivitas": ("793", "Permainan", "Anak"),
    "seni-pertunjukan": ("790", "Seni Pertunjukan", "Umum"), "hukum": ("340", "Hukum", "Umum"),
    "perawatan-hewan-peliharaan": ("636", "Hewan Peliharaan", "Umum"),
}
PUBLISHER_PLACES = {"mizan": "Bandung", "bentang": "Yogyakarta", "diva": "Yogyakarta",
                    "laksana": "Yogyakarta", "narasi": "Yogyakarta", "kanisius": "Yogyakarta",
                    "andi": "Yogyakarta", "erlangga": "Jakarta"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des")
MAGAZINES = (("Bobo", "Kompas Gramedia", "Anak"), ("Intisari", "Kompas Gramedia", "Umum"),
             ("Trubus", "Trubus Swadaya", "Umum"), ("Tempo", "Tempo Inti Media", "Umum"))
THESIS_TOPICS = ("hasil belajar IPA", "minat baca siswa", "pendapatan petani karet",
                 "kinerja pegawai", "kualitas air Sungai Kahayan", "pertumbuhan bibit sengon",
                 "pemasaran rotan", "pelestarian bahasa Dayak Ngaju")
THESIS_FACTORS = ("model pembelajaran kooperatif", "pemanfaatan perpustakaan desa",
                  "pelatihan digital", "pupuk organik", "media sosial", "motivasi kerja")
THESIS_PLACES = ("Kota Palangka Raya", "Kabupaten Katingan", "Kabupaten Kotawaringin Timur",
                 "Kabupaten Pulang Pisau", "Kabupaten Gunung Mas")
GIVEN = ("Agus", "Dewi", "Rahmat", "Siti", "Yohanes", "Maria", "Budi", "Rina", "Tjahjo", "Indah")
FAMILY = ("Saputra", "Lestari", "Hidayat", "Nugroho", "Simanjuntak", "Rahayu", "Pratama", "Ilham")
_DEGREE = re.compile(r"^(?:[A-Z][A-Za-z]{0,3}\.)+[A-Za-z.]*$|^(?:PhD|Lc|MA|MM|SH|SE)\.?$")


@dataclass(frozen=True)
class Profile:
    """How one demo library's catalogue is drawn and how its cataloguers write."""

    code: str
    size: int
    core: int
    magazines: int
    theses: int
    ebooks: int
    max_copies: int
    isbn10_share: float
    no_isbn_share: float
    name_variant: str
    locations: tuple[str, ...]


PROFILES = {
    "provinsi": Profile("PRV", 2500, 600, 40, 60, 30, 4, 0.02, 0.02, "",
                        ("Ruang Koleksi Umum", "Ruang Anak", "Ruang Referensi")),
    "kota": Profile("KOT", 1200, 450, 20, 0, 15, 3, 0.10, 0.05, ", S.Pd.",
                    ("Lantai 1", "Lantai 2", "Pojok Anak")),
    "kabupaten": Profile("KAB", 800, 350, 10, 20, 0, 2, 0.15, 0.10, "Drs. ",
                         ("Ruang Baca", "Perpustakaan Keliling")),
    "taman-baca": Profile("TBM", 150, 100, 10, 0, 0, 1, 0.05, 0.40, "old-spelling",
                          ("Rak Depan",)),
}
CORE_POOL = 700
OLD_SPELLING = str.maketrans({"c": "tj", "C": "Tj", "j": "dj", "J": "Dj", "y": "j", "Y": "J",
                              "u": "oe", "U": "Oe"})


def split_authors(text: str) -> list[str]:
    """Authors of a Gramedia "Author" field: split on , & dan, keeping degrees with names."""
    names: list[str] = []
    for part in re.split(r"\s*(?:&|\bdan\b)\s*", text):
        for piece in (p.strip() for p in part.split(",")):
            if names and _DEGREE.match(piece):
                names[-1] = f"{names[-1]}, {piece}"
            elif piece:
                names.append(piece)
    return names


@functools.cache
def _seed_books() -> tuple[dict[str, str], ...]:
    """Gramedia records with a real title, one per title and ISBN, in file order."""
    books, seen = [], set()
    for raw in json.loads((SEED_DIR / "gramedia-books.json").read_text(encoding="utf-8")):
        title = " ".join(raw["Title"].split())
        keys = {fold(title), raw["ISBN"]} - {""}
        if title and raw["Author"].strip() and not keys & seen:
            seen |= keys
            books.append({**raw, "Title": title})
    return tuple(books)


@functools.cache
def _publishers() -> tuple[dict[str, str], tuple[str, ...]]:
    """Real publishers by folded title, and the list of all (with repeats, as weights)."""
    by_title, every = {}, []
    with (SEED_DIR / "gramedia-ratings.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            if publisher := " ".join(row["penerbit"].split()):
                by_title[fold(row["judul"])] = publisher
                every.append(publisher)
    return by_title, tuple(every)


def _base_record(book: dict[str, str]) -> BibRecord:
    """The library-independent description of one Gramedia book."""
    by_title, every = _publishers()
    title = book["Title"]
    publisher = by_title.get(fold(title)) or random.Random(title).choice(every)
    place = next((city for key, city in PUBLISHER_PLACES.items() if key in publisher.lower()),
                 "Jakarta")
    date = book["Tanggal Terbit"].split()
    year = int(date[2]) if len(date) == 3 and date[1] in MONTHS else None
    ddc, subject, collection = CATEGORIES.get(book["category"], ("000", "Umum", "Umum"))
    isbn = book["ISBN"] if is_isbn13(book["ISBN"]) else ""
    pages = book.get("Jumlah Halaman", "").strip()
    return BibRecord(
        local_id="", title=title, creators=split_authors(book["Author"]), publisher=publisher,
        place=place, year=year, isbn=[isbn] if isbn else [],
        language="eng" if book["Bahasa"] in {"eng", "English"} else "ind", subjects=[subject],
        classification=ddc, collection=collection,
        description=f"{pages} halaman" if pages.isdigit() and int(pages) else "")


def seed_records() -> Iterator[BibRecord]:
    """Every seed book once, as a library-independent record (the relevance set uses it)."""
    return map(_base_record, _seed_books())


def old_spelling(name: str) -> str:
    """A name as spelled before 1972 (Tjahjo, Soekarno, Djoko)."""
    return name.translate(OLD_SPELLING)


def call_number(ddc: str, creators: list[str], title: str) -> str:
    """DDC class, three letters of the author (or title), first letter of the title."""
    main = creators[0].split(",")[0].split() if creators else []
    main = [w for w in main if not _DEGREE.match(w)] or [title]
    letters = re.sub(r"[^A-Za-z]", "", main[-1])[:3].upper() or "XXX"
    initial = next((c for c in title if c.isalpha()), "x")
    return f"{ddc} {letters} {initial.lower()}"


class _Cataloguer:
    """One library's way of writing records: ids, barcodes, statuses, spellings."""

    def __init__(self, name: str, profile: Profile) -> None:
        self.profile, self.rng = profile, random.Random(f"jala-sample-{name}")
        self.records = self.barcodes = 0

    def _name(self, name: str) -> str:
        variant = self.profile.name_variant
        if variant == "old-spelling":
            return old_spelling(name) if self.rng.random() < 0.3 else name
        if variant and "," not in name and self.rng.random() < 0.08:
            return f"{variant}{name}" if variant.endswith(" ") else f"{name}{variant}"
        return name

    def _status(self) -> str:
        roll = self.rng.random()
        return "tersedia" if roll < 0.84 else "dipinjam" if roll < 0.97 else self.rng.choice(
            ("rusak", "dalam-proses", "hilang"))

    def finish(self, base: BibRecord, *, ebook: bool = False) -> BibRecord:
        """This library's record of ``base``, with id, call number and copies."""
        self.records += 1
        local_id = f"{self.profile.code}-{self.records:05d}"
        creators = [self._name(n) for n in base.creators]
        isbns, roll = list(base.isbn), self.rng.random()
        if isbns and roll < self.profile.no_isbn_share:
            isbns = []
        elif isbns and roll < self.profile.no_isbn_share + self.profile.isbn10_share:
            isbns = [isbn13_to_10(isbns[0]) or isbns[0]]
        number = call_number(base.classification, creators, base.title)
        copies = []
        if not ebook:
            location = (self.profile.locations[-1] if base.collection == "Anak"
                        and len(self.profile.locations) > 2 else self.profile.locations[0])
            for _ in range(self.rng.randint(1, self.profile.max_copies)):
                self.barcodes += 1
                copies.append(Copy(f"{self.profile.code}{self.barcodes:06d}", location,
                                   number, self._status()))
        return BibRecord(**{
            **base.to_dict(), "local_id": local_id, "creators": creators, "isbn": isbns,
            "call_number": number, "copies": copies,
            "material_type": "e-book" if ebook else base.material_type,
            "digital_url": f"https://pustaka-digital.example.org/baca/{local_id}"
            if ebook else ""})


def _magazines(count: int) -> Iterator[BibRecord]:
    """Monthly issues of well-known magazines, newest first."""
    for n in range(count):
        title, publisher, collection = MAGAZINES[n % len(MAGAZINES)]
        month, year = 12 - (n // len(MAGAZINES)) % 12, 2024 - n // (12 * len(MAGAZINES))
        yield BibRecord(local_id="", title=f"{title}. Edisi {MONTHS[month - 1]} {year}",
                        publisher=publisher, place="Jakarta", year=year,
                        subjects=["Majalah"], classification="050", material_type="majalah",
                        collection=collection)


def _theses(count: int) -> Iterator[BibRecord]:
    """Undergraduate theses of Universitas Palangka Raya (synthesised titles and authors)."""
    rng = random.Random("jala-sample-skripsi")
    for n in range(count):
        title = (f"Pengaruh {rng.choice(THESIS_FACTORS)} terhadap {rng.choice(THESIS_TOPICS)} "
                 f"di {rng.choice(THESIS_PLACES)}")
        author = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        yield BibRecord(local_id="", title=title, creators=[author],
                        publisher="Universitas Palangka Raya", place="Palangka Raya",
                        year=2015 + n % 10, subjects=["Skripsi"], classification="378.242",
                        material_type="skripsi", collection="Deposit Daerah",
                        description="Skripsi (S1)")


def sample_records(name: str) -> Iterator[BibRecord]:
    """The records of the sample catalogue ``name`` (provinsi, kota, kabupaten, taman-baca)."""
    if name not in PROFILES:
        raise KeyError(f"no sample catalogue {name!r}; choose one of {', '.join(PROFILES)}")
    profile = PROFILES[name]
    books = list(_seed_books())
    random.Random("jala-sample-pool").shuffle(books)
    core, rest = books[:CORE_POOL], books[CORE_POOL:]
    offset = sum(p.size - p.core for p in list(PROFILES.values())[:list(PROFILES).index(name)])
    own = profile.size - profile.core - profile.magazines - profile.theses
    rng = random.Random(f"jala-sample-{name}-pool")
    chosen = sorted(rng.sample(range(CORE_POOL), profile.core))
    cataloguer = _Cataloguer(name, profile)
    for n, book in enumerate([core[i] for i in chosen] + rest[offset:offset + own]):
        yield cataloguer.finish(_base_record(book), ebook=n % 61 == 7 and n // 61 < profile.ebooks)
    for base in (*_magazines(profile.magazines), *_theses(profile.theses)):
        yield cataloguer.finish(base)


def write_sample_csv(records: Iterator[BibRecord], path: Path) -> int:
    """Write records as a template CSV (Indonesian headers) and return how many."""
    headers = ["id", "judul", "pengarang", "penerbit", "kota terbit", "tahun", "isbn", "bahasa",
               "subjek", "klasifikasi", "no panggil", "jenis", "koleksi", "deskripsi",
               "url digital", "kode eksemplar", "lokasi", "status"]
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for r in records:
            writer.writerow([
                r.local_id, r.title, "; ".join(r.creators), r.publisher, r.place, r.year or "",
                "; ".join(r.isbn), r.language, "; ".join(r.subjects), r.classification,
                r.call_number, r.material_type, r.collection, r.description, r.digital_url,
                "; ".join(c.barcode for c in r.copies),
                r.copies[0].location if r.copies else "", "; ".join(c.status for c in r.copies)])
            count += 1
    return count
