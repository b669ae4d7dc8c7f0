"""Command-line commands of this component, gathered by ``jala.cli``: ``jala serve``."""

from __future__ import annotations

import logging

import click
import waitress

from config.settings import Settings, settings_options
from search_ui.config import WEB_DEFAULTS

log = logging.getLogger(__name__)


@click.command("serve")
@settings_options
@click.option("--host", help="Address to listen on (default: [web] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535),
              help="Port to listen on (default: [web] port, 5000).")
@click.option("--no-worker", is_flag=True,
              help="Serve pages only: no harvest scheduler and no indexing in this process.")
def serve(settings: Settings, host: str | None, port: int | None, no_worker: bool) -> None:
    """Run the patron site and /api/v1 on waitress, with the harvest worker beside it."""
    from aggregator.engine import EngineError
    from aggregator.worker import WorkerRole
    from search_ui.app import create_app

    web = settings.section("web", WEB_DEFAULTS)
    worker = None
    if not no_worker:
        try:
            worker = WorkerRole(settings).start()
        except (EngineError, OSError) as exc:
            raise click.ClickException(f"cannot start the worker role: {exc}") from exc
    app = create_app({"SETTINGS": settings})
    address = (host or web["host"], port if port is not None else web["port"])
    click.echo(f"Jala Pustaka on http://{address[0]}:{address[1]}"
               + ("" if worker else " (pages only, no harvesting)"))
    try:
        waitress.serve(app, host=address[0], port=address[1], threads=web["threads"],
                       ident="jala")
    finally:
        if worker is not None:
            worker.stop()
        app.extensions["search_service"].close()


commands: list[click.Command] = [serve]
