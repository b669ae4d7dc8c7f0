"""One place that turns errors into answers: HTML pages for people, JSON under ``/api/``.

Errors raised by views are werkzeug ``HTTPException`` subclasses carrying their status
(``BadRequest`` for unusable search parameters, ``NotFound`` for an unknown work or
library). A search backend that is down (``BackendUnavailableError``, re-exported by
``aggregator.search``) is not a bug of ours: 503 with ``Retry-After``, the cause logged.
Anything else is a bug, logged and answered with a 500 page that leaks nothing. An error
page keeps what the visitor typed in its search box. A request whose Host the app refused
(``[web] allowed_hosts``) gets a line of plain text: no page can link anywhere for it.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from aggregator.api import protocol_headers
from aggregator.query import SearchQuery
from aggregator.search import BackendUnavailableError
from search_ui.patron.params import MAX_TEXT

RETRY_AFTER_SECONDS = 30


def _wants_json() -> bool:
    """API clients get JSON errors; pages get HTML."""
    return request.path.startswith("/api/")


def render_error(error: HTTPException) -> tuple[Response | str, int, list[tuple[str, str]]]:
    """Render an HTTP error for whoever asked, keeping its headers (405's ``Allow``)."""
    status = error.code or 500
    headers = protocol_headers(error)
    if request_ctx.url_adapter is None:  # a Host refused by TRUSTED_HOSTS: no link can be made
        return Response(f"{status} {error.name}\n", mimetype="text/plain"), status, headers
    if _wants_json():
        body = {"error": {"status": status, "title": error.name,
                          "detail": error.description or error.name}}
        return jsonify(body), status, headers
    typed = SearchQuery(text=" ".join(request.args.get("q", "").split())[:MAX_TEXT])
    return (render_template("error.html", status=status, detail=error.description,
                            query=typed), status, headers)


def render_unexpected(error: Exception) -> tuple[Response | str, int, list[tuple[str, str]]]:
    """Log a bug and answer 500 without its details."""
    if isinstance(error, HTTPException):
        return render_error(error)
    current_app.logger.exception("unhandled error on %s", request.path, exc_info=error)
    return render_error(InternalServerError())


def render_unavailable(error: BackendUnavailableError) -> tuple[Response | str, int, dict]:
    """The search backend is down: say so (503) and when to come back; log the cause."""
    current_app.logger.error("search backend unavailable on %s: %s", request.path, error)
    body, status, _ = render_error(ServiceUnavailable())
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on the app (blueprints may still answer their own errors)."""
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(BackendUnavailableError, render_unavailable)
    app.register_error_handler(Exception, render_unexpected)
