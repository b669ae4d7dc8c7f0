"""``jala demo``: the whole network on one machine, from sample catalogues to the site.

The only module that wires every layer together, because the demo plays every role:
for each ``[[sources]]`` entry naming a ``sample`` catalogue it builds that catalogue
once (under ``<data_dir>/demo/``), starts a real node adapter process on the port of the
source's ``base_url``, waits for it, harvests every source over OAI-PMH, and then runs
``jala serve`` (patron site, API, scheduler and indexer) until interrupted.
"""

from __future__ import annotations

import logging
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import click
import requests

from config.network import Source, load_sources
from config.settings import Settings, settings_options
from harvester.pool import harvest_all
from node_adapter.catalogue import Catalogue
from node_adapter.samples import sample_records

log = logging.getLogger(__name__)
STARTUP_SECONDS = 30.0


def node_config(source: Source) -> str:
    """The ``[node]`` table that makes a demo node describe itself as ``source``."""
    values = {
        "repository_name": source.name,
        "repository_identifier": f"{source.id}.jala-pustaka.example.id",
        "admin_email": f"pustakawan@{source.id}.example.id",
        "library_name": source.name,
        "library_type": source.type,
        "district": source.district,
        "address": source.address,
        "phone": source.phone,
        "whatsapp": source.whatsapp,
        "opening_hours": source.opening_hours,
        "base_url": source.base_url,
    }
    lines = ["[node]", *(f"{key} = {_toml_string(value)}" for key, value in values.items())]
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    """Quote a value as a TOML basic string."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def demo_admin(settings: Settings) -> str:
    """Create the dashboard account ``admin`` with a fresh password when none exists yet."""
    from config.webdb import web_db_path
    from search_ui.accounts import Accounts

    accounts = Accounts(web_db_path(settings))
    if accounts.all():
        return "  dashboard: /masuk with an existing account (jala users list)"
    password = secrets.token_urlsafe(12)
    accounts.add("admin", password, "admin")
    return f"  dashboard: /masuk as admin / {password} (created for this demo)"


def prepare_node(source: Source, folder: Path) -> tuple[Path, Path]:
    """Build the source's sample catalogue and node config once; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    database, config = folder / f"{source.id}.sqlite3", folder / f"{source.id}.toml"
    config.write_text(node_config(source), encoding="utf-8")
    if not database.exists():
        partial = database.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        with Catalogue(partial) as catalogue:
            summary = catalogue.upsert_many(sample_records(source.extra["sample"]))
        partial.rename(database)
        click.echo(f"  {source.id}: sample catalogue '{source.extra['sample']}', "
                   f"{summary.added} records")
    return database, config


@contextmanager
def running_nodes(sources: list[Source], folder: Path) -> Iterator[list[subprocess.Popen]]:
    """Start one ``jala node serve`` process per source; stop them all on exit."""
    processes: list[subprocess.Popen] = []
    try:
        for source in sources:
            database, config = prepare_node(source, folder)
            address = urlsplit(source.base_url)
            command = [sys.executable, "-m", "jala", "node", "serve", "--db", str(database),
                       "--config", str(config), "--host", address.hostname or "127.0.0.1",
                       "--port", str(address.port or 80)]
            log_file = (folder / f"{source.id}.log").open("ab")
            processes.append(subprocess.Popen(command, stdout=log_file, stderr=log_file))
        for source, process in zip(sources, processes, strict=True):
            wait_for_node(source, process, folder)
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for_node(source: Source, process: subprocess.Popen, folder: Path) -> None:
    """Poll the node's /health until it answers; fail with its log if it died."""
    health = source.base_url.rsplit("/oai", 1)[0] + "/health"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise click.ClickException(
                f"node {source.id} exited; see {folder / (source.id + '.log')}")
        try:
            if requests.get(health, timeout=2).ok:
                click.echo(f"  {source.id}: OAI-PMH at {source.base_url}")
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise click.ClickException(f"node {source.id} did not answer at {health}")


def _stop(signum: int, frame: object) -> None:
    """Turn SIGTERM into a clean exit so the node processes are stopped too."""
    raise SystemExit(0)


@click.command("demo")
@settings_options
@click.option("--port", type=click.IntRange(0, 65535), help="Port of the site (default 5000).")
@click.pass_context
def demo(ctx: click.Context, settings: Settings, port: int | None) -> None:
    """Build sample libraries, serve them over OAI-PMH, harvest, index, and run the site."""
    from search_ui.cli import serve

    sources = [s for s in load_sources(settings) if s.enabled and "sample" in s.extra]
    if not sources:
        raise click.ClickException("no [[sources]] entry names a 'sample' catalogue")
    folder = settings.data_dir / "demo"
    signal.signal(signal.SIGTERM, _stop)
    click.echo(f"Starting {len(sources)} sample libraries (data in {settings.data_dir}):")
    with running_nodes(sources, folder):
        click.echo("Harvesting every library over OAI-PMH ...")
        for run in harvest_all(settings, sources):
            click.echo(f"  {run.source}: {run.status}, {run.added} added, {run.updated} "
                       f"updated, {run.deleted} deleted, {run.rejected} rejected")
        click.echo(demo_admin(settings))
        ctx.invoke(serve, config_path=str(settings.path) if settings.path else None,
                   data_dir=str(settings.data_dir), host=None, port=port, no_worker=False)
commands: list[click.Command] = [demo]
