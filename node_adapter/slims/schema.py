"""The SLiMS 9 tables and columns the connector reads: our own DDL, and a check against a live one.

``TABLES`` is the single list: ``ddl()`` creates exactly these columns (with SLiMS 9's types
and the keys our queries use) for tests and benchmarks, and ``check`` compares a live
database's ``information_schema`` with it before anything is read, so a missing or
renamed table or column stops a sync with its name and nothing published is touched.
Facts from SLiMS 9 "Bulian" (``tests/fixtures/slims9/schema.sql``).
"""

from __future__ import annotations

import pymysql.cursors

from node_adapter.slims import SchemaMismatch

TABLES: dict[str, tuple[str, ...]] = {
    "biblio": (
        "biblio_id int(11) NOT NULL AUTO_INCREMENT", "gmd_id int(3) DEFAULT NULL",
        "title text NOT NULL", "sor varchar(200) DEFAULT NULL",
        "edition varchar(50) DEFAULT NULL", "isbn_issn varchar(32) DEFAULT NULL",
        "publisher_id int(11) DEFAULT NULL", "publish_year varchar(20) DEFAULT NULL",
        "collation varchar(100) DEFAULT NULL", "series_title varchar(200) DEFAULT NULL",
        "call_number varchar(50) DEFAULT NULL", "language_id char(5) DEFAULT 'en'",
        "publish_place_id int(11) DEFAULT NULL", "classification varchar(40) DEFAULT NULL",
        "notes text DEFAULT NULL", "opac_hide smallint(1) DEFAULT 0",
        "input_date datetime DEFAULT NULL", "last_update datetime DEFAULT NULL"),
    "item": (
        "item_id int(11) NOT NULL AUTO_INCREMENT", "biblio_id int(11) DEFAULT NULL",
        "call_number varchar(50) DEFAULT NULL", "coll_type_id int(3) DEFAULT NULL",
        "item_code varchar(20) DEFAULT NULL", "location_id varchar(3) DEFAULT NULL",
        "item_status_id char(3) DEFAULT NULL", "input_date datetime NOT NULL",
        "last_update datetime DEFAULT NULL"),
    "loan": (
        "loan_id int(11) NOT NULL AUTO_INCREMENT", "item_code varchar(20) DEFAULT NULL",
        "loan_date date NOT NULL", "due_date date NOT NULL", "is_lent int(11) NOT NULL DEFAULT 0",
        "is_return int(11) NOT NULL DEFAULT 0", "input_date datetime DEFAULT NULL",
        "last_update datetime DEFAULT NULL"),
    "mst_author": (
        "author_id int(11) NOT NULL AUTO_INCREMENT", "author_name varchar(100) NOT NULL",
        "authority_type enum('p','o','c') DEFAULT 'p'"),
    "biblio_author": (
        "biblio_id int(11) NOT NULL DEFAULT 0", "author_id int(11) NOT NULL DEFAULT 0",
        "level int(1) NOT NULL DEFAULT 1"),
    "mst_topic": (
        "topic_id int(11) NOT NULL AUTO_INCREMENT", "topic varchar(50) NOT NULL"),
    "biblio_topic": (
        "biblio_id int(11) NOT NULL DEFAULT 0", "topic_id int(11) NOT NULL DEFAULT 0",
        "level int(1) NOT NULL DEFAULT 1"),
    "mst_publisher": (
        "publisher_id int(11) NOT NULL AUTO_INCREMENT",
        "publisher_name varchar(100) NOT NULL"),
    "mst_place": ("place_id int(11) NOT NULL AUTO_INCREMENT", "place_name varchar(30) NOT NULL"),
    "mst_gmd": ("gmd_id int(11) NOT NULL AUTO_INCREMENT", "gmd_name varchar(30) NOT NULL"),
    "mst_location": ("location_id varchar(3) NOT NULL", "location_name varchar(100) DEFAULT NULL"),
    "mst_coll_type": (
        "coll_type_id int(3) NOT NULL AUTO_INCREMENT", "coll_type_name varchar(30) NOT NULL"),
    "mst_item_status": (
        "item_status_id char(3) NOT NULL", "item_status_name varchar(30) NOT NULL",
        "no_loan smallint(1) NOT NULL DEFAULT 0"),
    "biblio_attachment": (
        "biblio_id int(11) NOT NULL", "file_id int(11) NOT NULL",
        "access_type enum('public','private') NOT NULL"),
    "files": (
        "file_id int(11) NOT NULL AUTO_INCREMENT", "file_title text NOT NULL",
        "file_name text NOT NULL", "file_url text DEFAULT NULL"),
}
"""Every column read, per table, as SLiMS 9 declares it."""

_KEYS: dict[str, tuple[str, ...]] = {
    "biblio": ("PRIMARY KEY (biblio_id)",),
    "item": ("PRIMARY KEY (item_id)", "UNIQUE KEY item_code (item_code)",
             "KEY biblio_id_idx (biblio_id)"),
    "loan": ("PRIMARY KEY (loan_id)", "KEY item_code (item_code)"),
    "mst_author": ("PRIMARY KEY (author_id)",),
    "biblio_author": ("PRIMARY KEY (biblio_id, author_id)",),
    "mst_topic": ("PRIMARY KEY (topic_id)",),
    "biblio_topic": ("PRIMARY KEY (biblio_id, topic_id)",),
    "mst_publisher": ("PRIMARY KEY (publisher_id)",),
    "mst_place": ("PRIMARY KEY (place_id)",),
    "mst_gmd": ("PRIMARY KEY (gmd_id)",),
    "mst_location": ("PRIMARY KEY (location_id)",),
    "mst_coll_type": ("PRIMARY KEY (coll_type_id)",),
    "mst_item_status": ("PRIMARY KEY (item_status_id)",),
    "biblio_attachment": ("KEY biblio_id (biblio_id)",),
    "files": ("PRIMARY KEY (file_id)",),
}


def ddl(charset: str = "utf8mb3") -> list[str]:
    """``CREATE TABLE`` statements for the columns read (tests, benchmarks, a new install)."""
    return [f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns + _KEYS[table])})"
            f" ENGINE=InnoDB DEFAULT CHARSET={charset}" for table, columns in TABLES.items()]


def check(cursor: pymysql.cursors.Cursor) -> None:
    """Raise ``SchemaMismatch`` naming every table or column that ``TABLES`` needs and lacks."""
    cursor.execute("SELECT table_name, column_name FROM information_schema.columns"
                   " WHERE table_schema = DATABASE()")
    present: dict[str, set[str]] = {}
    for table, column in cursor.fetchall():
        present.setdefault(table.lower(), set()).add(column.lower())
    missing_tables = [table for table in TABLES if table not in present]
    missing_columns = [f"{table}.{definition.split()[0]}" for table, columns in TABLES.items()
                       if table in present for definition in columns
                       if definition.split()[0] not in present[table]]
    problems_id = [f"tabel {t} tidak ada" for t in missing_tables] + \
        [f"kolom {c} tidak ada" for c in missing_columns]
    problems_en = [f"table {t} is missing" for t in missing_tables] + \
        [f"column {c} is missing" for c in missing_columns]
    if problems_id:
        raise SchemaMismatch(
            f"basis data SLiMS tidak sesuai (versi lain atau diubah?): {'; '.join(problems_id)}"
            f" / the SLiMS database does not match (another version, or altered?): "
            f"{'; '.join(problems_en)}")
