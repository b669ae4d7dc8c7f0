"""The library directory: every member library and reading corner, and one page each."""

from __future__ import annotations

from flask import abort, make_response, render_template, request, url_for
from werkzeug import Response

from search_ui.patron import absolute_url, bp, search_service, web_config
from search_ui.patron.jsonld import directory_ld, library_ld
from search_ui.patron.present import map_url
from search_ui.wire import conditional


@bp.get("/perpustakaan")
def libraries() -> Response:
    """All libraries, optionally only those of one district."""
    everyone = search_service().libraries()
    districts = sorted({info.district for info in everyone if info.district})
    chosen = request.args.get("wilayah", "")
    if chosen and chosen not in districts:
        abort(404)
    shown = [info for info in everyone if not chosen or info.district == chosen]
    entries = [(info.source, absolute_url("patron.library", library_id=info.id))
               for info in shown]
    page = render_template(
        "libraries.html", libraries=shown, districts=districts, chosen=chosen,
        jsonld=directory_ld(entries),
        maps={info.id: map_url(info.source.latitude, info.source.longitude) for info in shown},
    )
    return conditional(request, make_response(page), web_config()["cache_max_age"])


@bp.get("/perpustakaan/<library_id>")
def library(library_id: str) -> Response:
    """One library: how to reach it and a link to everything it holds."""
    info = search_service().library(library_id)
    if info is None:
        abort(404)
    url = absolute_url("patron.library", library_id=info.id)
    ld = {"@context": "https://schema.org", **library_ld(info.source, url)}
    page = render_template(
        "library.html", info=info, canonical=url, jsonld=ld,
        map=map_url(info.source.latitude, info.source.longitude),
        holdings_url=url_for("patron.results", f=f"library:{info.id}"),
    )
    return conditional(request, make_response(page), web_config()["cache_max_age"])
