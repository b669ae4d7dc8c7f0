"""The push receiver: nodes the province cannot reach send their batches here.

    GET /api/push/v1/state            the source's acknowledged batch and cursor, the batch
                                      in transit (how many of its bytes arrived), limits
    PUT /api/push/v1/batches/<seq>    one piece: ``Content-Range: bytes a-b/total`` and
                                      ``X-Jala-Batch-Sha256``, ``X-Jala-Cursor``,
                                      ``X-Jala-Pending``; the last piece stores the batch

Every request carries ``Authorization: Bearer <push key>``; the key decides the source, so
a node can write only its own. Answers are JSON; errors are ``{"error": {"status",
"title", "detail"}}`` like the rest of ``/api/`` (401 unknown key, 409 out of order or a
harvested source or a piece at the wrong offset, with ``received``, 413 too large, 400
unreadable: nothing stored). No CSRF (no cookies are used), no session.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, Unauthorized

from harvester import pushed
from harvester.store import RecordStore
from search_ui.config import RECEIVE_DEFAULTS
from search_ui.push.keys import PushKeys
from search_ui.push.uploads import Announced, OffsetMismatch, Spool

bp = Blueprint("push_receiver", __name__, url_prefix="/api/push/v1")
RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _options() -> dict[str, Any]:
    """The ``[receive]`` section."""
    return current_app.extensions["jala_settings"].section("receive", RECEIVE_DEFAULTS)


def _store() -> RecordStore:
    """The record store, opened once per app."""
    store = current_app.extensions.get("jala_record_store")
    if store is None:
        store = RecordStore.at(current_app.extensions["jala_settings"])
        current_app.extensions["jala_record_store"] = store
    return store


def _limits() -> pushed.Limits:
    """Batch limits from the configuration."""
    options = _options()
    return pushed.Limits(options["max_batch_bytes"], options["max_inflated_bytes"],
                         options["max_batch_records"])


def _spool() -> Spool:
    """This source's batch in transit."""
    settings = current_app.extensions["jala_settings"]
    return Spool(settings.data_path("push-spool"), g.push_source)


@bp.before_request
def _authenticate() -> None:
    """The bearer key names the one source this request may write."""
    header = request.headers.get("Authorization", "")
    key = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    source = PushKeys.at(current_app.extensions["jala_settings"]).source_of(key) if key else None
    if source is None:
        raise Unauthorized("unknown or revoked push key")
    g.push_source = source


@bp.errorhandler(pushed.PushError)
def _refused(error: pushed.PushError) -> tuple[Response, int]:
    """A batch refused: the reason, in the shape of every ``/api/`` error."""
    body: dict[str, Any] = {"error": {"status": error.status, "title": type(error).__name__,
                                      "detail": str(error)}}
    if isinstance(error, OffsetMismatch):
        body["received"] = error.received
    return jsonify(body), error.status


@bp.get("/state")
def state() -> Response:
    """Where this source's pushing stands, so a node knows what to send next."""
    in_transit = _spool().announced()
    upload = None
    if in_transit:
        batch, received = in_transit
        upload = {"seq": batch.seq, "sha256": batch.sha256, "received": received,
                  "total": batch.total}
    options = _options()
    return jsonify({**pushed.load(_store(), g.push_source).to_json(), "upload": upload,
                    "limits": {key: options[key] for key in RECEIVE_DEFAULTS}})


@bp.put("/batches/<int:seq>")
def piece(seq: int) -> Response:
    """Take one piece of batch ``seq``; the last one stores the whole batch."""
    batch, offset = _announced(seq)
    body = request.get_data(cache=False)
    if len(body) > _options()["max_piece_bytes"]:
        raise RequestEntityTooLarge(f"a piece may hold {_options()['max_piece_bytes']} bytes")
    store = _store()
    current = pushed.load(store, g.push_source)
    pushed.check_order(current, seq)
    if seq == current.batch_seq:  # stored already: the answer to its last piece was lost
        return jsonify({**current.to_json(), "received": batch.total, "stored": False})
    with _spool().locked() as spool:
        received = spool.add(batch, offset, body, _limits().max_bytes)
        if received < batch.total:
            return jsonify({"seq": seq, "received": received, "stored": False})
        try:
            done, outcome = pushed.store_batch(store, g.push_source, seq, spool.whole(batch),
                                               batch.cursor, batch.pending, _limits())
        finally:  # stored, or refused for good: either way this batch is not resent as is
            spool.clear()
    return jsonify({**done.to_json(), "received": received, "stored": True,
                    "added": outcome.added, "updated": outcome.updated,
                    "deleted": outcome.deleted, "unchanged": outcome.unchanged})


def _announced(seq: int) -> tuple[Announced, int]:
    """The batch a piece belongs to and where the piece starts, from its headers."""
    match = RANGE.match(request.headers.get("Content-Range", ""))
    if match is None:
        raise BadRequest("Content-Range must be 'bytes START-END/TOTAL'")
    start, end, total = (int(n) for n in match.groups())
    length = request.content_length or 0
    if end - start + 1 != length:
        raise BadRequest("Content-Range does not match the piece's length")
    digest = request.headers.get("X-Jala-Batch-Sha256", "").lower()
    if not SHA256.match(digest):
        raise BadRequest("X-Jala-Batch-Sha256 must be 64 hexadecimal digits")
    pending = request.headers.get("X-Jala-Pending", "")
    if pending and not pending.isdigit():
        raise BadRequest("X-Jala-Pending must be a whole number")
    cursor = request.headers.get("X-Jala-Cursor", "")[:500]
    return Announced(seq, total, digest, cursor, int(pending) if pending else None), start
