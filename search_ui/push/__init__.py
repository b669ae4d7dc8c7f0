"""Store-and-forward push: nodes the province cannot reach send their changes themselves."""

from __future__ import annotations

from flask import Flask


def init_push(app: Flask) -> None:
    """Register the receiver (``/api/push/v1``) and the dashboard page (``/dasbor/kirim``)."""
    from search_ui.push.admin import bp as admin_bp
    from search_ui.push.receiver import bp as receiver_bp

    app.register_blueprint(receiver_bp)
    app.register_blueprint(admin_bp)
