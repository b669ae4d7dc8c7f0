"""Security headers on every answer, so an injected tag can run nothing and no page is framed.

``Content-Security-Policy``: everything from this site only (``default-src 'self'``); no
inline script at all (``site.js`` and ``upload.js`` are files; the JSON-LD
``<script type="application/ld+json">`` blocks are data, never executed, and browsers do
not apply ``script-src`` to them, checked in Chromium by ``test_browser_policy.py``); the
two inline style sheets (``site.css`` on every page, ``agency.css`` on the agency's) are
allowed by their SHA-256 alone, so no other ``<style>`` or ``style=`` applies; no
plugins, no ``<base>``, forms post only here, and no other site may frame a page
(``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for older browsers).
``Referrer-Policy: strict-origin-when-cross-origin`` (other sites learn the origin only,
never a search or a path); a page that sets its own (the set-password page's
``no-referrer``) keeps it. ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from flask import Flask, Response


def _style_hash(text: str) -> str:
    """A CSP source that allows exactly this inline style sheet."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(inline_styles: Iterable[str]) -> str:
    """The policy, with the inline style sheets the templates embed."""
    styles = " ".join(_style_hash(text) for text in inline_styles)
    return "; ".join(("default-src 'self'", "script-src 'self'", f"style-src 'self' {styles}",
                      "img-src 'self' data:", "object-src 'none'", "base-uri 'none'",
                      "form-action 'self'", "frame-ancestors 'none'"))


def init_headers(app: Flask, inline_styles: Iterable[str]) -> None:
    """Send the security headers on every answer of ``app`` (a view's own value wins)."""
    policy = content_security_policy(inline_styles)
    fixed = {"Content-Security-Policy": policy, "X-Frame-Options": "DENY",
             "Referrer-Policy": "strict-origin-when-cross-origin",
             "X-Content-Type-Options": "nosniff"}

    @app.after_request
    def _secure(response: Response) -> Response:
        for name, value in fixed.items():
            response.headers.setdefault(name, value)
        return response
