"""The catalogue: merging by id or ISBN, tombstones, all-or-nothing upserts, paging keys."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from node_adapter.catalogue import Catalogue, UpsertSummary, stamp
from node_adapter.records import BibRecord, Copy
from tests.support.nodes import make_records

T1 = datetime(2024, 1, 10, 8, 0, tzinfo=UTC)
T2 = datetime(2024, 2, 1, 12, 30, tzinfo=UTC)
T3 = datetime(2024, 3, 1, tzinfo=UTC)


def dated(record: BibRecord, moment: datetime) -> BibRecord:
    """The record as the catalogue keeps it when written at ``moment``: statuses dated."""
    known = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return dataclasses.replace(record, copies=[dataclasses.replace(c, status_known=known)
                                               for c in record.copies])


@pytest.fixture
def catalogue(tmp_path: Path) -> Iterator[Catalogue]:
    with Catalogue(tmp_path / "catalogue.sqlite3") as opened:
        yield opened


def test_upsert_counts_added_updated_unchanged(catalogue: Catalogue) -> None:
    records = make_records(10)
    assert catalogue.upsert_many(records, now=T1) == UpsertSummary(added=10)
    changed = [dataclasses.replace(records[0], title="Judul baru"), *records[1:]]
    assert catalogue.upsert_many(changed, now=T2) == UpsertSummary(updated=1, unchanged=9)
    entry = catalogue.get("b-0")
    assert entry is not None and entry.record is not None
    assert entry.record.title == "Judul baru"
    assert (entry.created, entry.updated) == (T1, T2)
    assert catalogue.get("b-1").updated == T1  # unchanged content keeps its datestamp


def test_match_by_isbn_keeps_the_stored_id(catalogue: Catalogue) -> None:
    catalogue.upsert_many([BibRecord("lama-1", "Laskar Pelangi", isbn=["9789793062792"])], now=T1)
    again = BibRecord("baru-9", "Laskar Pelangi (cet. 2)", isbn=["9789793062792"])
    assert catalogue.upsert_many([again], now=T2) == UpsertSummary(updated=1)
    assert catalogue.get("baru-9") is None
    assert catalogue.get("lama-1").record.title == "Laskar Pelangi (cet. 2)"
    assert catalogue.count() == 1


def test_duplicates_inside_one_batch_merge(catalogue: Catalogue) -> None:
    first = BibRecord("x-1", "Ronggeng Dukuh Paruk", isbn=["9789792251523"])
    second = BibRecord("x-2", "Ronggeng Dukuh Paruk", isbn=["9789792251523"], year=2003)
    summary = catalogue.upsert_many([first, second], now=T1)
    assert summary == UpsertSummary(added=1, merged=1) and catalogue.count() == 1
    assert catalogue.get("x-1").record.year == 2003


def test_one_book_twice_in_a_batch_holds_both_copies(catalogue: Catalogue) -> None:
    first = BibRecord("k-1", "Negeri 5 Menara", copies=[Copy("k-1-1"), Copy("k-1-2")])
    again = BibRecord("k-1", "Negeri 5 Menara", copies=[Copy("k-1-1", status="dipinjam"),
                                                         Copy("R-7")])
    chunks = [first, *make_records(600, prefix="fill"), again]
    summary = catalogue.upsert_many(chunks, now=T1)
    assert (summary.added, summary.merged) == (601, 1)
    barcodes = [c.barcode for c in catalogue.get("k-1").record.copies]
    assert barcodes == ["k-1-1", "k-1-2", "k-1-3", "R-7"]
    assert catalogue.upsert_many(chunks[:1] + chunks[-1:], now=T2).merged == 1
    assert [c.barcode for c in catalogue.get("k-1").record.copies] == barcodes
    assert catalogue.get("k-1").updated == T1  # the same file again changes nothing


def test_volumes_sharing_an_isbn_stay_apart(catalogue: Catalogue) -> None:
    one = BibRecord("v-1", "Ensiklopedia Kalimantan", subtitle="Jilid 1", isbn=["9786020312340"])
    two = BibRecord("v-2", "Ensiklopedia Kalimantan", subtitle="Jilid 2", isbn=["9786020312340"])
    assert catalogue.upsert_many([one, two], now=T1) == UpsertSummary(added=2)
    assert catalogue.get("v-2").record.subtitle == "Jilid 2"
    assert catalogue.upsert_many([one, two], now=T2) == UpsertSummary(unchanged=2)


def test_an_isbn_kept_aside_is_never_matched(catalogue: Catalogue) -> None:
    catalogue.upsert_many([BibRecord("a", "Satu", invalid_isbn=["9786020312341"])], now=T1)
    catalogue.upsert_many([BibRecord("b", "Dua", invalid_isbn=["9786020312341"])], now=T2)
    assert catalogue.count() == 2 and catalogue.get("a").record.title == "Satu"


def test_delete_leaves_a_tombstone_that_can_be_revived(catalogue: Catalogue) -> None:
    records = make_records(3)
    catalogue.upsert_many(records, now=T1)
    assert catalogue.delete("b-1", now=T2)
    assert not catalogue.delete("b-1", now=T3)
    assert not catalogue.delete("nope")
    tombstone = catalogue.get("b-1")
    assert tombstone.deleted and tombstone.updated == T2 and tombstone.created == T1
    assert (catalogue.count(), catalogue.count(include_deleted=True)) == (2, 3)
    assert catalogue.upsert_many([records[1]], now=T3) == UpsertSummary(added=1)
    assert catalogue.get("b-1").record == dated(records[1], T3)
    assert catalogue.get("b-1").updated == T3


def test_replace_tombstones_what_the_file_no_longer_has(catalogue: Catalogue) -> None:
    records = make_records(6)
    catalogue.upsert_many(records, now=T1)
    summary = catalogue.upsert_many(records[:4], replace=True, now=T2)
    assert summary == UpsertSummary(unchanged=4, deleted=2)
    assert [catalogue.get(f"b-{i}").deleted for i in range(6)] == [False] * 4 + [True] * 2


def test_a_failing_iterable_changes_nothing(catalogue: Catalogue) -> None:
    catalogue.upsert_many(make_records(3), now=T1)

    def broken() -> Iterator[BibRecord]:
        yield from make_records(1200, prefix="new")
        yield BibRecord("b-0", "Judul yang tak pernah tersimpan")
        raise ValueError("the file ended badly")

    with pytest.raises(ValueError):
        catalogue.upsert_many(broken(), replace=True, now=T2)
    assert catalogue.count(include_deleted=True) == 3
    assert catalogue.get("b-0").record == dated(make_records(1)[0], T1)
    assert catalogue.get("new-0") is None


def test_content_survives_reopening(tmp_path: Path) -> None:
    record = BibRecord("a", "Bumi Manusia", subtitle="Tetralogi Buru", creators=["Pramoedya"],
                       isbn=["9789799731234"], copies=[Copy("P001", "Ruang Anak", "899 PRA",
                                                           "dipinjam")])
    with Catalogue(tmp_path / "c.sqlite3") as first:
        first.upsert_many([record], now=T1)
    with Catalogue(tmp_path / "c.sqlite3") as second:
        assert second.get("a").record == dated(record, T1)
        assert second.earliest_datestamp() == T1
        assert second.secret() and len(second.secret()) == 64


def test_paging_follows_the_change_key_with_bounds_and_sets(catalogue: Catalogue) -> None:
    catalogue.upsert_many(make_records(12), now=T1)
    catalogue.upsert_many([dataclasses.replace(r, title=r.title + " (revisi)")
                           for r in make_records(2)], now=T2)
    keys: list[tuple[str, str]] = []
    after = None
    while rows := catalogue.page(prefix="oai_dc", limit=5, after=after):
        keys.extend(row[:2] for row in rows)
        after = rows[-1][:2]
    assert keys == sorted(keys) and len(keys) == 12
    assert [k[1] for k in keys[-2:]] == ["b-0", "b-1"]
    since_t2 = catalogue.page(prefix=None, limit=50, start=stamp(T2))
    assert [row[1] for row in since_t2] == ["b-0", "b-1"]
    assert catalogue.count_matching(end=stamp(T2)) == 10
    ebooks = [r.local_id for r in make_records(12) if r.material_type == "e-book"]
    in_set = catalogue.page(prefix=None, limit=50, set_spec="type:e-book")
    assert sorted(row[1] for row in in_set) == sorted(ebooks)
    assert catalogue.count_matching(set_spec="type") == 12


def test_sets_name_types_and_locations(catalogue: Catalogue) -> None:
    catalogue.upsert_many([BibRecord("a", "Atlas", material_type="peta", collection="Koleksi Lokal",
                                     copies=[Copy("1", "Ruang Referensi")])], now=T1)
    assert catalogue.sets() == [
        ("collection", "Koleksi dan lokasi (collection and location)"),
        ("collection:koleksi-lokal", "Koleksi Lokal"),
        ("collection:ruang-referensi", "Ruang Referensi"),
        ("type", "Jenis bahan (material type)"),
        ("type:peta", "peta"),
    ]
    assert catalogue.has_set("type:peta") and not catalogue.has_set("type:buku")


def test_naive_times_are_refused(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError):
        catalogue.upsert_many(make_records(1), now=datetime(2024, 1, 1))


def test_files_from_before_stored_headers_get_them(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with Catalogue(path) as catalogue:
        catalogue.upsert_many(make_records(3), now=T1)
        catalogue.delete("b-1", now=T2)
        expected = [catalogue.header(f"b-{i}") for i in range(3)]
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE records DROP COLUMN head")
    with Catalogue(path) as reopened:
        assert [reopened.header(f"b-{i}") for i in range(3)] == expected
    assert expected[1][2].startswith("b-1</identifier><datestamp>2024-02-01T12:30:00Z<")


def test_a_change_never_lands_behind_a_stored_one(catalogue: Catalogue) -> None:
    catalogue.upsert_many(make_records(2), now=T2)
    catalogue.upsert_many([BibRecord("a-0", "Ditulis dengan jam yang mundur")], now=T1)
    catalogue.delete("b-0", now=T1)
    just_after = T2 + timedelta(microseconds=1)
    assert catalogue.get("a-0").updated == just_after
    assert catalogue.get("b-0").updated == just_after + timedelta(microseconds=1)
    keys = [row[:2] for row in catalogue.page(prefix=None, limit=10)]
    assert [local_id for _, local_id in keys] == ["b-1", "a-0", "b-0"]


def test_a_record_imported_with_isbn10_matches_its_isbn13_twin(tmp_path: Path) -> None:
    with Catalogue(tmp_path / "c.sqlite3") as catalogue:
        catalogue.upsert_many([BibRecord(local_id="a", title="Laskar Pelangi",
                                         isbn=["9789793062792"])])
        summary = catalogue.upsert_many([BibRecord(local_id="b", title="Laskar Pelangi",
                                                   subtitle="cetakan ulang",
                                                   isbn=["9793062797"])])
        assert (summary.added, summary.updated) == (0, 1)
        assert catalogue.get("b") is None
        assert catalogue.get("a").record.isbn == ["9793062797"]


def test_older_files_get_their_isbn10_keys_as_isbn13(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with Catalogue(path) as catalogue:
        catalogue.upsert_many([BibRecord(local_id="a", title="Laskar Pelangi",
                                         isbn=["9793062797"])])
    with sqlite3.connect(path) as raw:  # as files written before ISBN-13 keys
        raw.execute("UPDATE isbns SET isbn = '9793062797'")
    with Catalogue(path) as catalogue:
        summary = catalogue.upsert_many([BibRecord(local_id="z", title="Laskar Pelangi",
                                                   isbn=["9789793062792"])])
        assert (summary.added, summary.updated) == (0, 1)


def test_each_status_is_dated_by_the_write_that_brought_it(catalogue: Catalogue) -> None:
    record = BibRecord("s-1", "Laskar Pelangi", copies=[Copy("S1"), Copy("S2")])
    catalogue.upsert_many([record], now=T1)
    assert catalogue.get("s-1").record == dated(record, T1)
    assert catalogue.upsert_many([record], now=T2) == UpsertSummary(unchanged=1)
    lent = dataclasses.replace(record, copies=[Copy("S1", status="dipinjam"), Copy("S2")])
    assert catalogue.upsert_many([lent], now=T3) == UpsertSummary(updated=1)
    assert [(c.status, c.status_known) for c in catalogue.get("s-1").record.copies] == [
        ("dipinjam", "2024-03-01T00:00:00Z"), ("tersedia", "2024-01-10T08:00:00Z")]


def test_a_writer_that_knows_the_status_time_keeps_it(catalogue: Catalogue) -> None:
    synced = BibRecord("s-2", "Bumi Manusia",
                       copies=[Copy("S3", status="dipinjam", status_known="2024-02-29T23:59:58Z")])
    catalogue.upsert_many([synced], now=T3)
    assert catalogue.get("s-2").record == synced
    assert catalogue.get("s-2").updated == T3
