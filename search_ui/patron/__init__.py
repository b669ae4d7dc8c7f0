"""The patron site: search, works, the library directory, help and discovery files."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, url_for

from aggregator.search import SearchService

bp = Blueprint("patron", __name__)


def search_service() -> SearchService:
    """The app's search service (the only way pages reach the index)."""
    return current_app.extensions["search_service"]


def web_config() -> dict[str, Any]:
    """The ``[web]`` settings the app was created with."""
    return current_app.config["JALA_WEB"]



def absolute_url(endpoint: str, **values: Any) -> str:
    """A full address for sitemaps and OpenGraph, on ``[web] base_url`` when set."""
    base = web_config()["base_url"].rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


# The view modules attach their routes to ``bp``.
from search_ui.patron import directory, discovery, pages  # noqa: E402, F401
