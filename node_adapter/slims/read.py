"""The queries a sync runs against SLiMS: what changed, what is visible, and whole titles.

A title is visible while its ``biblio`` row exists with ``opac_hide`` 0 or NULL. Its
*copy signature* (item ids in order, ``*`` after each one on loan) lets the id sweep find
what no ``last_update`` tells: deleted or hidden titles, items deleted or moved, loans
removed. Times are SLiMS's local wall-clock ``datetime`` values, compared as SLiMS wrote
them; ``mapping`` turns them into UTC. Text passes through ``text.mended``. Item codes
match loans case-blind, as SLiMS's ``_ci`` collation joins them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import pymysql.cursors

from node_adapter.slims.text import mended

ACTIVE_LOAN = "l.is_lent = 1 AND l.is_return = 0"


@dataclass
class Item:
    """One SLiMS item (copy) with its lookups resolved and its open loan, if any."""

    item_id: int
    code: str
    call_number: str
    location: str
    collection: str
    status_id: str
    status_name: str
    no_loan: bool
    due_date: date | None = None


@dataclass
class Title:
    """One ``biblio`` row with everything hung on it, as SLiMS holds it."""

    biblio_id: int
    title: str
    responsibility: str
    edition: str
    isbn_issn: str
    publisher: str
    year: str
    collation: str
    series: str
    call_number: str
    language: str
    place: str
    classification: str
    notes: str
    gmd: str
    changed: datetime | None
    authors: list[tuple[str, int]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    files: list[tuple[int, str, str]] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


def latest_change(cursor: pymysql.cursors.Cursor) -> datetime | None:
    """The latest ``last_update`` (else ``input_date``) of titles, items and loans."""
    latest = None
    for table in ("biblio", "item", "loan"):
        cursor.execute(f"SELECT MAX(COALESCE(last_update, input_date)) FROM {table}")
        value = cursor.fetchone()[0]
        if isinstance(value, datetime) and (latest is None or value > latest):
            latest = value
    return latest


def visible_titles(cursor: pymysql.cursors.Cursor) -> Iterator[tuple[int, str]]:
    """Every visible title's id with its copy signature, streamed (unbuffered) in id order."""
    cursor.execute("SET SESSION group_concat_max_len = 1048576")
    with cursor.connection.cursor(pymysql.cursors.SSCursor) as stream:
        stream.execute(
            "SELECT b.biblio_id, COALESCE(GROUP_CONCAT(CONCAT(i.item_id, IF(l.item_code IS"
            " NULL, '', '*')) ORDER BY i.item_id SEPARATOR ','), '') FROM biblio b"
            " LEFT JOIN item i ON i.biblio_id = b.biblio_id"
            f" LEFT JOIN (SELECT DISTINCT l.item_code FROM loan l WHERE {ACTIVE_LOAN}) l"
            " ON l.item_code = i.item_code"
            " WHERE COALESCE(b.opac_hide, 0) = 0 GROUP BY b.biblio_id ORDER BY b.biblio_id")
        while rows := stream.fetchmany(1000):
            yield from rows


def changed_since(cursor: pymysql.cursors.Cursor, since: datetime) -> set[int]:
    """Ids of titles whose row, items or loans changed at or after ``since``."""
    cursor.execute(
        "SELECT biblio_id FROM biblio WHERE COALESCE(last_update, input_date) >= %s"
        " UNION SELECT biblio_id FROM item WHERE COALESCE(last_update, input_date) >= %s"
        " UNION SELECT i.biblio_id FROM loan l JOIN item i ON i.item_code = l.item_code"
        " WHERE COALESCE(l.last_update, l.input_date) >= %s", (since, since, since))
    return {biblio_id for (biblio_id,) in cursor.fetchall() if biblio_id is not None}


def titles(cursor: pymysql.cursors.Cursor, ids: list[int]) -> list[Title]:
    """The visible titles among ``ids``, complete, in id order."""
    if not ids:
        return []
    marks = ",".join(["%s"] * len(ids))
    cursor.execute(
        "SELECT b.biblio_id, b.title, b.sor, b.edition, b.isbn_issn, p.publisher_name,"
        " b.publish_year, b.collation, b.series_title, b.call_number, b.language_id,"
        " pl.place_name, b.classification, b.notes, g.gmd_name,"
        " COALESCE(b.last_update, b.input_date) FROM biblio b"
        " LEFT JOIN mst_publisher p ON p.publisher_id = b.publisher_id"
        " LEFT JOIN mst_place pl ON pl.place_id = b.publish_place_id"
        " LEFT JOIN mst_gmd g ON g.gmd_id = b.gmd_id"
        f" WHERE b.biblio_id IN ({marks}) AND COALESCE(b.opac_hide, 0) = 0"
        " ORDER BY b.biblio_id", ids)
    found = {row[0]: Title(row[0], *(mended(value) for value in row[1:15]), changed=row[15])
             for row in cursor.fetchall()}
    cursor.execute("SELECT ba.biblio_id, a.author_name, ba.level FROM biblio_author ba"
                   " JOIN mst_author a ON a.author_id = ba.author_id"
                   f" WHERE ba.biblio_id IN ({marks}) ORDER BY ba.biblio_id, ba.level,"
                   " a.author_id", ids)
    for biblio_id, name, level in cursor.fetchall():
        if biblio_id in found:
            found[biblio_id].authors.append((mended(name), level))
    cursor.execute("SELECT bt.biblio_id, t.topic FROM biblio_topic bt"
                   " JOIN mst_topic t ON t.topic_id = bt.topic_id"
                   f" WHERE bt.biblio_id IN ({marks}) ORDER BY bt.biblio_id, bt.level,"
                   " t.topic_id", ids)
    for biblio_id, topic in cursor.fetchall():
        if biblio_id in found:
            found[biblio_id].topics.append(mended(topic))
    cursor.execute("SELECT ba.biblio_id, f.file_id, f.file_title, f.file_url"
                   " FROM biblio_attachment ba JOIN files f ON f.file_id = ba.file_id"
                   f" WHERE ba.biblio_id IN ({marks}) AND ba.access_type = 'public'"
                   " ORDER BY ba.biblio_id, f.file_id", ids)
    for biblio_id, file_id, file_title, url in cursor.fetchall():
        if biblio_id in found:
            found[biblio_id].files.append((file_id, mended(file_title), mended(url)))
    _add_items(cursor, found, ids, marks)
    return [found[biblio_id] for biblio_id in sorted(found)]


def _add_items(cursor: pymysql.cursors.Cursor, found: dict[int, Title], ids: list[int],
               marks: str) -> None:
    """Hang each title's items on it, with open loans, and move its change time past theirs."""
    cursor.execute(
        "SELECT i.biblio_id, i.item_id, i.item_code, i.call_number, loc.location_name,"
        " ct.coll_type_name, i.item_status_id, st.item_status_name, COALESCE(st.no_loan, 0),"
        " COALESCE(i.last_update, i.input_date) FROM item i"
        " LEFT JOIN mst_location loc ON loc.location_id = i.location_id"
        " LEFT JOIN mst_coll_type ct ON ct.coll_type_id = i.coll_type_id"
        " LEFT JOIN mst_item_status st ON st.item_status_id = i.item_status_id"
        f" WHERE i.biblio_id IN ({marks}) ORDER BY i.biblio_id, i.item_id", ids)
    by_code: dict[str, Item] = {}
    for row in cursor.fetchall():
        title = found.get(row[0])
        if title is None:
            continue
        item = Item(row[1], mended(row[2]), mended(row[3]), mended(row[4]), mended(row[5]),
                    mended(row[6]), mended(row[7]), bool(row[8]))
        title.items.append(item)
        if row[2]:
            by_code[row[2].casefold()] = item
        title.changed = _later(title.changed, row[9])
    cursor.execute(
        "SELECT i.biblio_id, l.item_code, IF(" + ACTIVE_LOAN + ", l.due_date, NULL),"
        " COALESCE(l.last_update, l.input_date) FROM loan l"
        f" JOIN item i ON i.item_code = l.item_code WHERE i.biblio_id IN ({marks})", ids)
    for biblio_id, code, due, changed in cursor.fetchall():
        item = by_code.get((code or "").casefold())
        if item is not None and due is not None and (item.due_date is None or due > item.due_date):
            item.due_date = due
        if biblio_id in found:
            found[biblio_id].changed = _later(found[biblio_id].changed, changed)


def _later(current: datetime | None, other: object) -> datetime | None:
    """The later of two SLiMS times, either of which may be missing."""
    if not isinstance(other, datetime):
        return current
    return other if current is None or other > current else current
