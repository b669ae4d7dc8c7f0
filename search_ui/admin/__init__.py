"""The agency's coordination dashboard: sources, runs, registrations, harvest requests,
search analytics and network totals (login required)."""

from __future__ import annotations

from flask import Blueprint

from search_ui.admin.words import code_name, outcome, when

bp = Blueprint("admin", __name__, url_prefix="/dasbor")
bp.add_app_template_global(code_name)
bp.add_app_template_global(when)
bp.add_app_template_global(outcome)

# The view modules attach their routes to ``bp``.
from search_ui.admin import (  # noqa: E402, F401
    census_views,
    outreach_views,
    usage_views,
    views,
)
