"""Incremental syncs: edits, loans, returns, hides, deletions and silent item removals."""

from __future__ import annotations

import json
from pathlib import Path

from node_adapter.catalogue import Catalogue
from tests.slims.conftest import run_sync
from tests.slims.librarian import (
    add_item,
    add_lookups,
    add_title,
    delete_title,
    edit_title,
    give_back,
    lend,
    set_item_status,
)
from tests.support.mariadb import SlimsDatabase


def _sync(slims: SlimsDatabase, tmp_path: Path, *options: str,
          **slims_keys: object) -> dict[str, object]:
    """One sync's JSON report (it must succeed)."""
    result = run_sync(slims, tmp_path, "--json", *options, **slims_keys)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _state(tmp_path: Path, local_id: str) -> tuple[bool, str, list[str]]:
    """Whether a record is deleted, its stored datestamp and its copies' statuses."""
    with Catalogue(tmp_path / "node.sqlite3") as catalogue:
        entry = catalogue.get(local_id)
    statuses = [c.status for c in entry.record.copies] if entry.record else []
    return entry.deleted, entry.updated.isoformat(), statuses


def test_each_kind_of_change_moves_only_its_record(slims: SlimsDatabase, tmp_path: Path):
    with slims.connect() as connection, connection.cursor() as cursor:
        add_lookups(cursor)
        for biblio_id in range(1, 11):
            add_title(cursor, biblio_id, f"Buku nomor {biblio_id}")
            add_item(cursor, biblio_id, biblio_id, f"C{biblio_id:03d}")
    assert _sync(slims, tmp_path)["added"] == 10
    stamps = {str(i): _state(tmp_path, str(i))[1] for i in range(1, 11)}
    assert _sync(slims, tmp_path) | {"latest_change": ""} == {
        "mode": "incremental", "dry_run": False, "read": 10, "added": 0, "updated": 0,
        "unchanged": 10, "deleted": 0, "latest_change": "", "warnings": [],
        "warning_count": 0}  # everything is within the overlap: re-read, nothing changes

    with slims.connect() as connection, connection.cursor() as cursor:
        lend(cursor, "C002")
        edit_title(cursor, 3, title="Buku nomor tiga")
        set_item_status(cursor, 4, "R")
        edit_title(cursor, 5, opac_hide=1)
        delete_title(cursor, 6)
        cursor.execute("DELETE FROM item WHERE item_id = 7")  # no last_update anywhere
        add_title(cursor, 11, "Buku baru")
    report = _sync(slims, tmp_path)
    assert (report["added"], report["updated"], report["deleted"]) == (1, 4, 2)
    assert _state(tmp_path, "2")[0::2] == (False, ["dipinjam"])
    assert _state(tmp_path, "4")[0::2] == (False, ["diperbaiki"])
    assert _state(tmp_path, "5")[0] and _state(tmp_path, "6")[0]
    assert _state(tmp_path, "7")[0::2] == (False, [])
    with Catalogue(tmp_path / "node.sqlite3") as catalogue:
        assert catalogue.get("3").record.title == "Buku nomor tiga"
        assert catalogue.count() == 9 and catalogue.count(include_deleted=True) == 11
    for unchanged in ("1", "8", "9", "10"):
        assert _state(tmp_path, unchanged)[1] == stamps[unchanged]

    with slims.connect() as connection, connection.cursor() as cursor:
        give_back(cursor, "C002")
        edit_title(cursor, 5, opac_hide=0)
    report = _sync(slims, tmp_path)
    assert (report["added"], report["updated"], report["deleted"]) == (1, 1, 0)
    assert _state(tmp_path, "2")[0::2] == (False, ["tersedia"])
    assert _state(tmp_path, "5")[0::2] == (False, ["tersedia"])
    assert _state(tmp_path, "6")[0]  # the tombstone stays
    full = _sync(slims, tmp_path, "--full")
    assert (full["mode"], full["read"], full["unchanged"], full["deleted"]) == \
        ("full", 10, 10, 0)


def test_a_change_older_than_the_overlap_is_found_by_its_signature(slims: SlimsDatabase,
                                                                   tmp_path: Path):
    with slims.connect() as connection, connection.cursor() as cursor:
        add_lookups(cursor)
        add_title(cursor, 1, "Buku lama")
        add_item(cursor, 1, 1, "L001")
    assert _sync(slims, tmp_path)["added"] == 1
    with slims.connect() as connection, connection.cursor() as cursor:
        cursor.execute("UPDATE biblio SET last_update = '2001-01-02 08:00:00'")
        cursor.execute("UPDATE item SET last_update = '2001-01-02 08:00:00'")
    _sync(slims, tmp_path)
    with slims.connect() as connection, connection.cursor() as cursor:
        cursor.execute("INSERT INTO loan (item_code, loan_date, due_date, is_lent, is_return,"
                       " input_date, last_update) VALUES ('L001', '2001-01-01', '2001-01-08',"
                       " 1, 0, '2001-01-01 08:00:00', '2001-01-01 08:00:00')")
    report = _sync(slims, tmp_path, overlap_seconds=0)
    assert (report["read"], report["updated"]) == (1, 1)
    assert _state(tmp_path, "1")[2] == ["dipinjam"]
    assert report["latest_change"] == "2001-01-02T01:00:00Z"  # 08:00 in Jakarta
