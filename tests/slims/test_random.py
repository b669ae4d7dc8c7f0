"""1,000 random librarian changes while syncs run: a full harvest then equals the SLiMS database.

The expectation is read from SLiMS with the test's own SQL and status rules, not through the
connector; the node is harvested by the project's harvester over real HTTP.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pymysql.cursors
from lxml import etree

from config.network import load_sources
from harvester.pool import harvest_all
from harvester.store import RecordStore
from node_adapter.catalogue import Catalogue
from node_adapter.slims.connection import load_slims_config
from node_adapter.slims.sync import sync
from tests.harvester.conftest import make_settings
from tests.slims.conftest import settings_for
from tests.slims.librarian import (
    add_collection,
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
from tests.support.nodes import running_node

MARC = {"marc": "http://www.loc.gov/MARC21/slim"}
STATUS = {"R": "diperbaiki", "NL": "tidak-dipinjamkan", "MIS": "hilang"}
CHANGES = 1_000


def _change(cursor: pymysql.cursors.Cursor, rng: random.Random, counters: dict[str, int]) -> None:
    """One random thing a librarian or the circulation desk does."""
    cursor.execute("SELECT biblio_id FROM biblio ORDER BY RAND() LIMIT 1")
    biblio_id = cursor.fetchone()[0]
    cursor.execute("SELECT item_id, item_code FROM item ORDER BY RAND() LIMIT 1")
    item_id, code = cursor.fetchone()
    kind = rng.choice(("edit", "edit", "lend", "lend", "return", "return", "status", "hide",
                       "unhide", "delete", "add", "item", "drop item"))
    if kind == "edit":
        edit_title(cursor, biblio_id, title=f"Judul diubah {rng.randint(1, 10**6)} : jilid "
                                            f"{rng.randint(1, 9)}")
    elif kind == "lend":
        cursor.execute("SELECT count(*) FROM loan WHERE item_code = %s AND is_lent = 1"
                       " AND is_return = 0", (code,))
        if not cursor.fetchone()[0]:
            lend(cursor, code)
    elif kind == "return":
        cursor.execute("SELECT item_code FROM loan WHERE is_lent = 1 AND is_return = 0"
                       " ORDER BY RAND() LIMIT 1")
        row = cursor.fetchone()
        if row:
            give_back(cursor, row[0])
    elif kind == "status":
        set_item_status(cursor, item_id, rng.choice(("0", "R", "NL", "MIS", "")))
    elif kind in ("hide", "unhide"):
        edit_title(cursor, biblio_id, opac_hide=int(kind == "hide"))
    elif kind == "delete":
        delete_title(cursor, biblio_id)
    elif kind == "add":
        counters["biblio"] += 1
        add_title(cursor, counters["biblio"], f"Judul baru {counters['biblio']}")
    elif kind == "item":
        counters["item"] += 1
        add_item(cursor, counters["item"], biblio_id, f"N{counters['item']:07d}")
    else:
        cursor.execute("DELETE FROM item WHERE item_id = %s", (item_id,))


def _expected(slims: SlimsDatabase) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Every visible title's id, title and copies (barcode, status) by the test's own rules."""
    with slims.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT biblio_id, title FROM biblio WHERE opac_hide = 0")
        titles = {str(i): (t, []) for i, t in cursor.fetchall()}
        cursor.execute("SELECT i.biblio_id, i.item_code, i.item_status_id, EXISTS(SELECT 1 FROM"
                       " loan l WHERE l.item_code = i.item_code AND l.is_lent = 1 AND"
                       " l.is_return = 0) FROM item i ORDER BY i.item_id")
        for biblio_id, code, status, lent in cursor.fetchall():
            if str(biblio_id) in titles:
                titles[str(biblio_id)][1].append(
                    (code, "dipinjam" if lent else STATUS.get(status or "0", "tersedia")))
    return titles


def _harvested(marc_xml: str) -> tuple[str, list[tuple[str, str]]]:
    """Title (245 $a : $b) and copies (852 $p, $z) of a harvested record."""
    record = etree.fromstring(marc_xml.encode())
    title = [s.text for s in record.iterfind(".//marc:datafield[@tag='245']/marc:subfield", MARC)
             if s.get("code") in "ab"]
    copies = [({s.get("code"): s.text for s in field}) for field in
              record.iterfind(".//marc:datafield[@tag='852']", MARC)]
    return " : ".join(title), [(c["p"], c["z"]) for c in copies]


def test_random_changes_during_syncs_then_a_full_harvest_equals_slims(
        slims: SlimsDatabase, tmp_path: Path):
    with slims.connect() as connection, connection.cursor() as cursor:
        add_lookups(cursor)
        items = add_collection(cursor, 300)
    counters = {"biblio": 300, "item": items}
    config = load_slims_config(settings_for(slims, tmp_path, batch_titles=50,
                                                    overlap_seconds=0))
    catalogue = Catalogue(tmp_path / "node.sqlite3")
    sync(catalogue, config)
    ever_published = {str(i) for i in range(1, 301)}

    done = threading.Event()
    failures: list[BaseException] = []

    def librarian() -> None:
        rng = random.Random(2026)
        try:
            with slims.connect() as connection, connection.cursor() as cursor:
                for _ in range(CHANGES):
                    _change(cursor, rng, counters)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            done.set()

    worker = threading.Thread(target=librarian)
    worker.start()
    syncs = 0
    while not done.is_set() or syncs == 0:
        sync(catalogue, config)
        syncs += 1
        with catalogue.stamped_transaction() as (db, _):
            ever_published |= {row[0] for row in db.execute("SELECT local_id FROM records")}
    worker.join()
    assert not failures, failures
    sync(catalogue, config)
    catalogue.close()
    assert syncs >= 2  # the changes landed between and during several syncs

    expected = _expected(slims)
    with running_node(tmp_path / "node.sqlite3", page_size=50,
                      repository_identifier="slims.example.id") as node:
        settings = make_settings(tmp_path, [{"id": "slims", "base_url": node.url,
                                             "metadata_prefix": "marc21"}])
        [run] = harvest_all(settings, load_sources(settings), mode="full")
        assert run.status == "ok", run.last_error
        prefix = node.identifier("")
    store = RecordStore(tmp_path / "records.sqlite3")
    live = {r.identifier.removeprefix(prefix): _harvested(r.metadata)
            for r in store.iter_records("slims")}
    assert live == {local_id: (title, copies) for local_id, (title, copies) in expected.items()}
    deleted = {r.identifier.removeprefix(prefix) for r in
               store.iter_records("slims", include_deleted=True) if r.deleted}
    assert deleted == ever_published - set(expected)
    assert deleted and any(status == "dipinjam" for _, c in live.values() for _, status in c)
