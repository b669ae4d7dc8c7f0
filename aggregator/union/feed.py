"""The union catalogue on ``jala serve``: ``/oai`` by the node adapter's provider, ``/data``,
and ``/sru`` (``sru``) over the search service.

``init_union(app, settings)`` opens the union table for reading and registers the
blueprint; the worker role writes the table (``Indexer.on_batch``). Nothing here speaks
OAI-PMH itself: ``node_adapter.oai.provider.Provider`` does, over the union's
``Catalogue``, with a tombstone's ``<about>`` naming the work it was merged into.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, abort, current_app, send_from_directory

from aggregator.union.config import UnionConfig, load_union_config
from aggregator.union.dump import MANIFEST
from aggregator.union.render import successor_about
from aggregator.union.sru import sru_response
from aggregator.union.store import UnionStore
from config.settings import Settings
from node_adapter.oai.provider import Provider
from node_adapter.oai.views import oai_response

UNION_KEY = "jala_union"
bp = Blueprint("union", __name__)


@dataclass(frozen=True)
class Union:
    """What the union's endpoints share: its settings, its table and its OAI provider."""

    config: UnionConfig
    store: UnionStore
    provider: Provider


def open_union(settings: Settings) -> Union:
    """The union table and the provider that serves it."""
    config = load_union_config(settings)
    store = UnionStore.from_settings(settings)

    def about(work_id: str) -> str:
        successor = store.successor(work_id)
        return successor_about(config.repository_identifier, successor) if successor else ""

    return Union(config, store, Provider(store.catalogue, config, tombstone_about=about))


def init_union(app: Flask, settings: Settings) -> None:
    """Open the union catalogue for the app and serve its endpoints."""
    app.extensions[UNION_KEY] = open_union(settings)
    app.register_blueprint(bp)


def current_union() -> Union:
    """The union catalogue of the running app."""
    return current_app.extensions[UNION_KEY]


@bp.route("/data/")
def data_manifest() -> Response:
    """The open data dump's manifest (counts, date, licence, files), 404 before the first."""
    manifest = current_union().config.dump_dir / MANIFEST
    if not manifest.is_file():
        abort(404)
    return Response(manifest.read_bytes(), mimetype="application/json")


@bp.route("/data/<name>")
def data_file(name: str) -> Response:
    """One file the manifest lists, streamed from disk."""
    folder = current_union().config.dump_dir
    manifest = folder / MANIFEST
    listed = {f["name"] for f in json.loads(manifest.read_text(encoding="utf-8"))["files"]} \
        if manifest.is_file() else set()
    if name not in listed:
        abort(404)
    return send_from_directory(folder, name, mimetype="application/gzip")


@bp.route("/sru", methods=["GET", "POST"])
def sru() -> Response:
    """The union catalogue over SRU 2.0 and 1.2 (explain, searchRetrieve with CQL)."""
    union = current_union()
    return sru_response(union.config, union.store, current_app.extensions["search_service"])


@bp.route("/oai", methods=["GET", "POST"])
def oai() -> Response:
    """The union catalogue over OAI-PMH 2.0 (one record per work)."""
    return oai_response(current_union().provider)
