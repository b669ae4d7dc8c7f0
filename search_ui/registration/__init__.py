"""Registration of reading corners and school libraries: a public form, checked, then queued
for the agency's approval (``config.registrations``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("registration", __name__)

# The view module attaches its routes to ``bp``.
from search_ui.registration import views  # noqa: E402, F401
