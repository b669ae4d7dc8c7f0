"""A hosted reading corner's own pages (``/pojok/``): its catalogue, uploads and details,
reached only by its ``library`` account (``search_ui.corner.access``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("corner", __name__, url_prefix="/pojok")

# The view modules attach their routes to ``bp``.
from search_ui.corner import password, views  # noqa: E402, F401
