"""The ``/oai`` endpoint: GET and POST, streamed, gzip-compressed when the client accepts it.

A request body over ``MAX_REQUEST_BYTES`` is refused with HTTP 413 before it is read: the
longest legal request (a resumptionToken plus verb) is a few hundred bytes, so 64 KiB
leaves room for any honest client while a 100 MB form never reaches memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from flask import Blueprint, Response, current_app, request

from node_adapter.oai.provider import Provider

blueprint = Blueprint("oai", __name__)
PROVIDER_KEY = "jala_oai_provider"
MAX_REQUEST_BYTES = 64 * 1024


@blueprint.route("/oai", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer one OAI-PMH request (protocol errors too, always with HTTP 200)."""
    return oai_response(current_app.extensions[PROVIDER_KEY])


def oai_response(provider: Provider) -> Response:
    """This request answered by ``provider`` (also used for catalogues the centre hosts)."""
    request.max_content_length = MAX_REQUEST_BYTES
    values = request.form if request.method == "POST" else request.args
    chunks = provider.respond(values.to_dict(flat=False), request.base_url)
    response = Response(mimetype="text/xml", content_type="text/xml; charset=utf-8")
    response.headers["Vary"] = "Accept-Encoding"
    if request.accept_encodings["gzip"] > 0:
        response.headers["Content-Encoding"] = "gzip"
        response.response = _gzipped(chunks)
    else:
        response.response = (chunk.encode("utf-8") for chunk in chunks)
    return response


def _gzipped(chunks: Iterable[str]) -> Iterator[bytes]:
    """Compress a stream as it is written (level 1: most of the saving at a fraction of the CPU)."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    for chunk in chunks:
        data = compressor.compress(chunk.encode("utf-8"))
        if data:
            yield data
    yield compressor.flush()
