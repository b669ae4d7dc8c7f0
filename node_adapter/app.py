"""The node adapter's web application: ``/oai`` (OAI-PMH 2.0) and ``/health``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, jsonify
from flask.typing import ResponseReturnValue

from config.settings import Settings, load_settings
from node_adapter.catalogue import Catalogue
from node_adapter.config import load_node_config
from node_adapter.oai.provider import Provider
from node_adapter.oai.response import datestamp
from node_adapter.oai.views import PROVIDER_KEY, blueprint


def create_app(test_config: Mapping[str, Any] | None = None,
               settings: Settings | None = None) -> Flask:
    """Build the app; ``test_config`` overrides ``[node]`` keys (e.g. database, page_size)."""
    app = Flask(__name__)
    config = load_node_config(settings or load_settings(), test_config)
    catalogue = Catalogue(config.database)
    app.extensions[PROVIDER_KEY] = Provider(catalogue, config)
    app.register_blueprint(blueprint)
    app.add_url_rule("/health", "health", health)
    return app


def health() -> ResponseReturnValue:
    """Liveness and what this node publishes, for monitoring and the network directory."""
    provider: Provider = current_app.extensions[PROVIDER_KEY]
    catalogue = provider.catalogue
    return jsonify({
        "status": "ok",
        "repository_name": provider.config.repository_name,
        "repository_identifier": provider.config.repository_identifier,
        "records": catalogue.count(),
        "deleted": catalogue.count(include_deleted=True) - catalogue.count(),
        "earliest_datestamp": datestamp(catalogue.earliest_datestamp()),
        "library": provider.config.library(),
    })
