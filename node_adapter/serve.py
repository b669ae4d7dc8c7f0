"""``jala node serve``: publish a catalogue over OAI-PMH on waitress, a production WSGI server."""

from __future__ import annotations

from pathlib import Path

import click
import waitress

from config.settings import ConfigError, Settings, settings_options
from node_adapter.app import create_app
from node_adapter.config import SLIMS_DEFAULTS
from node_adapter.oai.provider import Provider
from node_adapter.oai.views import PROVIDER_KEY
from node_adapter.slims import SlimsError
from node_adapter.slims.schedule import start_syncing


@click.command("serve")
@click.option("--db", "database", type=click.Path(dir_okay=False, path_type=Path),
              help="Catalogue file (default: [node] database, else <data-dir>/catalogue.sqlite3).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8100, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads answering requests.")
@settings_options
def serve_command(database: Path | None, host: str, port: int, threads: int,
                  settings: Settings) -> None:
    """Serve OAI-PMH 2.0 at /oai and a JSON health check at /health.

    With ``[slims] sync_every`` minutes set, also sync from the library's SLiMS database."""
    try:
        app = create_app({"database": str(database)} if database else None, settings=settings)
        provider: Provider = app.extensions[PROVIDER_KEY]
        syncing = start_syncing(settings, provider.config.database)
    except (ConfigError, SlimsError) as exc:
        raise click.ClickException(str(exc)) from exc
    if syncing:
        click.echo("Syncing from SLiMS every "
                   f"{settings.section('slims', SLIMS_DEFAULTS)['sync_every']} min")
    click.echo(f"Serving OAI-PMH at http://{host}:{port}/oai (Ctrl+C stops)")
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="jala-node")
    finally:
        if syncing:
            syncing.shutdown(wait=False)
