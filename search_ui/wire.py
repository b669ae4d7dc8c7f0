"""How responses travel: gzip for text (waitress does not compress) and conditional GETs.

Pages, streamed sitemaps and small static files (the script, the icon; read into memory
to be compressed, their ETag made weak) are compressed; larger files sent as they are
(``direct_passthrough``) are left alone.

``compress`` runs after every request; ``conditional`` is called by views whose pages are
worth revalidating (work, directory) so a repeat visit on a phone costs a 304, not a page.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime

from flask import Request, Response

COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/javascript",
                "application/ld+json", "application/opensearchdescription+xml",
                "application/x-suggestions+json", "image/svg+xml")


SMALL_FILE = 256 * 1024
"""A passed-through file up to this size is read and gzipped like a page."""


def accepts_gzip(request: Request) -> bool:
    """True when the client lists gzip with a non-zero quality."""
    return request.accept_encodings["gzip"] > 0


def _gzip_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Compress a streamed body chunk by chunk, so memory stays flat."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    for chunk in chunks:
        data = packer.compress(chunk)
        if data:
            yield data
    yield packer.flush()


def compress(request: Request, response: Response, min_bytes: int) -> Response:
    """Gzip a text response when the client accepts it and it is worth the bytes."""
    if (response.status_code != 200 or "Content-Encoding" in response.headers
            or not response.mimetype.startswith(COMPRESSIBLE)):
        return response
    if response.direct_passthrough:
        if (response.content_length or SMALL_FILE) >= SMALL_FILE:
            return response
        response.direct_passthrough = False
        etag, weak = response.get_etag()
        if etag and not weak:
            response.set_etag(etag, weak=True)
    response.vary.add("Accept-Encoding")
    if not accepts_gzip(request):
        return response
    if response.is_streamed:
        response.response = _gzip_stream(response.iter_encoded())
        response.headers.pop("Content-Length", None)
    else:
        body = response.get_data()
        if len(body) < min_bytes:
            return response
        response.set_data(zlib.compress(body, 6, wbits=31))
    response.headers["Content-Encoding"] = "gzip"
    return response


def conditional(request: Request, response: Response, max_age: int,
                last_modified: datetime | None = None) -> Response:
    """Add a weak ETag (survives gzip), Last-Modified and Cache-Control; answer 304 if fresh."""
    response.add_etag(weak=True)
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response.make_conditional(request)
