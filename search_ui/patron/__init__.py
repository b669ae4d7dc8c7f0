"""The patron site: search, works, the library directory, help and discovery files."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request, url_for

from aggregator.search import SearchService
from search_ui.clients import site_base

bp = Blueprint("patron", __name__)


def search_service() -> SearchService:
    """The app's search service (the only way pages reach the index)."""
    return current_app.extensions["search_service"]


def web_config() -> dict[str, Any]:
    """The ``[web]`` settings the app was created with."""
    return current_app.config["JALA_WEB"]


def absolute_url(endpoint: str, **values: Any) -> str:
    """A page's full address on ``site_base()``; its path alone when no address is known."""
    return site_base() + url_for(endpoint, **values)


def shared_url(endpoint: str, **values: Any) -> str:
    """A full address staff copy into a message: on ``site_base()``, else on the host their
    own logged-in browser asked for (never a page a cache or crawler keeps)."""
    return (site_base() or request.host_url.rstrip("/")) + url_for(endpoint, **values)


# The view modules attach their routes to ``bp``.
from search_ui.patron import directory, discovery, pages  # noqa: E402, F401
