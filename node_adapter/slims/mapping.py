"""A SLiMS title as the node's ``BibRecord``: fields, copies with their status, UTC times.

- The local id is ``biblio_id``; ``title`` splits at its first " : " (ISBD) into title and
  subtitle, so ``title : subtitle`` gives SLiMS's title back.
- Authors of levels 1, 2 and 9 (primary, additional, creator) are creators; editors,
  translators and the other roles are contributors. Notes become the description.
- ``isbn_issn`` holds either: a valid ISSN goes to ``issn``, ISBNs to ``isbn``, a failing
  checksum is kept aside (MARC 020 $z / 022 $y) as the importer does.
- Public attachments become "Baca online" links: ``file_url`` when it is a web address,
  else SLiMS's own file stream on ``opac_url`` (none without it).
- Each item is a copy. Its status: an open loan is ``dipinjam`` with its due date; else
  SLiMS's ``item_status_id``: ``MIS`` ``hilang``, ``R`` ``diperbaiki``, ``NL`` (or any
  status marked no-loan) ``tidak-dipinjamkan``; '0', empty or unknown ``tersedia``.
- SLiMS writes local times without a zone: ``utc`` reads them in the configured zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from biblio.isbn import is_issn
from node_adapter.intake import vocab
from node_adapter.intake.messages import Message
from node_adapter.intake.rows import parse_isbns, parse_issns, parse_year
from node_adapter.records import BibRecord, Copy
from node_adapter.slims.read import Item, Title

CREATOR_LEVELS = frozenset({1, 2, 9})
_GMD_TYPES = {
    "text": "buku", "teks": "buku", "map": "peta", "globe": "peta",
    "cartographic material": "peta", "electronic resource": "e-book",
    "computer file": "e-book", "computer software": "e-book", "sumber elektronik": "e-book",
    **{name: "audio-visual" for name in (
        "sound recording", "video recording", "motion picture", "music", "cd-rom",
        "digital versatile disc", "dvd", "multimedia", "filmstrip", "slide", "transparency",
        "kit", "rekaman suara", "rekaman video")},
}
_STATUS_BY_CODE = {"MIS": "hilang", "R": "diperbaiki", "NL": "tidak-dipinjamkan"}


def utc(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A SLiMS wall-clock time read in its zone, as UTC."""
    return None if moment is None else moment.replace(tzinfo=zone).astimezone(UTC)


def to_record(title: Title, opac_url: str, warnings: list[Message]) -> BibRecord:
    """The record the node publishes for a SLiMS title (cautions about values in ``warnings``)."""
    main, _, subtitle = title.title.partition(" : ")
    isbn, issn, invalid_isbn, invalid_issn = _identifiers(title.isbn_issn, warnings)
    links = [_link(title.biblio_id, file_id, url, opac_url) for file_id, _, url in title.files]
    links = [link for link in links if link]
    return BibRecord(
        local_id=str(title.biblio_id), title=main.strip() or title.title,
        subtitle=subtitle.strip(), responsibility=title.responsibility, edition=title.edition,
        creators=[name for name, level in title.authors if level in CREATOR_LEVELS],
        contributors=[name for name, level in title.authors if level not in CREATOR_LEVELS],
        publisher=title.publisher, place=title.place, year=parse_year(title.year, warnings),
        isbn=isbn, issn=issn, invalid_isbn=invalid_isbn, invalid_issn=invalid_issn,
        language=vocab.language(title.language) or "und", subjects=title.topics,
        classification=title.classification, call_number=title.call_number,
        material_type=material_type(title.gmd), description=title.notes,
        collation=title.collation, series=title.series,
        digital_url=links[0] if links else "", more_digital_urls=links[1:],
        copies=[_copy(title, item) for item in title.items])


def _identifiers(text: str, warnings: list[Message]
                 ) -> tuple[list[str], list[str], list[str], list[str]]:
    """``isbn_issn`` as (ISBNs, ISSNs, bad ISBNs, bad ISSNs): one field holds either kind."""
    if is_issn(text):
        found = parse_issns(text, warnings)
        return [], found.valid, [], found.invalid
    found = parse_isbns(text, warnings)
    return found.valid, found.issn, found.invalid, []


def material_type(gmd: str) -> str:
    """Our material type for a SLiMS GMD name (Text is buku; unknown is lainnya)."""
    if not gmd:
        return "buku"
    return _GMD_TYPES.get(gmd.lower()) or vocab.material_type(gmd) or "lainnya"


def copy_status(item: Item) -> str:
    """What a patron may expect of this copy now."""
    if item.due_date is not None:
        return "dipinjam"
    code = item.status_id.upper()
    if code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[code]
    if code in ("", "0"):
        return "tersedia"
    return "tidak-dipinjamkan" if item.no_loan else vocab.copy_status(item.status_name) \
        or "tersedia"


def _copy(title: Title, item: Item) -> Copy:
    """One item as a copy; an item without a code is named by its title and item ids."""
    return Copy(barcode=item.code or f"{title.biblio_id}-{item.item_id}",
                location=item.location, call_number=item.call_number,
                status=copy_status(item), collection=item.collection,
                due_date=item.due_date.isoformat() if item.due_date else "")


def _link(biblio_id: int, file_id: int, url: str, opac_url: str) -> str:
    """Where a patron reads an attachment: its web address, else SLiMS's file stream."""
    if url.startswith(("http://", "https://")):
        return url
    if opac_url:
        return f"{opac_url}/index.php?p=fstream&fid={file_id}&bid={biblio_id}"
    return ""
