"""The census pages: indicators per district with charts, the libraries with their map and
data quality, a library's census row, and every table as CSV or XLSX (login required).

``staff`` and ``admin`` may read and enter census rows; each save records who and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent, lazy_gettext
from flask_babel import gettext as _
from markupsafe import Markup

from config.network import Source, load_sources
from config.profiles import NATIONAL_TYPES, ProfileError, ProfileStore, parse_profile
from config.province import load_province
from search_ui.admin import bp
from search_ui.admin.charts import Bar, Point, bar_chart, line_chart, point_map
from search_ui.admin.collection import CollectionCounter
from search_ui.admin.config import load_census
from search_ui.admin.exports import to_csv, to_xlsx
from search_ui.admin.growth import GrowthCounter, district_growth, last_months
from search_ui.admin.indicators import Census, build_census, district_of, library_rows
from search_ui.admin.labels import LACK_NAMES, PROBLEM_TEXTS, national_type_name
from search_ui.admin.status import network_status
from search_ui.admin.tables import (
    TABLES,
    Column,
    Table,
    Value,
    completeness_table,
    districts_table,
)
from search_ui.auth import current_user, login_required

RATIO = "#,##0.00####"
"""Ratios keep up to six decimals: copies per inhabitant are often far below one."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK_NOTES = (
    (lazy_gettext("Population"), lazy_gettext(
        "Inhabitants of the district, from [census] population (year and source below).")),
    (lazy_gettext("Libraries"), lazy_gettext(
        "Libraries in the network's registry whose district is this one.")),
    (lazy_gettext("Titles"), lazy_gettext(
        "Distinct works held by at least one library of the district.")),
    (lazy_gettext("Copies"), lazy_gettext("Sum of the copies the libraries' records state.")),
    (lazy_gettext("Copies per inhabitant"), lazy_gettext("Copies divided by population.")),
    (lazy_gettext("Service spread"), lazy_gettext(
        "Libraries × norm_people_per_library ÷ population (1 meets the norm).")),
    (lazy_gettext("Collection adequacy"), lazy_gettext(
        "Copies ÷ (population × norm_copies_per_person).")),
    (lazy_gettext("Staff adequacy"), lazy_gettext(
        "Staff × norm_people_per_staff ÷ population (libraries that reported).")),
    (lazy_gettext("Visits"), lazy_gettext(
        "Visits per month × 12 ÷ 365 ÷ (population × norm_daily_visits_per_person).")),
    (lazy_gettext("Members"), lazy_gettext("Members ÷ (population × norm_members_share).")),
    (lazy_gettext("Staff, librarians, members, visits per month"), lazy_gettext(
        "Entered by the agency per library; empty means not reported.")),
)


def _settings() -> Any:
    """The app's settings."""
    return current_app.extensions["jala_settings"]


def current_census() -> Census:
    """The census as the stores hold it now."""
    settings = _settings()
    province = load_province(settings)
    census = load_census(settings, province)
    sources = load_sources(settings)
    profiles = ProfileStore.at(settings).all()
    statuses, _runs = network_status(settings, sources, run_limit=0)
    counter = current_app.extensions.get("jala_collection")
    if counter is None:
        service = current_app.extensions["search_service"]
        counter = CollectionCounter(settings, tuple(service.ebook_material_types))
        current_app.extensions["jala_collection"] = counter
    placed = {s.id: d.code for s in sources
              if (d := district_of(s, profiles.get(s.id), province)) is not None}
    collection = counter.count(placed)
    rows = library_rows(sources, profiles, collection,
                        {s.source.id: s.last_success for s in statuses}, province, census)
    return build_census(rows, collection, province, census)


def cell_text(value: Value, kind: str) -> str:
    """A table value as the reader reads it ("–" for not reported)."""
    if value is None or value == "":
        return "–"
    if kind == "count" and isinstance(value, int):
        return format_decimal(value)
    if kind == "ratio" and isinstance(value, float):
        return format_decimal(value, RATIO)
    if kind == "share" and isinstance(value, float):
        return format_percent(value, "#,##0%")
    return str(value)


bp.add_app_template_global(cell_text)


@bp.record_once
def _check_census_settings(state: Any) -> None:
    """Refuse a wrong ``[census]`` when the app starts, not on an officer's first visit."""
    settings = state.app.extensions["jala_settings"]
    load_census(settings, load_province(settings))


@bp.route("/indikator")
@login_required("staff")
def indicators() -> str:
    """Where the province stands, district by district, against the IPLM norms."""
    census = current_census()
    table = districts_table(census)
    bars = [Bar(area.name, area.copies_per_person,
                cell_text(area.copies_per_person, "ratio")) for area in census.districts]
    chart = bar_chart(
        "copies-chart", _("Copies per inhabitant by district"),
        _("Bars per district; the line is the norm of %(norm)s copies per inhabitant. "
          "Districts without a population figure have no bar.",
          norm=cell_text(census.settings.norms.copies_per_person, "ratio")),
        bars, census.settings.norms.copies_per_person, _("norm"))
    growth, growth_chart = _growth(census)
    return render_template("admin/indicators.html", census=census, table=table, chart=chart,
                           completeness=completeness_table(census), growth=growth,
                           growth_chart=growth_chart)


def _growth(census: Census) -> tuple[Table, Markup]:
    """Records over time per district, as a table and a line chart of the districts with
    records."""
    counter = current_app.extensions.setdefault("jala_growth", GrowthCounter(_settings()))
    province = load_province(_settings())
    months = last_months(datetime.now(province.timezone).date())
    placed = {r.source.id: r.district.code for r in census.libraries if r.district}
    found = district_growth(counter.counts(), placed, province.districts, months)
    table = Table("pertumbuhan", _("Records over time per district"),
                  [Column(_("District"), "text"), *(Column(m) for m in months)],
                  [[district.name, *totals] for district, totals in found.districts])
    chart = line_chart("growth-chart", _("Records over time per district"),
                       _("Live records of each district's libraries at the end of each month, "
                         "by the month their library last catalogued or changed them; "
                         "districts without records are left out."),
                       [(d.name, totals) for d, totals in found.districts if totals[-1]],
                       months[0], months[-1])
    return table, chart


@bp.route("/perpustakaan")
@login_required("staff")
def libraries() -> str:
    """Every library's census row, its place on the map and the quality of its records."""
    census = current_census()
    points = [Point(row.source.name, *row.coordinates, stale=row.stale)
              for row in census.libraries if row.coordinates]
    chart = point_map("map", _("Libraries on the map"),
                      _("%(n)s of %(total)s libraries have coordinates; hollow marks are "
                        "sources not harvested within the freshness target.",
                        n=len(points), total=len(census.libraries)), points)
    return render_template("admin/libraries.html", census=census, map=chart,
                           table=TABLES["perpustakaan"](census),
                           quality=TABLES["mutu"](census), lack_names=LACK_NAMES)


@bp.route("/perpustakaan/<source_id>/sensus", methods=["GET", "POST"])
@login_required("staff")
def profile(source_id: str) -> Any:
    """Enter or correct one library's census row."""
    source = next((s for s in load_sources(_settings()) if s.id == source_id), None)
    if source is None:
        abort(404)
    return edit_profile(source, "admin/profile.html", url_for("admin.libraries"))


def edit_profile(source: Source, template: str, saved_url: str) -> Any:
    """Show or save one library's census row: the agency's page and the library's own."""
    settings = _settings()
    province = load_province(settings)
    store = ProfileStore.at(settings)
    current = store.all().get(source.id)
    form: dict[str, str] = dict(request.form) if request.method == "POST" else {}
    error: ProfileError | None = None
    if request.method == "POST":
        user = current_user()
        assert user is not None
        try:
            store.save(parse_profile(source.id, form, province, user.name))
        except ProfileError as exc:
            error = exc
        else:
            flash(_("The census row of %(name)s is saved.", name=source.name))
            return redirect(saved_url)
    row = next(r for r in current_census().libraries if r.source.id == source.id)
    return render_template(template, source=source, row=row, form=form,
                           current=current, error=error, province=province,
                           problem_texts=PROBLEM_TEXTS,
                           types=[(t, national_type_name(t)) for t in NATIONAL_TYPES]), \
        400 if error else 200


def download(body: bytes, name: str, mimetype: str) -> Response:
    """A file the browser saves rather than shows."""
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def table_file(table: Table, kind: str) -> Response:
    """One table as a CSV or XLSX download named after its key."""
    if kind == "csv":
        return download(to_csv(table), f"{table.key}.csv", "text/csv; charset=utf-8")
    return download(to_xlsx([table]), f"{table.key}.xlsx", XLSX)


@bp.route("/ekspor/<key>.<any(csv,xlsx):kind>")
@login_required("staff")
def export(key: str, kind: str) -> Response:
    """One census table as a file."""
    if key not in TABLES:
        abort(404)
    return table_file(TABLES[key](current_census()), kind)


def _only(table: Table, column: int, wanted: set[Value]) -> Table:
    """The table's rows whose ``column`` holds one of ``wanted``."""
    return Table(table.key, table.title, table.columns,
                 [row for row in table.rows if row[column] in wanted])


@bp.route("/iplm/<code>.xlsx")
@login_required("staff")
def iplm_workbook(code: str) -> Response:
    """A district's IPLM workbook: its figures, its libraries and what each column means."""
    census = current_census()
    area = next((a for a in census.districts if a.code == code), None)
    if area is None:
        abort(404)
    summary = _only(districts_table(census), 1, {code})
    source_ids = {r.source.id for r in census.libraries if r.district and r.district.code == code}
    libraries = _only(TABLES["perpustakaan"](census), 1, source_ids)
    quality = _only(TABLES["mutu"](census), 1, source_ids)
    settings = census.settings
    notes = [*((str(name), str(text)) for name, text in WORKBOOK_NOTES),
             (_("Population source"), f"{settings.population_source} "
                                      f"({settings.population_year or '–'})")]
    body = to_xlsx([summary, libraries, quality], notes, _("Columns"))
    return download(body, f"iplm-{code}.xlsx", XLSX)
