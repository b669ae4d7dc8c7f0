"""Home, results, work and help pages: what a patron sees while looking for a book."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from werkzeug import Response

from aggregator.indonesian import name_without_titles
from aggregator.model import Holding, Work
from aggregator.query import FACETS, SearchQuery, SearchResult
from config.network import Source
from search_ui.patron import absolute_url, bp, search_service, web_config
from search_ui.patron.availability import is_fresh, now, status_as_of, utc_time
from search_ui.patron.citation import apa
from search_ui.patron.jsonld import book_ld
from search_ui.patron.params import Limits, parse_search, query_args
from search_ui.patron.present import facet_label, map_url, whatsapp_links
from search_ui.wire import conditional

WHATSAPP_KINDS = {"tanya": "ask", "perpanjang": "extend"}
"""The WhatsApp buttons' URL words and the usage event each counts."""
PAGE_WINDOW = 2
MORE_BY = 5


@dataclass(frozen=True)
class FacetChoice:
    """One clickable facet value: its label, count, whether it is on, and the link."""

    label: str
    count: int
    selected: bool
    url: str


@dataclass(frozen=True)
class HoldingRow:
    """A holding with what the work page shows beside it from the library registry."""

    holding: Holding
    source: Source | None
    map_url: str
    whatsapp: dict[str, str]
    status_as_of: str


def _limits() -> Limits:
    """Paging limits from ``[web]``."""
    web = web_config()
    return Limits(web["page_size"], web["max_page_size"], web["max_result_window"])


def _library_names() -> dict[str, str]:
    """Library id → name, from the registry."""
    return {s.id: s.name for s in search_service().sources}


def _toggle(query: SearchQuery, facet: str, value: str) -> str:
    """Link that switches one filter value on or off (back to page 1)."""
    filters = {name: list(vals) for name, vals in query.filters.items()}
    chosen = filters.setdefault(facet, [])
    if value in chosen:
        chosen.remove(value)
    else:
        chosen.append(value)
    pairs = [f"{name}:{v}" for name, vals in filters.items() for v in vals]
    return url_for("patron.results", **query_args(query, f=pairs, hal=None))


def _facet_panel(query: SearchQuery, result: SearchResult) -> dict[str, list[FacetChoice]]:
    """Every facet with its values; selected values stay listed even with no count."""
    names = _library_names()
    panel: dict[str, list[FacetChoice]] = {}
    for facet in FACETS:
        selected = query.filters.get(facet, ())
        values = {v.value: v for v in result.facets.get(facet, [])}
        choices = [FacetChoice(facet_label(facet, v.value, v.label, names), v.count,
                               v.value in selected, _toggle(query, facet, v.value))
                   for v in values.values()]
        choices += [FacetChoice(facet_label(facet, value, "", names), 0, True,
                                _toggle(query, facet, value))
                    for value in selected if value not in values]
        if choices:
            panel[facet] = choices
    return panel


def _active_filters(query: SearchQuery) -> list[tuple[str, str, str]]:
    """(facet, label, removal link) for every filter in force."""
    names = _library_names()
    return [(facet, facet_label(facet, value, "", names), _toggle(query, facet, value))
            for facet, values in query.filters.items() for value in values]


@dataclass(frozen=True)
class Pager:
    """Page numbers around the current page, and the first, previous, next and last."""

    numbers: list[tuple[int, str]]
    first: str
    previous: str
    next: str
    last: str
    last_number: int


def _pager(query: SearchQuery, total: int) -> Pager | None:
    """The pager of a results page, or None when everything fits on one page."""
    last = min(math.ceil(total / query.size),
               web_config()["max_result_window"] // query.size) if query.size else 1
    if last <= 1:
        return None

    def link(number: int) -> str:
        return url_for("patron.results", **query_args(query, hal=None if number == 1 else number))

    start, end = max(1, query.page - PAGE_WINDOW), min(last, query.page + PAGE_WINDOW)
    here = query.page
    return Pager(numbers=[(n, link(n)) for n in range(start, end + 1)],
                 first=link(1) if here > 1 else "", previous=link(here - 1) if here > 1 else "",
                 next=link(here + 1) if here < last else "",
                 last=link(last) if here < last else "", last_number=last)


def _scope(query: SearchQuery) -> list[tuple[str, str]]:
    """The libraries a search is kept within (value, name): the search box keeps them."""
    names = _library_names()
    return [(value, names.get(value, value)) for value in query.filters.get("library", ())]


def _more_by(found: Work) -> list[Work]:
    """Other works by the first author, when every word of the name matches."""
    if not found.creators:
        return []
    result = search_service().search(SearchQuery(
        text=name_without_titles(found.creators[0]), size=MORE_BY + 1, facets=(),
        highlight=False), channel=None)
    if result.matching != "all":
        return []
    return [hit.work for hit in result.hits if hit.work.id != found.id][:MORE_BY]


@bp.get("/")
def home() -> str:
    """Search box, what the network holds, and subjects to browse."""
    return render_template("home.html", stats=search_service().stats())


@bp.get("/cari")
def results() -> str:
    """One page of works matching the patron's words and filters."""
    query = parse_search(request.args, _limits())
    result = search_service().search(query)
    sorts = {sort: url_for("patron.results", **query_args(query, urut=sort, hal=None))
             for sort in ("relevance", "newest", "title")}
    return render_template(
        "results.html", query=query, result=result, facets=_facet_panel(query, result),
        active=_active_filters(query), pager=_pager(query, result.total), sorts=sorts,
        scope=_scope(query),
        available_url=url_for("patron.results", **query_args(
            query, ada=None if query.available_only else "1", hal=None)),
        suggestion_url=url_for("patron.results", q=result.suggestion)
        if result.suggestion else "",
        clear_url=url_for("patron.results", **query_args(query, f=None, dari=None,
                                                         sampai=None, hal=None)),
    )


@bp.get("/karya/<work_id>")
def work(work_id: str) -> Response:
    """Everything about one work and where to borrow it."""
    found = search_service().work(work_id)
    if found is None:
        abort(404)
    current_app.extensions["jala_usage"].count("view", (h.library_id for h in found.holdings))
    sources = {s.id: s for s in search_service().sources}
    at, zone = now(), current_app.config["JALA_TIMEZONE"]
    max_age = timedelta(hours=web_config()["availability_max_age_hours"])
    rows = []
    for holding in found.holdings:
        source = sources.get(holding.library_id)
        has_whatsapp = bool(source and whatsapp_links(found, holding, source.whatsapp))
        rows.append(HoldingRow(
            holding, source,
            map_url(source.latitude, source.longitude) if source else "",
            {kind: url_for("patron.whatsapp", work_id=found.id, library_id=holding.library_id,
                           kind=kind) for kind in WHATSAPP_KINDS} if has_whatsapp else {},
            status_as_of(holding, zone, at)))
    library_urls = {lid: absolute_url("patron.library", library_id=lid) for lid in sources}
    url = absolute_url("patron.work", work_id=found.id)
    jsonld = book_ld(found, url, sources, library_urls,
                     fresh=lambda holding: is_fresh(holding, at, max_age))
    page = render_template("work.html", work=found, rows=rows, citation=apa(found),
                           more_by=_more_by(found), canonical=url, jsonld=jsonld)
    return conditional(request, make_response(page), web_config()["cache_max_age"],
                       utc_time(found.updated))


@bp.get("/karya/<work_id>/wa/<library_id>/<any(tanya,perpanjang):kind>")
def whatsapp(work_id: str, library_id: str, kind: str) -> Response:
    """Count a WhatsApp click for the library, then open the prefilled chat."""
    found = search_service().work(work_id)
    holding = next((h for h in found.holdings if h.library_id == library_id), None) \
        if found else None
    source = next((s for s in search_service().sources if s.id == library_id), None)
    links = whatsapp_links(found, holding, source.whatsapp) \
        if found and holding and source else {}
    if not links:
        abort(404)
    event = WHATSAPP_KINDS[kind]
    current_app.extensions["jala_usage"].count(event, [library_id])
    response = redirect(links[event])
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/tentang")
def about() -> str:
    """What Jala Pustaka is and who takes part."""
    return render_template("about.html", stats=search_service().stats())


@bp.get("/bantuan")
def help_page() -> str:
    """How to search, borrow, reserve by WhatsApp and cite."""
    return render_template("help.html")
