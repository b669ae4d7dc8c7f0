"""``jala node sync --from slims`` on a real MariaDB: fields, copies and times, as published."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests
from lxml import etree

from node_adapter.catalogue import Catalogue
from tests.slims.conftest import run_sync
from tests.slims.librarian import add_item, add_lookups, add_title, lend
from tests.support.mariadb import SlimsDatabase
from tests.support.nodes import running_node

MARC = {"marc": "http://www.loc.gov/MARC21/slim"}
OAI = {"oai": "http://www.openarchives.org/OAI/2.0/"}
DUE = date(2026, 12, 10)


def _fill(slims: SlimsDatabase) -> None:
    """One fully described title with a copy in every status, an e-book, a hidden title."""
    with slims.connect() as connection, connection.cursor() as cursor:
        add_lookups(cursor)
        add_title(cursor, 7, "Laskar pelangi : sebuah novel", sor="Andrea Hirata ; editor Imam",
                  edition="Cet. 5", isbn_issn="978-979-1227-00-1", publish_year="c2008.",
                  collation="xiv, 529 hlm. ; 20 cm", series_title="Tetralogi Laskar Pelangi",
                  call_number="899.221 HIR l", classification="899.221",
                  notes="Kisah sepuluh anak Belitong.", publisher_id=2, publish_place_id=2)
        cursor.execute("INSERT INTO biblio_author VALUES (7, 1, 1), (7, 3, 3)")
        cursor.execute("INSERT INTO biblio_topic VALUES (7, 1, 1), (7, 2, 2)")
        for item_id, code, status in ((1, "B001", "0"), (2, "B002", "0"), (3, "B003", "R"),
                                      (4, "B004", "NL"), (5, "B005", "MIS"), (6, "B006", "")):
            add_item(cursor, item_id, 7, code, status=status, location="RA" if item_id % 2
                     else "RU", collection=1 if item_id == 4 else 2)
        lend(cursor, "B002", DUE)
        add_title(cursor, 8, "Bumi manusia", gmd_id=2, isbn_issn="1234-5679",
                  language_id="en")
        cursor.execute("INSERT INTO biblio_author VALUES (8, 2, 1)")
        cursor.execute("INSERT INTO files VALUES (1, 'Bab 1', 'bab1.pdf', NULL),"
                       " (2, 'Versi daring', 'x', 'https://repositori.example.id/bumi')")
        cursor.execute("INSERT INTO biblio_attachment VALUES (8, 1, 'public'), (8, 2, 'public')")
        add_title(cursor, 9, "Judul tersembunyi", opac_hide=1)


def test_every_field_and_copy_reaches_the_provider(slims: SlimsDatabase, tmp_path: Path):
    _fill(slims)
    before = datetime.now(UTC).replace(microsecond=0)
    result = run_sync(slims, tmp_path, "--json", opac_url="https://opac.example.id/")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["mode"], report["read"], report["added"], report["deleted"]) == \
        ("full", 2, 2, 0)
    latest = datetime.strptime(report["latest_change"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before - timedelta(seconds=5) <= latest <= datetime.now(UTC)  # Jakarta -> UTC

    with Catalogue(tmp_path / "node.sqlite3") as catalogue:
        laskar = catalogue.get("7")
        record = laskar.record
        assert catalogue.get("9") is None and catalogue.count() == 2
    assert laskar.updated >= latest  # a datestamp never precedes the change it publishes
    assert (record.title, record.subtitle, record.responsibility, record.edition) == \
        ("Laskar pelangi", "sebuah novel", "Andrea Hirata ; editor Imam", "Cet. 5")
    assert (record.creators, record.contributors) == (["Hirata, Andrea"], ["Lubis, Mochtar"])
    assert (record.publisher, record.place, record.year, record.isbn) == \
        ("Bentang Pustaka", "Yogyakarta", 2008, ["9789791227001"])
    assert (record.language, record.material_type, record.subjects) == \
        ("ind", "buku", ["Fiksi Indonesia", "Pendidikan"])
    assert (record.call_number, record.classification, record.series, record.collation,
            record.description) == ("899.221 HIR l", "899.221", "Tetralogi Laskar Pelangi",
                                    "xiv, 529 hlm. ; 20 cm", "Kisah sepuluh anak Belitong.")
    assert [(c.barcode, c.location, c.collection, c.status, c.due_date)
            for c in record.copies] == [
        ("B001", "Ruang Anak", "Fiksi", "tersedia", ""),
        ("B002", "Ruang Umum", "Fiksi", "dipinjam", "2026-12-10"),
        ("B003", "Ruang Anak", "Fiksi", "diperbaiki", ""),
        ("B004", "Ruang Umum", "Referensi", "tidak-dipinjamkan", ""),
        ("B005", "Ruang Anak", "Fiksi", "hilang", ""),
        ("B006", "Ruang Umum", "Fiksi", "tersedia", "")]

    with running_node(tmp_path / "node.sqlite3", repository_identifier="kota.example.id",
                      library_name="Perpustakaan Kota") as node:
        answer = requests.get(node.url, params={"verb": "GetRecord", "metadataPrefix": "marc21",
                                                "identifier": node.identifier("7")}, timeout=10)
        ebook = requests.get(node.url, params={"verb": "GetRecord", "metadataPrefix": "marc21",
                                               "identifier": node.identifier("8")}, timeout=10)
    marc = etree.fromstring(answer.content)
    holdings = [{s.get("code"): s.text for s in field.findall("marc:subfield", MARC)}
                for field in marc.iterfind(".//marc:datafield[@tag='852']", MARC)]
    assert [(h["a"], h["p"], h["z"], h.get("g")) for h in holdings] == [
        ("Perpustakaan Kota", "B001", "tersedia", None),
        ("Perpustakaan Kota", "B002", "dipinjam", "jatuh tempo 2026-12-10"),
        ("Perpustakaan Kota", "B003", "diperbaiki", None),
        ("Perpustakaan Kota", "B004", "tidak-dipinjamkan", None),
        ("Perpustakaan Kota", "B005", "hilang", None),
        ("Perpustakaan Kota", "B006", "tersedia", None)]
    tags = {f.get("tag"): [s.text for s in f] for f in marc.iterfind(".//marc:datafield", MARC)}
    assert tags["250"] == ["Cet. 5"] and tags["300"] == ["xiv, 529 hlm. ; 20 cm"]
    assert tags["490"] == ["Tetralogi Laskar Pelangi"]
    assert tags["245"] == ["Laskar pelangi", "sebuah novel", "Andrea Hirata ; editor Imam"]
    stamp = marc.findtext(".//oai:header/oai:datestamp", namespaces=OAI)
    assert stamp >= report["latest_change"]

    links = [[s.text for s in f] for f in etree.fromstring(ebook.content).iterfind(
        ".//marc:datafield[@tag='856']", MARC)]
    assert links == [["https://opac.example.id/index.php?p=fstream&fid=1&bid=8", "Baca online"],
                     ["https://repositori.example.id/bumi", "Baca online"]]
    with Catalogue(tmp_path / "node.sqlite3") as catalogue:
        bumi = catalogue.get("8").record
    assert (bumi.material_type, bumi.language, bumi.issn, bumi.isbn) == \
        ("e-book", "eng", ["1234-5679"], [])


def test_dry_run_reports_and_stores_nothing(slims: SlimsDatabase, tmp_path: Path):
    _fill(slims)
    result = run_sync(slims, tmp_path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "DRY RUN, nothing stored" in result.output and "ditambah/added 2" in result.output
    with Catalogue(tmp_path / "node.sqlite3") as catalogue:
        assert catalogue.count(include_deleted=True) == 0
    assert run_sync(slims, tmp_path).exit_code == 0
    with slims.connect() as connection, connection.cursor() as cursor:
        cursor.execute("DELETE FROM biblio WHERE biblio_id = 8")
    trial = run_sync(slims, tmp_path, "--dry-run", "--json")
    assert json.loads(trial.output)["deleted"] == 1
    with Catalogue(tmp_path / "node.sqlite3") as catalogue:
        assert catalogue.count() == 2 and not catalogue.get("8").deleted
