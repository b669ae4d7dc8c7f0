"""The central web app: the patron site, the aggregator's ``/api/v1`` and the agency's
dashboard and registration (``search_ui.agency``), in one Flask app.

``create_app(test_config)`` reads the settings (``test_config["SETTINGS"]`` may hand in a
``config.settings.Settings``), opens the search service once and keeps it in
``app.extensions["search_service"]``, where both the pages and the API find it. The
union catalogue (``aggregator.union``) adds ``/oai`` for national aggregators.
``test_config["JALA_CLOCK"]`` (a function returning an aware datetime) replaces the clock
pages judge the age of copy statuses by, and login limits count by.
``test_config["JALA_INDEXING"]`` is the worker's ``aggregator.indexing_health.IndexingHealth``
when ``jala serve`` runs one beside the app, so the dashboard can say whether indexing
catches up or fails (``search_ui.admin.indexing``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from markupsafe import Markup

from aggregator.indonesian import name_without_titles
from aggregator.search import SearchService
from config.network import http_only
from config.province import load_province
from config.settings import Settings, load_settings
from search_ui.clients import site_base, trusted_proxies
from search_ui.config import WEB_DEFAULTS
from search_ui.errors import register_error_handlers
from search_ui.headers import init_headers
from search_ui.i18n import init_i18n
from search_ui.patron.availability import utc_now
from search_ui.patron.present import (
    FACET_NAMES,
    holdings_summary,
    language_name,
    library_type_name,
    material_name,
    safe_highlight,
)
from search_ui.usage import UsageCounts
from search_ui.wire import compress

STATIC = Path(__file__).parent / "static"


def _asset_version(name: str) -> str:
    """A short content hash, so a changed file gets a new URL and old ones cache forever."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def _configure(app: Flask, settings: Settings) -> None:
    """Copy the ``[web]`` section into Flask's config, with the province's zone and a clock."""
    web = settings.section("web", WEB_DEFAULTS)
    app.config.update(
        JALA_TIMEZONE=load_province(settings).timezone,
        JALA_CLOCK=utc_now,
        JALA_PROXIES=trusted_proxies(web["trusted_proxies"]),
        TRUSTED_HOSTS=list(web["allowed_hosts"]) or None,
        SECRET_KEY=web["secret_key"],
        JALA_WEB=web,
        JALA_LANGUAGES=list(web["languages"]),
        JALA_DEFAULT_LANGUAGE=web["default_language"],
        SEND_FILE_MAX_AGE_DEFAULT=web["static_max_age"],
        JSON_AS_ASCII=False,
    )


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app from the settings (or ``test_config`` overrides)."""
    overrides = dict(test_config or {})
    settings = overrides.pop("SETTINGS", None) or load_settings()
    app = Flask(__name__)
    _configure(app, settings)
    app.config.update(overrides)
    app.extensions["jala_settings"] = settings
    app.extensions["search_service"] = SearchService.from_settings(settings)
    app.extensions["jala_usage"] = UsageCounts.at(settings)
    init_i18n(app)
    web = app.config["JALA_WEB"]
    app.jinja_env.globals.update(
        site_name=web["site_name"],
        site_base=site_base,
        facet_names=FACET_NAMES,
        language_name=language_name,
        material_name=material_name,
        library_type_name=library_type_name,
        holdings_summary=holdings_summary,
        safe_highlight=safe_highlight,
        inline_css=Markup((STATIC / "site.css").read_text(encoding="utf-8")),
        script_version=_asset_version("site.js"),
        upload_script_version=_asset_version("upload.js"),
    )
    app.jinja_env.filters["http_only"] = http_only
    app.jinja_env.filters["person"] = name_without_titles
    from aggregator.api import bp as api_bp
    from aggregator.union.feed import init_union
    from search_ui.agency import init_agency
    from search_ui.patron import bp as patron_bp

    app.register_blueprint(patron_bp)
    app.register_blueprint(api_bp)
    init_union(app, settings)
    init_agency(app)
    register_error_handlers(app)
    init_headers(app, [app.jinja_env.globals["inline_css"], app.jinja_env.globals["agency_css"]])

    @app.after_request
    def _compress(response: Response) -> Response:
        return compress(request, response, web["gzip_min_bytes"])

    return app
