"""The usage page: work-page views and WhatsApp clicks per library and district, and the
patron site's searches per day with the share that found nothing, over the last 30 days;
each table also as CSV and XLSX (``staff`` and ``admin``)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, current_app, render_template
from flask_babel import gettext as _

from config.province import load_province
from search_ui.admin import bp
from search_ui.admin.census_views import cell_text, current_census, table_file
from search_ui.admin.charts import Bar, bar_chart
from search_ui.admin.tables import Column, Table, Value
from search_ui.auth import login_required
from search_ui.usage import EVENTS

USAGE_DAYS = 30


def _event_columns() -> list[Column]:
    """The three counted events as columns."""
    return [Column(_("Work-page views")), Column(_("WhatsApp: ask or reserve")),
            Column(_("WhatsApp: extend a loan"))]


def usage_tables() -> dict[str, Table]:
    """Usage per library, per district and searches per day, as the page shows them."""
    totals = current_app.extensions["jala_usage"].totals(USAGE_DAYS)
    census = current_census()
    libraries: list[list[Value]] = []
    by_district: dict[str, list[int]] = {d.code: [0, 0, 0] for d in census.districts}
    for row in census.libraries:
        counts = [totals[(row.source.id, event)] for event in EVENTS]
        libraries.append([row.source.name, row.source.id,
                          row.district.name if row.district else "", *counts])
        if row.district:
            by_district[row.district.code] = [a + b for a, b in
                                              zip(by_district[row.district.code], counts,
                                                  strict=True)]
    districts: list[list[Value]] = [[d.name, d.code, *by_district[d.code]]
                                    for d in census.districts]
    return {
        "perpustakaan": Table("pemakaian-perpustakaan", _("Use per library"),
                              [Column(_("Library"), "text"), Column(_("Source"), "text"),
                               Column(_("District"), "text"), *_event_columns()], libraries),
        "kabupaten": Table("pemakaian-kabupaten", _("Use per district"),
                           [Column(_("District"), "text"), Column(_("Code"), "text"),
                            *_event_columns()], districts),
        "harian": _searches_per_day(),
    }


def _searches_per_day() -> Table:
    """The site's searches per day in the province's zone, and the share that found nothing."""
    query_log = current_app.extensions["search_service"].query_log
    zone = load_province(current_app.extensions["jala_settings"]).timezone
    offset = zone.utcoffset(datetime.now(UTC).replace(tzinfo=None)) if query_log else None
    days = query_log.per_day(USAGE_DAYS, int(offset.total_seconds())) \
        if query_log and offset is not None else []
    rows: list[list[Value]] = [[day, searches, zero, zero / searches if searches else None]
                               for day, searches, zero in days]
    return Table("pencarian-harian", _("Searches per day"),
                 [Column(_("Day"), "text"), Column(_("Searches")),
                  Column(_("Found nothing")), Column(_("Share that found nothing"), "share")],
                 rows)


@bp.get("/pemakaian")
@login_required("staff")
def usage_page() -> str:
    """How patrons use the network: views, WhatsApp clicks, searches."""
    tables = usage_tables()
    daily = tables["harian"]
    chart = bar_chart(
        "searches-chart", _("Searches per day"),
        _("One bar per day with searches on the patron site; the text says how many "
          "found nothing."),
        [Bar(str(day), float(searches), _("%(n)s, %(share)s found nothing", n=searches,
                                          share=cell_text(share, "share")))
         for day, searches, _zero, share in daily.rows])
    return render_template("admin/usage.html", tables=tables, chart=chart, days=USAGE_DAYS)


@bp.get("/pemakaian/<key>.<any(csv,xlsx):kind>")
@login_required("staff")
def export_usage(key: str, kind: str) -> Response:
    """One usage table as a file."""
    tables = usage_tables()
    if key not in tables:
        abort(404)
    return table_file(tables[key], kind)
