"""``jala node push``: send this node's changes to the province, once or as a daemon.

Exit codes: 0 nothing is left to send (or ``--status``); 1 the province refused (unknown
or revoked key, a source the agency harvests, a batch it cannot read); 2 usage; 4 the
province stayed unreachable for ``[push] give_up_seconds`` (one-shot). SIGTERM and
SIGINT stop after the piece in flight; the next run resumes at the province's byte.
"""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import click

from config.progress import Progress, quiet_option
from config.settings import ConfigError, Settings, settings_options
from node_adapter.app import create_app
from node_adapter.config import PUSH_DEFAULTS
from node_adapter.oai.provider import Provider
from node_adapter.oai.views import PROVIDER_KEY
from node_adapter.push import Pusher, PushGaveUp, PushRefused, read_status
from node_adapter.push_outbox import Outbox, cursor_key

EXIT_REFUSED = 1
EXIT_GAVE_UP = 4


def _options(settings: Settings, server: str | None, key: str | None) -> dict[str, Any]:
    """``[push]`` with the command line's server and key over it, checked."""
    options = settings.section("push", PUSH_DEFAULTS)
    options["server_url"] = server or options["server_url"]
    options["key"] = key or options["key"]
    for name in ("server_url", "key"):
        if not options[name]:
            raise click.UsageError(f"give --{name.split('_')[0]} or set [push] {name}")
    for name in ("batch_records", "piece_bytes", "interval_seconds"):
        if not isinstance(options[name], int) or options[name] < 1:
            raise click.UsageError(f"[push] {name} must be a positive whole number")
    return options


@click.command("push")
@click.option("--db", "database", type=click.Path(dir_okay=False, path_type=Path),
              help="Catalogue file (default: [node] database, else <data-dir>/catalogue.sqlite3).")
@click.option("--server", help="The province's site (default: [push] server_url).")
@click.option("--key", help="This source's push key (default: [push] key).")
@click.option("--daemon", is_flag=True, help="Keep pushing: a round every [push] interval_seconds.")
@click.option("--status", "show_status", is_flag=True,
              help="Print the last push and the changes pending, and send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@quiet_option
@settings_options
def push_command(database: Path | None, server: str | None, key: str | None, daemon: bool,
                 show_status: bool, as_json: bool, quiet: bool, settings: Settings) -> None:
    """Send the changes the province has not acknowledged: compressed, resumable batches."""
    try:
        app = create_app({"database": str(database)} if database else None, settings=settings)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    provider: Provider = app.extensions[PROVIDER_KEY]
    options = settings.section("push", PUSH_DEFAULTS)
    outbox_dir = Path(options["outbox"] or f"{provider.config.database}.push")
    if show_status:
        status = read_status(outbox_dir / "status.json")
        status["pending"] = provider.catalogue.count_matching(
            after=cursor_key(status.get("cursor", "")))
        _echo(status, as_json, "last push {last_push}, batches acknowledged {acked_seq}, "
              "pending {pending}, last error {last_error}")
        return
    options = _options(settings, server, key)
    outbox = Outbox(provider, outbox_dir, options["batch_records"],
                    options["server_url"].rstrip("/") + "/api/push/v1")
    stop = threading.Event()
    _stop_on_signals(stop)
    pusher = Pusher(outbox, options["server_url"], options["key"], options, stop)
    try:
        while True:
            # A daemon's report line per round is its progress.
            with Progress("kirim / push (rekaman / records)",
                          quiet=quiet or daemon) as progress:
                report = pusher.push(give_up=not daemon, progress=progress.update)
            _echo(report.to_json(), as_json, "sent {batches} batches, {records} records, "
                  "{bytes} bytes; pending {pending}; acknowledged up to batch {acked_seq}")
            if not daemon or stop.wait(options["interval_seconds"]):
                return
    except (PushRefused, PushGaveUp) as exc:
        click.echo(f"jala node push: {exc}", err=True)
        raise SystemExit(EXIT_REFUSED if isinstance(exc, PushRefused) else EXIT_GAVE_UP) \
            from exc
    finally:
        provider.catalogue.close()


def _echo(values: dict[str, Any], as_json: bool, line: str) -> None:
    """A report as JSON or as one line."""
    click.echo(json.dumps(values) if as_json else line.format_map(
        {k: "–" if v is None else v for k, v in values.items()} | {
            k: "–" for k in ("last_push", "acked_seq", "pending", "last_error")
            if k not in values}))


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT end the push after the piece in flight."""

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
