"""The census tables, built once and used by both the pages and the CSV/XLSX exports, so
what an officer downloads is what the page shows.

A table is columns (a heading and a kind: ``text``, ``count``, ``ratio``, ``share``) and
rows of raw values (``None``: not reported); pages format them for the reader, exports
keep the raw numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from search_ui.admin.indicators import COMPLETENESS_FIELDS, AreaFigures, Census
from search_ui.admin.labels import (
    ELEMENT_NAMES,
    FIELD_NAMES,
    LACK_NAMES,
    STATE_NAMES,
    national_type_name,
)
from search_ui.admin.outreach import Outreach

Value = str | int | float | None
ELEMENTS = ("service_spread", "collection", "staff", "visits", "members")


@dataclass(frozen=True)
class Column:
    """A table column: what its heading says and how its values read."""

    heading: str
    kind: str = "count"


@dataclass(frozen=True)
class Table:
    """One exportable table; ``key`` is its name in export URLs and file names."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Value]]


def _areas(census: Census) -> list[AreaFigures]:
    """The districts, the libraries without one (if any), then the province."""
    unplaced = [census.unplaced] if census.unplaced.libraries else []
    return [*census.districts, *unplaced, census.province]


def _area_name(area: AreaFigures) -> str:
    """A district's name, or what the row without a district stands for."""
    return area.name or _("No district recorded")


def districts_table(census: Census) -> Table:
    """Libraries, collection and the IPLM elements per district and for the province."""
    columns = [Column(_("District"), "text"), Column(_("Code"), "text"),
               Column(_("Population")), Column(_("Libraries")), Column(_("Titles")),
               Column(_("Copies")), Column(_("E-books")),
               Column(_("Copies per inhabitant"), "ratio")]
    columns += [Column(str(ELEMENT_NAMES[e]), "share") for e in ELEMENTS]
    rows: list[list[Value]] = []
    for area in _areas(census):
        elements = area.elements(census.settings)
        rows.append([_area_name(area), area.code, area.population, area.libraries,
                     area.titles, area.copies, area.ebooks, area.copies_per_person,
                     *(elements[e] for e in ELEMENTS)])
    return Table("kabupaten", _("Districts and the IPLM elements"), columns, rows)


def completeness_table(census: Census) -> Table:
    """The share of libraries with each census field, per district."""
    columns = [Column(_("District"), "text"), Column(_("Libraries"))]
    columns += [Column(str(FIELD_NAMES[f]), "share") for f in COMPLETENESS_FIELDS]
    rows: list[list[Value]] = [
        [_area_name(area), area.libraries, *(area.completeness(f) for f in COMPLETENESS_FIELDS)]
        for area in _areas(census)]
    return Table("kelengkapan", _("Data completeness"), columns, rows)


def libraries_table(census: Census) -> Table:
    """Every library's census row (what Perpusnas's data collection asks)."""
    columns = [Column(_("Library"), "text"), Column(_("Source"), "text"),
               Column(_("Type"), "text"), Column("NPP", "text"), Column(_("District"), "text"),
               Column(_("Latitude"), "ratio"), Column(_("Longitude"), "ratio"),
               Column(_("Titles")), Column(_("Copies")), Column(_("Staff")),
               Column(_("Librarians")), Column(_("Members")), Column(_("Visits per month"))]
    rows: list[list[Value]] = []
    for row in census.libraries:
        profile = row.profile
        place = row.coordinates
        rows.append([row.source.name, row.source.id, national_type_name(row.national_type),
                     profile.npp if profile else "", row.district.name if row.district else "",
                     place[0] if place else None, place[1] if place else None,
                     row.collection.titles, row.collection.copies,
                     *((getattr(profile, n) if profile else None)
                       for n in ("staff", "librarians", "members", "visits_per_month"))])
    return Table("perpustakaan", _("Libraries in the census"), columns, rows)


def quality_table(census: Census) -> Table:
    """Per library: records, records not indexed, shares lacking each field, duplicates."""
    columns = [Column(_("Library"), "text"), Column(_("Source"), "text"),
               Column(_("Records")), Column(_("Not indexed"))]
    columns += [Column(str(LACK_NAMES[lack]), "share") for lack in LACK_NAMES]
    columns += [Column(_("Repeated records")), Column(_("Stale"), "text")]
    rows: list[list[Value]] = []
    for row in census.libraries:
        held = row.collection
        rows.append([row.source.name, row.source.id, held.records, sum(held.unmapped.values()),
                     *(held.share_lacking(lack) for lack in LACK_NAMES), held.duplicates,
                     _("yes") if row.stale else _("no")])
    return Table("mutu", _("Data quality per library"), columns, rows)


def outreach_table(found: Outreach) -> Table:
    """Every known library, as typed in the agency's list, with what became of it."""
    columns = [Column(_("Library"), "text"), Column(_("Line"), "count"),
               Column(_("State"), "text"), Column(_("Source"), "text"), Column("NPP", "text"),
               Column(_("District"), "text"), Column(_("Type"), "text"),
               Column(_("Contact"), "text"), Column("WhatsApp", "text"),
               Column(_("Email"), "text"), Column(_("Address"), "text")]
    rows: list[list[Value]] = [
        [row.known.name, row.known.line, str(STATE_NAMES[row.state]), row.source_id,
         row.known.npp_text, row.known.district_text, row.known.type_text, row.known.contact,
         row.known.whatsapp_text, row.known.email, row.known.address] for row in found.rows]
    return Table("jangkauan", _("Known libraries and the network"), columns, rows)


TABLES = {"kabupaten": districts_table, "kelengkapan": completeness_table,
          "perpustakaan": libraries_table, "mutu": quality_table}
"""Every exportable table by its key."""
