"""Real installs: SLiMS 9's own schema and sample rows, old character sets, schema mismatches,
the read-only account and where its password may come from."""

from __future__ import annotations

import json
from pathlib import Path

import pymysql
import pytest

from node_adapter.catalogue import Catalogue
from node_adapter.slims import SlimsConfigError
from node_adapter.slims.connection import load_slims_config
from tests.slims.conftest import run_sync, settings_for
from tests.slims.librarian import add_item, add_lookups, add_title
from tests.support import FIXTURES
from tests.support.mariadb import READER, READER_PASSWORD, MariaDB, SlimsDatabase

SLIMS9 = FIXTURES / "slims9"


def test_the_real_slims9_schema_and_sample_rows(mariadb: MariaDB, tmp_path: Path):
    slims = mariadb.create_database("slims_real", tables=False)
    with mariadb.admin() as connection, connection.cursor() as cursor:
        cursor.execute("CREATE USER IF NOT EXISTS slims@'127.0.0.1'")  # the triggers' definer
        cursor.execute("GRANT ALL ON slims_real.* TO slims@'127.0.0.1'")
    mariadb.load_sql("slims_real", SLIMS9 / "schema.sql")
    mariadb.load_sql("slims_real", SLIMS9 / "sampledata.sql", force=True)
    with slims.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM biblio), (SELECT count(*) FROM item)")
        assert cursor.fetchone() == (15, 10)
        cursor.execute("INSERT INTO loan (item_code, member_id, loan_date, due_date, is_lent,"
                       " is_return, input_date, last_update) VALUES ('B00009', 'M1',"
                       " CURDATE(), '2026-12-24', 1, 0, NOW(), NOW())")  # fires its trigger
    result = run_sync(slims, tmp_path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["added"], report["deleted"]) == (15, 0)
    with Catalogue(tmp_path / "node.sqlite3") as catalogue:
        linux = catalogue.get("2").record
        postgres = catalogue.get("6").record
        assert sum(len(catalogue.get(str(i)).record.copies) for i in range(1, 16)) == 10
    assert (linux.title, linux.edition, linux.isbn, linux.place) == \
        ("Linux In a Nutshell", "Fifth Edition", ["9780596009304"], "Sebastopol, CA")
    assert linux.creators[0] == "Siever, Ellen" and len(linux.creators) == 5
    assert [(c.barcode, c.status, c.location, c.collection) for c in linux.copies] == \
        [("B00009", "dipinjam", "My Library", "Reference"),
         ("B00010", "tersedia", "My Library", "Reference")]
    assert linux.copies[0].due_date == "2026-12-24"
    assert (postgres.title, postgres.subtitle[:15]) == ("PostgreSQL", "a comprehensive")
    assert postgres.series == "Developer\u2019s library"  # double-encoded in the dump


def test_utf8mb4_and_latin1_mojibake_rows(mariadb: MariaDB, tmp_path: Path):
    slims = mariadb.create_database("slims_mb4", charset="utf8mb4")
    with slims.connect() as connection, connection.cursor() as cursor:
        add_lookups(cursor)
        add_title(cursor, 1, "Dongeng anak \U0001f4da : cerita rakyat Nusantara")
        cursor.execute("ALTER TABLE mst_author CONVERT TO CHARACTER SET latin1")
        cursor.execute("INSERT INTO biblio_author VALUES (1, 9, 1)")
    old_app = pymysql.connect(unix_socket=str(mariadb.socket), user="root", database=slims.name,
                              charset="latin1", autocommit=True)
    with old_app, old_app.cursor() as cursor:  # an old PHP app: UTF-8 bytes on a latin1 link
        cursor.execute("INSERT INTO mst_author VALUES (9, %s, 'p')",
                       ("Pram\u00f6dya \u2018Pram\u2019".encode().decode("cp1252"),))
    with slims.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT author_name FROM mst_author WHERE author_id = 9")
        assert cursor.fetchone()[0] != "Pram\u00f6dya \u2018Pram\u2019"  # mojibake as stored
    assert run_sync(slims, tmp_path).exit_code == 0
    with Catalogue(tmp_path / "node.sqlite3") as catalogue:
        record = catalogue.get("1").record
    assert (record.title, record.subtitle) == ("Dongeng anak \U0001f4da", "cerita rakyat Nusantara")
    assert record.creators == ["Pram\u00f6dya \u2018Pram\u2019"]


@pytest.mark.parametrize(("change", "named"), [
    ("ALTER TABLE item CHANGE item_status_id status_id char(3)", "column item.item_status_id"),
    ("DROP TABLE loan", "table loan"),
    ("ALTER TABLE biblio CHANGE opac_hide hidden smallint(1)", "column biblio.opac_hide"),
])
def test_a_missing_table_or_column_is_named_and_nothing_is_lost(
        slims: SlimsDatabase, tmp_path: Path, change: str, named: str):
    with slims.connect() as connection, connection.cursor() as cursor:
        add_lookups(cursor)
        for biblio_id in (1, 2, 3):
            add_title(cursor, biblio_id, f"Judul {biblio_id}")
            add_item(cursor, biblio_id, biblio_id, f"K{biblio_id}")
    assert run_sync(slims, tmp_path).exit_code == 0
    slims.execute(change)
    slims.execute("DELETE FROM biblio WHERE biblio_id = 2")
    result = run_sync(slims, tmp_path)
    assert result.exit_code == 1
    assert named in result.output and "tidak ada" in result.output
    with Catalogue(tmp_path / "node.sqlite3") as catalogue:
        assert catalogue.count() == 3 and catalogue.count(include_deleted=True) == 3


def test_the_account_reads_only_and_its_password_never_comes_from_the_command_line(
        slims: SlimsDatabase, tmp_path: Path):
    reader = pymysql.connect(host="127.0.0.1", port=slims.server.port, user=READER,
                             password=READER_PASSWORD, database=slims.name)
    with reader, reader.cursor() as cursor, pytest.raises(pymysql.err.OperationalError):
        cursor.execute("INSERT INTO mst_gmd VALUES (99, 'Tulisan')")
    result = run_sync(slims, tmp_path, env={"JALA_SLIMS_PASSWORD": ""})
    assert result.exit_code == 1 and "JALA_SLIMS_PASSWORD" in result.output
    wrong = run_sync(slims, tmp_path, env={"JALA_SLIMS_PASSWORD": "salah"})
    assert wrong.exit_code == 1 and "tidak dapat dihubungi" in wrong.output
    secret = tmp_path / "sandi"
    secret.write_text(READER_PASSWORD + "\n", encoding="utf-8")
    assert run_sync(slims, tmp_path, env={}, password_file=str(secret)).exit_code == 0
    leaked = settings_for(slims, tmp_path, password=READER_PASSWORD)
    with pytest.raises(SlimsConfigError, match="password_file"):
        load_slims_config(leaked)
    with pytest.raises(SlimsConfigError, match="Mars/Olympus"):
        load_slims_config(settings_for(slims, tmp_path, timezone="Mars/Olympus"))


def test_items_without_titles_visible_are_not_published(slims: SlimsDatabase, tmp_path: Path):
    with slims.connect() as connection, connection.cursor() as cursor:
        add_lookups(cursor)
        add_title(cursor, 1, "Terlihat")
        add_title(cursor, 2, "Disembunyikan", opac_hide=1)
        add_item(cursor, 1, 2, "H1")
    assert run_sync(slims, tmp_path).exit_code == 0
    with Catalogue(tmp_path / "node.sqlite3") as catalogue:
        assert catalogue.count(include_deleted=True) == 1 and catalogue.get("2") is None
