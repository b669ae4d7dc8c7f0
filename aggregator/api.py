"""The JSON API at ``/api/v1``: search, works, libraries, statistics, suggestions, OpenAPI.

The blueprint finds the search service in ``current_app.extensions["search_service"]``
(the web app's ``create_app`` puts it there). Errors answer JSON
``{"error": {"status", "title", "detail", "fields"}}``: 400 for unusable parameters,
404 for unknown works or libraries, 503 when the search backend fails.
"""

from __future__ import annotations

import functools
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException

from aggregator.answers import json_response, search_answer, work_answer
from aggregator.engine.base import EngineError, QueryError
from aggregator.query import FILTERS, SearchQuery
from aggregator.schemas import (
    ErrorSchema,
    LibraryListSchema,
    LibrarySchema,
    SearchArgsSchema,
    SearchResponseSchema,
    StatsSchema,
    SuggestArgsSchema,
    SuggestResponseSchema,
    WorkSchema,
    decode_cursor,
    encode_cursor,
)
from aggregator.search import SearchService

API_VERSION = "1.0.0"
bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")

_search_args, _suggest_args = SearchArgsSchema(), SuggestArgsSchema()
_library = LibrarySchema()
_libraries, _stats, _suggest = LibraryListSchema(), StatsSchema(), SuggestResponseSchema()
_LIST_ARGS = {name for name, field in _search_args.fields.items()
              if field.__class__.__name__ == "List"}


class ApiError(HTTPException):
    """An API error with its status and, for bad input, the offending fields."""

    def __init__(self, status: int, detail: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.code = status
        self.fields = fields or {}


def _service() -> SearchService:
    """The app's search service."""
    return current_app.extensions["search_service"]


def _load(schema: Schema) -> dict[str, Any]:
    """Validate the query string against ``schema`` (repeated keys become lists)."""
    raw: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        raw[key] = values if key in _LIST_ARGS else values[-1]
    try:
        return schema.load(raw)
    except ValidationError as exc:
        raise ApiError(400, "invalid parameters", exc.normalized_messages()) from exc


@bp.get("/search")
def search() -> Response:
    """Search works: text, facet filters, year range, sort, page or cursor."""
    args = _load(_search_args)
    service = _service()
    size = args["size"] if args["size"] is not None else service.default_page_size
    try:
        cursor = decode_cursor(args["cursor"]) if args["cursor"] else None
    except ValidationError as exc:
        raise ApiError(400, "invalid parameters", exc.normalized_messages()) from exc
    query = SearchQuery(
        text=args["q"], sort=args["sort"], page=args["page"], size=size,
        filters={f: tuple(args[f]) for f in FILTERS if args.get(f)},
        year_from=args["year_from"], year_to=args["year_to"], search_after=cursor)
    try:
        result = service.search(query, channel="api")
    except QueryError as exc:
        raise ApiError(400, str(exc)) from exc
    full_page = result.hits and len(result.hits) == result.size
    return json_response(search_answer(
        result, encode_cursor(result.hits[-1].sort_key) if full_page else None))


@bp.get("/works/<work_id>")
def work(work_id: str) -> Response:
    """One work with its holdings library by library."""
    found = _service().work(work_id)
    if found is None:
        raise ApiError(404, f"no work with id {work_id!r}")
    return json_response(work_answer(found))


@bp.get("/libraries")
def libraries() -> Response:
    """Every library of the network with its collection size."""
    return jsonify(_libraries.dump({"libraries": _service().libraries()}))


@bp.get("/libraries/<library_id>")
def library(library_id: str) -> Response:
    """One library with its collection size."""
    found = _service().library(library_id)
    if found is None:
        raise ApiError(404, f"no library with id {library_id!r}")
    return jsonify(_library.dump(found))


@bp.get("/stats")
def stats() -> Response:
    """Network totals: libraries, works, e-books, copies, top subjects."""
    return jsonify(_stats.dump(_service().stats()))


@bp.get("/suggest")
def suggest() -> Response:
    """Titles and authors completing a typed prefix."""
    args = _load(_suggest_args)
    return jsonify(_suggest.dump({"q": args["q"],
                                  "suggestions": _service().suggest(args["q"], args["size"])}))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 document of this API, generated from its schemas."""
    return jsonify(openapi_document())


def protocol_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers an HTTP error must keep whatever its body (405's ``Allow``)."""
    return [(name, value) for name, value in error.get_headers() if name != "Content-Type"]


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[Response, int, list[tuple[str, str]]]:
    """Answer every API error as JSON with its status."""
    status = error.code or 500
    detail = {"status": status, "title": error.name, "detail": error.description or error.name}
    if getattr(error, "fields", None):
        detail["fields"] = error.fields
    return jsonify({"error": detail}), status, protocol_headers(error)


@bp.errorhandler(EngineError)
def _engine_error(error: EngineError) -> tuple[Response, int, list[tuple[str, str]]]:
    """The search backend failed: 503, the cause logged, not shown."""
    current_app.logger.error("search backend failed on %s: %s", request.path, error)
    return _http_error(ApiError(503, "the search backend is unavailable; try again shortly"))


@functools.cache
def openapi_document() -> dict[str, Any]:
    """Build the OpenAPI document once from the marshmallow schemas."""
    spec = APISpec(title="Jala Pustaka API", version=API_VERSION, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Search the province's federated library catalogue."})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.response("Error", {"description": "An error with its status",
                                       "content": {"application/json": {"schema": "Error"}}})
    for path, summary, query_schema, response_schema, path_param in _ROUTES:
        operation: dict[str, Any] = {
            "summary": summary,
            "responses": {"200": {"description": "OK", "content": {
                "application/json": {"schema": response_schema}}}},
        }
        parameters: list[dict[str, Any]] = []
        if query_schema is not None:
            parameters.append({"in": "query", "schema": query_schema})
        if path_param:
            parameters.append({"in": "path", "name": path_param, "required": True,
                               "schema": {"type": "string"}})
            operation["responses"]["404"] = "Error"
        if query_schema is not None:
            operation["responses"]["400"] = "Error"
        operation["parameters"] = parameters
        spec.path(path=path, operations={"get": operation})
    return spec.to_dict()


_ROUTES = [
    ("/api/v1/search", "Search works", SearchArgsSchema, SearchResponseSchema, None),
    ("/api/v1/works/{work_id}", "One work", None, WorkSchema, "work_id"),
    ("/api/v1/libraries", "All libraries", None, LibraryListSchema, None),
    ("/api/v1/libraries/{library_id}", "One library", None, LibrarySchema, "library_id"),
    ("/api/v1/stats", "Network statistics", None, StatsSchema, None),
    ("/api/v1/suggest", "Autocomplete", SuggestArgsSchema, SuggestResponseSchema, None),
]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """A minimal app serving only the API (tests, benchmarks, API-only deployments)."""
    config = dict(test_config or {})
    app = Flask(__name__)
    service = config.pop("SEARCH_SERVICE", None)
    if service is None:
        from config.settings import load_settings

        service = SearchService.from_settings(config.pop("SETTINGS", None) or load_settings())
    app.config.update(config)
    app.extensions["search_service"] = service
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _http_error)
    return app
