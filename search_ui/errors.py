"""One place that turns errors into answers: HTML pages for people, JSON under ``/api/``.

Errors raised by views are werkzeug ``HTTPException`` subclasses carrying their status
(``BadRequest`` for unusable search parameters, ``NotFound`` for an unknown work or
library); anything else is a bug, logged and answered with a 500 page that leaks nothing.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError


def _wants_json() -> bool:
    """API clients get JSON errors; pages get HTML."""
    return request.path.startswith("/api/")


def render_error(error: HTTPException) -> tuple[Response | str, int]:
    """Render an HTTP error for whoever asked."""
    status = error.code or 500
    if _wants_json():
        body = {"error": {"status": status, "title": error.name,
                          "detail": error.description or error.name}}
        return jsonify(body), status
    return render_template("error.html", status=status, detail=error.description), status


def render_unexpected(error: Exception) -> tuple[Response | str, int]:
    """Log a bug and answer 500 without its details."""
    if isinstance(error, HTTPException):
        return render_error(error)
    current_app.logger.exception("unhandled error on %s", request.path, exc_info=error)
    return render_error(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on the app (blueprints may still answer their own errors)."""
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_unexpected)
