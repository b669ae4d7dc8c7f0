"""What a librarian does in SLiMS, as SLiMS writes it: rows with local-time ``last_update``.

Each function is one change as SLiMS's admin pages and circulation make it (a title with
its authority rows, an item, a loan, a return, a hide, a deletion), stamping
``last_update`` with the database's local ``NOW()`` like SLiMS's PHP does with its clock.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pymysql.cursors

LOOKUPS = (
    "INSERT INTO mst_gmd VALUES (1, 'Text'), (2, 'Electronic Resource'), (3, 'Map')",
    "INSERT INTO mst_publisher VALUES (1, 'Gramedia Pustaka Utama'), (2, 'Bentang Pustaka')",
    "INSERT INTO mst_place VALUES (1, 'Jakarta'), (2, 'Yogyakarta')",
    "INSERT INTO mst_location VALUES ('RU', 'Ruang Umum'), ('RA', 'Ruang Anak')",
    "INSERT INTO mst_coll_type VALUES (1, 'Referensi'), (2, 'Fiksi')",
    "INSERT INTO mst_item_status VALUES ('MIS', 'Missing', 1), ('NL', 'No Loan', 1),"
    " ('R', 'Repair', 1)",
    "INSERT INTO mst_author VALUES (1, 'Hirata, Andrea', 'p'), (2, 'Toer, Pramoedya Ananta',"
    " 'p'), (3, 'Lubis, Mochtar', 'p')",
    "INSERT INTO mst_topic VALUES (1, 'Fiksi Indonesia'), (2, 'Pendidikan')",
)


def add_lookups(cursor: pymysql.cursors.Cursor) -> None:
    """The authority and lookup rows a fresh SLiMS install has filled in."""
    for statement in LOOKUPS:
        cursor.execute(statement)


def add_title(cursor: pymysql.cursors.Cursor, biblio_id: int, title: str,
              **columns: Any) -> None:
    """A new title as the cataloguing page saves it."""
    values = {"biblio_id": biblio_id, "title": title, "gmd_id": 1, "publisher_id": 1,
              "publish_place_id": 1, "publish_year": "2005", "language_id": "id",
              "opac_hide": 0, **columns}
    names = ", ".join(values)
    cursor.execute(f"INSERT INTO biblio ({names}, input_date, last_update) VALUES"
                   f" ({', '.join(['%s'] * len(values))}, NOW(), NOW())", list(values.values()))


def edit_title(cursor: pymysql.cursors.Cursor, biblio_id: int, **columns: Any) -> None:
    """An edit in the cataloguing page: the columns change, ``last_update`` moves."""
    sets = ", ".join(f"{name} = %s" for name in columns)
    cursor.execute(f"UPDATE biblio SET {sets}, last_update = NOW() WHERE biblio_id = %s",
                   [*columns.values(), biblio_id])


def add_item(cursor: pymysql.cursors.Cursor, item_id: int, biblio_id: int, code: str,
             location: str = "RU", status: str = "0", collection: int = 2) -> None:
    """A copy added to a title."""
    cursor.execute("INSERT INTO item (item_id, biblio_id, item_code, location_id,"
                   " item_status_id, coll_type_id, input_date, last_update)"
                   " VALUES (%s, %s, %s, %s, %s, %s, NOW(), NOW())",
                   (item_id, biblio_id, code, location, status, collection))


def set_item_status(cursor: pymysql.cursors.Cursor, item_id: int, status: str) -> None:
    """An item marked repair, no loan, missing or back to normal ('0')."""
    cursor.execute("UPDATE item SET item_status_id = %s, last_update = NOW()"
                   " WHERE item_id = %s", (status, item_id))


def lend(cursor: pymysql.cursors.Cursor, code: str, due: date | None = None) -> None:
    """Circulation lends a copy: a loan row, lent and not returned."""
    today = date.today()
    cursor.execute("INSERT INTO loan (item_code, loan_date, due_date, is_lent, is_return,"
                   " input_date, last_update) VALUES (%s, %s, %s, 1, 0, NOW(), NOW())",
                   (code, today, due or today + timedelta(days=7)))


def give_back(cursor: pymysql.cursors.Cursor, code: str) -> None:
    """Circulation takes a copy back: its open loan is returned."""
    cursor.execute("UPDATE loan SET is_return = 1, last_update = NOW() WHERE item_code = %s"
                   " AND is_lent = 1 AND is_return = 0", (code,))


def delete_title(cursor: pymysql.cursors.Cursor, biblio_id: int) -> None:
    """SLiMS deletes a title's rows: no tombstone is left."""
    for table in ("biblio_author", "biblio_topic", "item", "biblio"):
        cursor.execute(f"DELETE FROM {table} WHERE biblio_id = %s", (biblio_id,))


def add_collection(cursor: pymysql.cursors.Cursor, titles: int, seed: int = 9,
                   on_loan: float = 0.05, batch: int = 5_000) -> int:
    """``titles`` titles of 1-3 items each, ``on_loan`` of the items lent; returns items made."""
    rng = random.Random(seed)
    words = ("Sejarah", "Kalimantan", "Tengah", "anak", "sungai", "hutan", "rakyat", "budaya",
             "Dayak", "pertanian", "cerita", "pendidikan", "kota", "desa", "laut")
    item_id = 0
    for start in range(1, titles + 1, batch):
        ids = range(start, min(start + batch, titles + 1))
        cursor.executemany(
            "INSERT INTO biblio (biblio_id, title, gmd_id, publisher_id, publish_place_id,"
            " publish_year, language_id, isbn_issn, call_number, classification, opac_hide,"
            " input_date, last_update) VALUES (%s, %s, 1, %s, %s, %s, 'id', '', %s, %s, 0,"
            " NOW(), NOW())",
            [(i, " ".join(rng.choices(words, k=4)) + (" : jilid " + str(i) if i % 4 == 0
                                                     else ""),
              1 + i % 2, 1 + i % 2, str(1950 + i % 75), f"{i % 1000:03d} ABC",
              f"{i % 1000:03d}") for i in ids])
        cursor.executemany("INSERT INTO biblio_author VALUES (%s, %s, 1)",
                           [(i, 1 + i % 3) for i in ids])
        items, loans = [], []
        for i in ids:
            for _ in range(rng.randint(1, 3)):
                item_id += 1
                items.append((item_id, i, f"I{item_id:07d}", rng.choice(("RU", "RA"))))
                if rng.random() < on_loan:
                    loans.append((f"I{item_id:07d}",))
        cursor.executemany("INSERT INTO item (item_id, biblio_id, item_code, location_id,"
                           " item_status_id, coll_type_id, input_date, last_update)"
                           " VALUES (%s, %s, %s, %s, '0', 2, NOW(), NOW())", items)
        cursor.executemany("INSERT INTO loan (item_code, loan_date, due_date, is_lent,"
                           " is_return, input_date, last_update) VALUES (%s, CURDATE(),"
                           " CURDATE() + INTERVAL 7 DAY, 1, 0, NOW(), NOW())", loans)
    return item_id
