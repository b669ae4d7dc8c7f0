"""How the catalogue is found: sitemaps, robots.txt, icon, OpenSearch and search suggestions.

Works are listed in sitemap files of ``[web] sitemap_page_size`` URLs each, streamed from
the index with a ``search_after`` cursor so memory stays flat however big the catalogue.
Sitemaps and the OpenSearch description need full addresses: without a known public
address (``search_ui.clients.site_base``) they answer 404 saying what to set, and
robots.txt names no sitemap.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from flask import (
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import gettext as _
from markupsafe import escape
from werkzeug.exceptions import NotFound

from aggregator.model import Work
from aggregator.query import SearchQuery
from search_ui.clients import site_base
from search_ui.patron import absolute_url, bp, search_service, web_config

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
BATCH = 100
SITE_PAGES = ("patron.home", "patron.libraries", "patron.about", "patron.help_page")
NEED_ADDRESS = {"patron.sitemap_index", "patron.sitemap_pages", "patron.sitemap_works",
                "patron.opensearch"}


def _work_count() -> int:
    """How many works the index holds."""
    return search_service().search(SearchQuery(size=0, facets=(), highlight=False),
                                   channel=None).total


def _all_works() -> Iterator[Work]:
    """Every work in title order, one small batch at a time."""
    cursor: tuple[str, ...] | None = None
    while True:
        result = search_service().search(SearchQuery(
            size=BATCH, sort="title", facets=(), highlight=False, search_after=cursor),
            channel=None)
        for hit in result.hits:
            yield hit.work
        if len(result.hits) < BATCH or not result.hits[-1].sort_key:
            return
        cursor = result.hits[-1].sort_key


def _url_entry(loc: str, lastmod: str = "") -> str:
    """One ``<url>`` element."""
    stamp = f"<lastmod>{escape(lastmod)}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{stamp}</url>\n"


@bp.before_request
def _needs_an_address() -> Response | None:
    """Refuse (404, plain text) the files that must hold full addresses while the site's
    public address is not known."""
    if request.endpoint not in NEED_ADDRESS or site_base():
        return None
    current_app.logger.warning("%s refused: set [web] base_url (or [web] allowed_hosts)",
                               request.path)
    return Response(_("This file needs the site's public address: the operator sets [web] "
                      "base_url (or [web] allowed_hosts).") + "\n", 404, mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap_index() -> Response:
    """The sitemap index: one file of site pages, then the work files."""
    files = math.ceil(_work_count() / web_config()["sitemap_page_size"])
    locations = [absolute_url("patron.sitemap_pages")]
    locations += [absolute_url("patron.sitemap_works", number=n) for n in range(1, files + 1)]
    body = render_template("sitemap_index.xml", namespace=SITEMAP_NS, locations=locations)
    return Response(body, mimetype="application/xml")


@bp.get("/sitemap-halaman.xml")
def sitemap_pages() -> Response:
    """Home, directory, each library, about and help."""
    urls = [absolute_url(endpoint) for endpoint in SITE_PAGES]
    urls += [absolute_url("patron.library", library_id=s.id) for s in search_service().sources]
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
    body += "".join(_url_entry(url) for url in urls) + "</urlset>\n"
    return Response(body, mimetype="application/xml")


@bp.get("/sitemap-karya-<int:number>.xml")
def sitemap_works(number: int) -> Response:
    """One file of work URLs, streamed."""
    size = web_config()["sitemap_page_size"]
    if number < 1 or (number - 1) * size >= _work_count():
        raise NotFound()
    start, stop = (number - 1) * size, number * size

    def generate() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
        for position, work in enumerate(_all_works()):
            if position >= stop:
                break
            if position >= start:
                yield _url_entry(absolute_url("patron.work", work_id=work.id), work.updated)
        yield "</urlset>\n"

    return Response(stream_with_context(generate()), mimetype="application/xml")


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawl everything but the search API and suggestion endpoints; point at the sitemap."""
    body = render_template("robots.txt", sitemap=absolute_url("patron.sitemap_index")
                           if site_base() else "")
    return Response(body, mimetype="text/plain")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon where browsers and crawlers look first (pages link the SVG too)."""
    return current_app.send_static_file("favicon.svg")


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Lets browsers add the site as a search engine, with suggestions."""
    body = render_template("opensearch.xml", home=absolute_url("patron.home"),
                           search=absolute_url("patron.results"),
                           suggest=absolute_url("patron.suggest"),
                           self_url=absolute_url("patron.opensearch"))
    return Response(body, mimetype="application/opensearchdescription+xml")


@bp.get("/saran")
def suggest() -> Response:
    """Completions as OpenSearch suggestions JSON: ``[typed, [completion, ...]]``."""
    typed = " ".join(request.args.get("q", "").split())[:100]
    response = jsonify([typed, search_service().suggest(typed)])
    response.mimetype = "application/x-suggestions+json"
    response.cache_control.public = True
    response.cache_control.max_age = web_config()["cache_max_age"]
    return response
