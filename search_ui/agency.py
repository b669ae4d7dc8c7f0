"""The agency's side of the web app: login, dashboard, registration, hosted catalogues and
the corners' own pages."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from markupsafe import Markup

from search_ui.admin import bp as admin_bp
from search_ui.auth import init_auth
from search_ui.corner import bp as corner_bp
from search_ui.push import init_push
from search_ui.registration import bp as registration_bp
from search_ui.registration.hosting import init_hosting

AGENCY_CSS = Path(__file__).parent / "static" / "agency.css"
"""Styles of the forms and tables, inlined only in the agency's pages (not the patrons')."""
UPLOAD_SLACK = 1 << 20
"""Room for the form's other fields beside the largest catalogue file."""


def init_agency(app: Flask) -> None:
    """Register the agency's blueprints and their limits on ``app``."""
    web = app.config["JALA_WEB"]
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: no limit
        app.config["MAX_CONTENT_LENGTH"] = int(web["max_upload_mb"]) * 2**20 + UPLOAD_SLACK
    app.jinja_env.globals["agency_css"] = Markup(AGENCY_CSS.read_text(encoding="utf-8"))
    init_auth(app)
    app.register_blueprint(admin_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(corner_bp)
    init_hosting(app)
    init_push(app)
